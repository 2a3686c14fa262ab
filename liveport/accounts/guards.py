"""Request guards (FastAPI dependencies): who is calling, may they, and how often.

Every route declares one of these; the authorization table test fails for a route that
does not appear in the hand-written table.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from fastapi import Depends, Request
from redis.exceptions import RedisError

from liveport.accounts.domain import Principal, Role
from liveport.context import AppContext
from liveport.core.errors import Forbidden, RateLimited, Unauthenticated

log = logging.getLogger(__name__)

SESSION_COOKIE = "lp_session"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def get_context(request: Request) -> AppContext:
    return request.app.state.ctx


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def _cross_site(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin:
        return False
    return urlsplit(origin).netloc != request.headers.get("host", "")


def current_principal(request: Request) -> Principal | None:
    """The caller, from a bearer token or the session cookie; None for an anonymous caller."""
    cached = getattr(request.state, "principal", False)
    if cached is not False:
        return cached
    ctx = get_context(request)
    token = bearer_token(request)
    principal = None
    if token is not None:
        principal = ctx.tokens.resolve(token)
        if principal is None:
            raise Unauthenticated("That token is not valid.", code="invalid_token")
    elif cookie := request.cookies.get(SESSION_COOKIE):
        # A cookie rides along on cross-site requests; refuse it for changes made from
        # another origin (the cookie is SameSite=Lax too).
        if request.method in UNSAFE_METHODS and _cross_site(request):
            raise Forbidden("Cross-site request refused.", code="cross_site")
        principal = ctx.tokens.resolve(cookie)
    request.state.principal = principal
    return principal


def optional_principal(request: Request) -> Principal | None:
    return current_principal(request)


def require(*roles: Role) -> Callable[[Request], Principal]:
    allowed = frozenset(roles)

    def guard(request: Request) -> Principal:
        principal = current_principal(request)
        if principal is None:
            raise Unauthenticated()
        if principal.role not in allowed:
            raise Forbidden()
        return principal

    guard.__name__ = "require_" + "_".join(sorted(r.value for r in allowed))
    return guard


any_user = require(*Role)
operator_only = require(Role.OPERATOR)
staff = require(Role.HOST, Role.MODERATOR, Role.OPERATOR)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def rate_limited(scope: str) -> Callable[[Request], None]:
    """Per-account and per-IP limits for a route, from settings."""

    def guard(request: Request) -> None:
        ctx = get_context(request)
        settings = ctx.settings
        if not settings.rate_limit_enabled:
            return
        window = settings.rate_limit_window_s
        checks = [(f"{scope}:ip:{client_ip(request)}", settings.rate_limit_per_ip)]
        principal = current_principal(request)
        if principal is not None:
            checks.append((f"{scope}:user:{principal.user_id}", settings.rate_limit_per_account))
        for key, limit in checks:
            try:
                decision = ctx.rate_limiter.hit(key, limit, window)
            except RedisError:
                # A limiter outage must not take the shop down: let the request through.
                log.warning("rate limiter unavailable; %s not limited", scope)
                return
            if not decision.allowed:
                raise RateLimited(details={"retry_after_s": decision.retry_after_s})

    guard.__name__ = f"rate_limit_{scope}"
    return guard


Context = Depends(get_context)
