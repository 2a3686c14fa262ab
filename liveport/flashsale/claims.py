"""The claim route, ``POST /api/v1/drops/{id}/claims``: the hot path of a flash sale.

A plain async Starlette route (no FastAPI dependency or model layer, DESIGN.md §4, ADR 0001):
bearer token through the cached resolver, per-IP and per-account rate limits, then one
``gate.try_reserve``, then the room is told the new stock (coalesced). Errors keep the
shared shape; a refusal is ``{"error": {"code": "sold_out" | "limit_reached" | "not_open" |
"closed" | "identity_required" | "rate_limited", ...}}``. The guard is buyers only (the
authorization table lists the route).
"""
from __future__ import annotations

import asyncio
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from liveport.accounts.domain import Principal, Role
from liveport.accounts.guards import bearer_token, client_ip, current_principal
from liveport.core.clock import iso_z, utcnow
from liveport.core.errors import Forbidden, RateLimited, Unauthenticated, ValidationFailed
from liveport.flashsale.domain import (
    MAX_CLAIM_QTY,
    ClaimOutcome,
    ClaimResult,
    DropNotLoaded,
    GateUnavailable,
)
from liveport.flashsale.lifecycle import GATE_KEY, TICKER_KEY
from liveport.http_errors import error_body
from liveport.metrics.instruments import CLAIMS

PATH = "/api/v1/drops/{drop_id}/claims"
MAX_BODY = 1024

_REFUSALS: dict[ClaimOutcome, tuple[int, str]] = {
    ClaimOutcome.SOLD_OUT: (409, "Sold out."),
    ClaimOutcome.LIMIT_REACHED: (409, "You have reached this drop's limit per buyer."),
    ClaimOutcome.NOT_OPEN: (409, "The drop is not open yet."),
    ClaimOutcome.CLOSED: (409, "The drop is closed."),
}


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status, headers=headers, media_type="application/json")


def _qty(raw: bytes) -> int:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        body = None
    qty = body.get("qty") if isinstance(body, dict) and body.keys() == {"qty"} else None
    if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= MAX_CLAIM_QTY:
        raise ValidationFailed(f'The body is {{"qty": n}} with n from 1 to {MAX_CLAIM_QTY}.',
                               details={"errors": [{"loc": ["body", "qty"], "msg": "invalid", "type": "value_error"}]})
    return qty


def _answer(result: ClaimResult) -> Response:
    headers = {"Idempotent-Replayed": "true"} if result.replayed else None
    reservation = result.reservation
    if reservation is not None:
        return _json(201, {
            "outcome": "reserved",
            "reservation": {"id": reservation.id, "drop_id": reservation.drop_id, "qty": reservation.qty,
                            "expires_at": iso_z(reservation.expires_at), "status": reservation.status.value},
            "on_sale": result.on_sale,
        }, headers)
    status, message = _REFUSALS[result.outcome]
    return _json(status, error_body(result.outcome.value, message, {"on_sale": result.on_sale}), headers)


async def _principal(request: Request) -> Principal | None:
    """A signed bearer token is checked in memory, inline; anything that needs the database
    (a cookie, a buyer signed in before their identity was verified) goes to a thread, so a
    burst of first-time buyers never stalls the event loop that answers every claim."""
    token = bearer_token(request)
    if token is not None:
        decided, principal = request.app.state.ctx.tokens.resolve_in_memory(token)
        if decided:
            if principal is None:
                raise Unauthenticated("That token is not valid.", code="invalid_token")
            return principal
    return await asyncio.to_thread(current_principal, request)


async def claim(request: Request) -> Response:
    return await claim_through(request, request.app.state.ctx.extras.get(GATE_KEY))


async def claim_through(request: Request, gate: Any) -> Response:
    """The claim route's whole path with a given gate (the bench swaps in its SQL baseline)."""
    ctx = request.app.state.ctx
    principal = await _principal(request)
    if principal is None:
        raise Unauthenticated()
    if principal.role is not Role.BUYER:
        raise Forbidden("Only buyers claim units of a drop.")
    settings = ctx.settings
    if settings.rate_limit_enabled:
        window = settings.claim_rate_limit_window_s
        for key, limit in ((f"claims:ip:{client_ip(request)}", settings.claim_rate_limit_per_ip),
                           (f"claims:user:{principal.user_id}", settings.claim_rate_limit_per_account)):
            decision = ctx.rate_limiter.hit(key, limit, window)
            if not decision.allowed:
                raise RateLimited(details={"retry_after_s": decision.retry_after_s})
    idempotency_key = request.headers.get("idempotency-key")
    if not idempotency_key:
        raise ValidationFailed("Send an Idempotency-Key header (one per claim; repeat it to retry).",
                               code="idempotency_key_required")
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise ValidationFailed("The body is too large.", code="payload_too_large")
    qty = _qty(raw)
    if gate is None:
        raise GateUnavailable(code="gate_not_started")
    if principal.identity_hash is None:
        raise Forbidden("Verify your real-name identity before buying.", code="identity_required")
    raw_id: str = request.path_params["drop_id"]
    if not (raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 18):
        raise DropNotLoaded()
    drop_id = int(raw_id)
    result = await gate.try_reserve(drop_id, principal.identity_hash, qty, idempotency_key, utcnow())
    CLAIMS.inc(result.outcome.value)
    if result.outcome is ClaimOutcome.RESERVED and not result.replayed:
        ctx.extras[TICKER_KEY].changed(drop_id, result.on_sale)
    return _answer(result)


def add_routes(app: Any) -> None:
    """Called once by liveport.app.create_app. The route goes first in the routing table:
    every request is matched against the routes in order, and with a hundred FastAPI routes
    ahead of it a claim would spend more time being routed than being decided."""
    app.router.routes.insert(0, Route(PATH, claim, methods=["POST"], include_in_schema=False))
