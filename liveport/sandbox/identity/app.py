"""The sandbox identity verifier as a Starlette app.

Wire contract (what a real provider's client would speak):

- Every ``/v1`` request is signed: ``X-Timestamp`` (unix seconds) and ``X-Signature``, the hex
  HMAC-SHA256 of ``<timestamp>.<raw body>`` under the client key. Unsigned, wrongly signed or
  stale (more than 300 s off) requests get 401.
- ``POST /v1/verify`` ``{"name", "id_number"}`` → 200
  ``{"result": "match"|"mismatch"|"invalid", "reason": str|null, "reference": str}``.
  A well-formed number registered under the same name matches; under another name it is
  ``name_mismatch``; an unknown number is ``not_registered`` — unless open registration is
  on (demo), when it is registered with the given name on first sight and matches.
- ``POST /v1/persons`` ``{"name", "id_number"}`` registers a test person: 201 new, 200 same
  name again, 409 another name, 422 malformed number.
- ``POST /v1/faults`` ``{"status": 503, "delay_s": 0, "count": 1}``: the next ``count``
  verifications wait ``delay_s`` and, if ``status`` is not 200, answer with it (failures on
  demand). ``GET /healthz`` is open.

The client key: ``create_app(api_key=...)``, else ``LIVEPORT_IDENTITY_VERIFIER_KEY``, else the
``identity_verifier_key`` of the ``secrets.json`` beside the data dir (the embedded layout,
where the sandbox's data dir sits inside Liveport's). Open registration: the argument, else
``LIVEPORT_SANDBOX_IDENTITY_OPEN_REGISTRATION`` (1/true/yes).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from liveport.sandbox.identity import idrules
from liveport.sandbox.identity.store import Registry, comparable_name

KEY_ENV = "LIVEPORT_IDENTITY_VERIFIER_KEY"
OPEN_REGISTRATION_ENV = "LIVEPORT_SANDBOX_IDENTITY_OPEN_REGISTRATION"
MAX_SKEW_S = 300
MAX_BODY = 4096


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status)


def _resolve_key(explicit: str | None, data_dir: Path) -> str | None:
    if explicit:
        return explicit
    if os.environ.get(KEY_ENV):
        return os.environ[KEY_ENV]
    secrets_file = data_dir.parent / "secrets.json"
    if secrets_file.is_file():
        try:
            value = json.loads(secrets_file.read_text()).get("identity_verifier_key")
        except (OSError, ValueError):
            return None
        return str(value) if value else None
    return None


def _resolve_open_registration(explicit: bool | None) -> bool:
    if explicit is not None:
        return explicit
    return os.environ.get(OPEN_REGISTRATION_ENV, "").strip().lower() in {"1", "true", "yes"}


@dataclass
class Fault:
    status: int
    delay_s: float
    remaining: int


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Fault] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._pending.append(fault)

    def take(self) -> Fault | None:
        with self._lock:
            if not self._pending:
                return None
            fault = self._pending[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._pending.pop(0)
            return fault


class IdentitySandbox:
    def __init__(
        self,
        registry: Registry,
        key: str | None,
        open_registration: bool,
        clock: Callable[[], float],
    ) -> None:
        self.registry = registry
        self.key = key
        self.open_registration = open_registration
        self.clock = clock
        self.faults = Faults()

    async def signed_json(self, request: Request) -> dict[str, Any] | JSONResponse:
        """The request's JSON object if its signature holds, else the error to answer."""
        if not self.key:
            return _error(503, "not_configured", f"no client key: set {KEY_ENV}")
        body = await request.body()
        if len(body) > MAX_BODY:
            return _error(413, "too_large", "request body too large")
        stamp = request.headers.get("x-timestamp", "")
        given = request.headers.get("x-signature", "")
        if not stamp.isdigit() or abs(self.clock() - int(stamp)) > MAX_SKEW_S:
            return _error(401, "stale_request", "missing or stale X-Timestamp")
        expected = hmac.new(
            self.key.encode(), stamp.encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(expected, given.lower()):
            return _error(401, "bad_signature", "X-Signature does not match")
        try:
            data = json.loads(body)
        except ValueError:
            return _error(400, "bad_json", "body is not JSON")
        if not isinstance(data, dict):
            return _error(400, "bad_json", "body must be a JSON object")
        return data

    @staticmethod
    def person_fields(data: dict[str, Any]) -> tuple[str, str] | JSONResponse:
        name, number = data.get("name"), data.get("id_number")
        if not isinstance(name, str) or not name.strip() or not isinstance(number, str):
            return _error(400, "bad_request", "name and id_number are required strings")
        return name.strip(), idrules.canonical(number)

    def check(self, name: str, number: str) -> dict[str, Any]:
        reference = "idv-" + secrets.token_hex(10)
        if idrules.problem(number) is not None:
            result, reason = "invalid", "invalid_id_number"
        else:
            known = self.registry.name_of(number)
            if known is None and self.open_registration:
                known = self.registry.register(number, name, source="open_registration")
            if known is None:
                result, reason = "mismatch", "not_registered"
            elif comparable_name(known) == comparable_name(name):
                result, reason = "match", None
            else:
                result, reason = "mismatch", "name_mismatch"
        self.registry.log_check(reference, idrules.tail(number), result, reason)
        return {"result": result, "reason": reason, "reference": reference}

    async def verify(self, request: Request) -> Response:
        data = await self.signed_json(request)
        if isinstance(data, JSONResponse):
            return data
        fields = self.person_fields(data)
        if isinstance(fields, JSONResponse):
            return fields
        fault = self.faults.take()
        if fault is not None:
            await asyncio.sleep(fault.delay_s)
            if fault.status != 200:
                return _error(fault.status, "injected_fault", "failure on demand")
        answer = await run_in_threadpool(self.check, *fields)
        return JSONResponse(answer)

    async def persons(self, request: Request) -> Response:
        data = await self.signed_json(request)
        if isinstance(data, JSONResponse):
            return data
        fields = self.person_fields(data)
        if isinstance(fields, JSONResponse):
            return fields
        name, number = fields
        if (reason := idrules.problem(number)) is not None:
            return _error(422, "invalid_id_number", f"id_number is not valid ({reason})")
        before = await run_in_threadpool(self.registry.name_of, number)
        stored = await run_in_threadpool(self.registry.register, number, name, "api")
        if comparable_name(stored) != comparable_name(name):
            return _error(
                409, "registered_to_another_name", "that number is registered to another name"
            )
        return JSONResponse(
            {"registered": True, "id_number": idrules.tail(number)},
            200 if before is not None else 201,
        )

    async def faults_route(self, request: Request) -> Response:
        data = await self.signed_json(request)
        if isinstance(data, JSONResponse):
            return data
        status, delay, count = data.get("status", 503), data.get("delay_s", 0), data.get("count", 1)
        if not (
            isinstance(status, int)
            and 200 <= status <= 599
            and isinstance(delay, (int, float))
            and 0 <= delay <= 60
            and isinstance(count, int)
            and 1 <= count <= 1000
        ):
            return _error(400, "bad_request", "status 200-599, delay_s 0-60, count 1-1000")
        self.faults.add(Fault(status=status, delay_s=float(delay), remaining=count))
        return Response(status_code=204)


async def healthz(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def create_app(
    data_dir: Path,
    *,
    api_key: str | None = None,
    open_registration: bool | None = None,
    clock: Callable[[], float] = time.time,
) -> Starlette:
    data_dir = Path(data_dir)
    sandbox = IdentitySandbox(
        Registry(data_dir / "identity" / "registry.sqlite3"),
        key=_resolve_key(api_key, data_dir),
        open_registration=_resolve_open_registration(open_registration),
        clock=clock,
    )
    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/v1/verify", sandbox.verify, methods=["POST"]),
            Route("/v1/persons", sandbox.persons, methods=["POST"]),
            Route("/v1/faults", sandbox.faults_route, methods=["POST"]),
        ]
    )
    app.state.sandbox = sandbox
    return app
