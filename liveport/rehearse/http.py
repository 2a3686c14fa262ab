"""The rehearsal's one HTTP client: bounded connections, every call timed per step.

Latency is measured from the moment a call gets one of the ``connections`` slots, so a queue
inside the simulator (10,000 buyers, 64 sockets) does not count as server time; throughput is
calls per second over each step's span.

On loopback the buyers come from many source addresses (127.0.0.0/8 is all loopback), a few
hundred buyers to each, as real buyers come from many networks: the server's per-IP limits
(orders and payments: 600 a minute) are then met as they would be on the night, not by one
address carrying ten thousand people."""
from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from liveport.rehearse.errors import RehearsalRefused, ServerAnsweredBadly
from liveport.rehearse.stats import Timings

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
TIMEOUT_S = 30.0
BUYERS_PER_ADDRESS = 250


def source_address(buyer_index: int) -> str:
    """127.1.0.1, 127.1.0.2, … — one per BUYERS_PER_ADDRESS buyers."""
    n = buyer_index // BUYERS_PER_ADDRESS
    return f"127.{1 + n // 65_000}.{(n // 250) % 256}.{1 + n % 250}"


def check_target(url: str, *, allow_remote: bool) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RehearsalRefused("--url is http(s)://host[:port] of a running Liveport.", code="rehearsal_bad_url")
    if parts.hostname not in LOOPBACK and not allow_remote:
        raise RehearsalRefused("A rehearsal loads only a server on this machine (127.0.0.1) unless "
                               "--allow-remote says the server is yours.", code="rehearsal_not_loopback")
    return url.rstrip("/")


def same_host(base: str, url: str) -> bool:
    """The server under rehearsal's host: its sandboxes (the cashier) may answer on another
    port of it, as the demo's do."""
    a, b = urlsplit(base), urlsplit(url)
    return (a.scheme, a.hostname) == (b.scheme, b.hostname)


class Http:
    def __init__(self, base: str, connections: int, timings: Timings) -> None:
        self.base = base
        self.timings = timings
        self.connections = connections
        self.slots = asyncio.Semaphore(connections)
        self.spread = urlsplit(base).hostname == "127.0.0.1"
        self.client = self._client(None)
        self.by_source: dict[str, httpx.AsyncClient] = {}

    def _client(self, source: str | None) -> httpx.AsyncClient:
        transport = httpx.AsyncHTTPTransport(local_address=source) if source else None
        return httpx.AsyncClient(
            base_url=self.base, timeout=httpx.Timeout(TIMEOUT_S), transport=transport,
            limits=httpx.Limits(max_connections=self.connections, max_keepalive_connections=self.connections))

    def client_for(self, buyer_index: int | None) -> httpx.AsyncClient:
        if buyer_index is None or not self.spread:
            return self.client
        source = source_address(buyer_index)
        found = self.by_source.get(source)
        if found is None:
            found = self.by_source[source] = self._client(source)
        return found

    async def close(self) -> None:
        for client in (self.client, *self.by_source.values()):
            await client.aclose()

    async def call(self, step: str, method: str, url: str, *, token: str | None = None,
                   expect: tuple[int, ...] = (200, 201), buyer: int | None = None,
                   **kwargs: Any) -> httpx.Response | None:
        """The answer, or None when the call failed (transport error); an answer outside
        ``expect`` is recorded as an error of the step, with its status and code."""
        if not url.startswith("/") and not same_host(self.base, url):
            raise RehearsalRefused(f"Refusing to call {url}: not the server under rehearsal.",
                                   code="rehearsal_foreign_url")
        headers = dict(kwargs.pop("headers", None) or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        async with self.slots:
            started = time.monotonic()
            try:
                answer = await self.client_for(buyer).request(method, url, headers=headers, **kwargs)
            except httpx.HTTPError as exc:
                self.timings.record(step, started, time.monotonic(), type(exc).__name__)
                return None
        error = None
        if answer.status_code not in expect:
            error = f"{answer.status_code} {error_code(answer)}"
        self.timings.record(step, started, time.monotonic(), error)
        return answer

    async def must(self, step: str, method: str, url: str, **kwargs: Any) -> Any:
        """A set-up call that has to succeed: its JSON body, or the rehearsal stops."""
        answer = await self.call(step, method, url, **kwargs)
        if answer is None or answer.status_code not in kwargs.get("expect", (200, 201)):
            detail = "no answer" if answer is None else f"{answer.status_code} {answer.text[:300]}"
            raise ServerAnsweredBadly(f"{method} {url}: {detail}", code="rehearsal_setup_failed")
        return answer.json()


def error_code(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return "-"
    error = body.get("error") if isinstance(body, dict) else None
    return str(error.get("code")) if isinstance(error, dict) else "-"
