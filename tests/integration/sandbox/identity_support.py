"""The identity sandbox served by a real uvicorn server on a free loopback port, in a thread."""

from __future__ import annotations

import secrets
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from liveport.buyers.adapters.http_verifier import HttpIdentityVerifier, sign
from liveport.sandbox.identity.app import create_app
from tests.support.live_server import served


@dataclass(frozen=True)
class Person:
    full_name: str
    id_number: str
    phone: str


@dataclass(frozen=True)
class RunningSandbox:
    url: str
    key: str
    data_dir: Path

    def verifier(self, timeout_s: float = 5.0) -> HttpIdentityVerifier:
        return HttpIdentityVerifier(self.url, self.key, timeout_s)

    def post(
        self, path: str, body: bytes, *, key: str | None = None, stamp: str | None = None
    ) -> httpx.Response:
        """A signed request, as any client of the wire contract would send it."""
        stamp = stamp or str(int(time.time()))
        headers = {
            "content-type": "application/json",
            "x-timestamp": stamp,
            "x-signature": sign(key or self.key, stamp, body),
        }
        return httpx.post(f"{self.url}{path}", content=body, headers=headers, timeout=5)

    def register(self, name: str, id_number: str) -> None:
        assert self.verifier().register_person(name, id_number) in (200, 201)

    def inject_fault(self, status: int = 503, delay_s: float = 0.0, count: int = 1) -> None:
        body = f'{{"status": {status}, "delay_s": {delay_s}, "count": {count}}}'.encode()
        assert self.post("/v1/faults", body).status_code == 204


@contextmanager
def running_identity_sandbox(
    data_dir: Path, *, open_registration: bool = False
) -> Iterator[RunningSandbox]:
    key = secrets.token_urlsafe(24)
    app = create_app(data_dir, api_key=key, open_registration=open_registration)
    # log_config=None: uvicorn leaves the logging configuration alone.
    with served(app, lifespan="off", log_config=None, access_log=False) as url:
        yield RunningSandbox(url=url, key=key, data_dir=data_dir)


def free_port() -> int:
    """A loopback port nobody listens on (for the unreachable-verifier case)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
