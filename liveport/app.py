"""The ASGI application factory: FastAPI for the broad API, lean Starlette routes for hot paths.

``create_app()`` builds everything from settings when called (granian calls it in each
worker with ``--factory``); importing this module connects to nothing.
"""
from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route

from liveport.context import AppContext, build_context
from liveport.core.settings import Settings, get_settings
from liveport.http_errors import install_error_handlers
from liveport.logging_setup import configure_logging

# Each domain that serves routes adds its router here; the order is the OpenAPI order.
ROUTER_MODULES = (
    "liveport.accounts.api",
    "liveport.buyers.api",
    "liveport.buyers.consignees_api",
    "liveport.core.outbox.api",
    "liveport.catalog.api",
    "liveport.shows.api",
    "liveport.flashsale.api",
    "liveport.realtime.api",
    "liveport.media.api",
    "liveport.checkout.api",
    "liveport.orders.api",
    "liveport.payments.api",
    "liveport.customs.api",
    "liveport.customs.returns_api",
    "liveport.fulfilment.api",
    "liveport.webhooks.api",
    "liveport.web.order_pages",
    "liveport.web.pages",
    "liveport.web.host_console",
    "liveport.analytics.api",
    "liveport.web.desk_pages",
    "liveport.metrics.api",
)
# Stand-ins for outside parties (DESIGN.md §3), mounted when settings.mount_sandboxes:
# path → factory(data_dir=Path[, base_url=str]) returning an ASGI app with its own store under
# data_dir; base_url (settings.base_url) and clock_speed (settings.sandbox_clock_speed) are
# given to factories that take them.
# They import nothing of Liveport but liveport/protocols/ and their own package (the two
# payment sandboxes share liveport/sandbox/payment_provider/).
SANDBOX_MOUNTS: dict[str, str] = {
    "/sandbox/identity": "liveport.sandbox.identity.app:create_app",
    "/sandbox/ecny": "liveport.sandbox.ecny.app:create_app",
    "/sandbox/card": "liveport.sandbox.card.app:create_app",
    "/sandbox/customs": "liveport.sandbox.customs.app:create_app",
    "/sandbox/carrier": "liveport.sandbox.carrier.app:create_app",
}
# Called with the context at start-up (register outbox handlers, start background work)
# and expected to return a stop callable or None.
STARTUP_HOOKS: list[str] = [
    "liveport.core.outbox.lifecycle:start_dispatcher",
    "liveport.realtime.lifecycle:start_room",
    # After the room: it picks up the room's publisher for stock events.
    "liveport.flashsale.lifecycle:start_gate",
    "liveport.orders.lifecycle:start_orders",
    "liveport.customs.lifecycle:start_customs",
    "liveport.fulfilment.lifecycle:start_fulfilment",
    "liveport.media.lifecycle:start_media",
    "liveport.webhooks.lifecycle:start_webhooks",
]


async def healthz(_request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


def _import(dotted: str) -> Any:
    module_name, _, attr = dotted.partition(":")
    module = __import__(module_name, fromlist=["_"])
    return getattr(module, attr) if attr else module


def _sandbox(factory: Callable[..., Any], settings: Settings) -> Any:
    """A sandbox that reaches its siblings over HTTP (carrier and payment providers → the
    single window) takes ``base_url``: where the server holding every mount is reached."""
    options: dict[str, Any] = {"data_dir": settings.data_dir / "sandbox"}
    if "base_url" in inspect.signature(factory).parameters:
        options["base_url"] = settings.sandbox_base_url or settings.base_url
    if "clock_speed" in inspect.signature(factory).parameters:
        options["clock_speed"] = settings.sandbox_clock_speed
    return factory(**options)


def create_app(settings: Settings | None = None, context: AppContext | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    ctx = context or build_context(settings)
    stops: list[Callable[[], None]] = []

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        blocking = ThreadPoolExecutor(settings.blocking_threads, thread_name_prefix="liveport-blocking")
        asyncio.get_running_loop().set_default_executor(blocking)
        sys.setswitchinterval(settings.gil_switch_interval_ms / 1000)
        for hook in STARTUP_HOOKS:
            stop = _import(hook)(ctx)
            if stop is not None:
                stops.append(stop)
        try:
            yield
        finally:
            for stop in reversed(stops):
                stop()
            blocking.shutdown(wait=False)
            if context is None:
                ctx.close()

    app = FastAPI(
        title="Liveport",
        version="0.1.0",
        description="Livestream cross-border commerce.",
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    install_error_handlers(app)
    # Outermost but for the error handler: times every answer, errors included, by route template.
    app.add_middleware(_import("liveport.metrics.middleware:RequestMetrics"))
    # Plain Starlette routes skip FastAPI's validation layer: the hot paths live here.
    app.add_route("/healthz", healthz, methods=["GET"], include_in_schema=False)
    _import("liveport.flashsale.claims:add_routes")(app)
    if settings.bench_routes:
        _import("liveport.bench.routes:add_bench_routes")(app, settings)
    for name in ROUTER_MODULES:
        app.include_router(_import(name).router)
    if settings.mount_sandboxes:
        for path, factory in SANDBOX_MOUNTS.items():
            app.mount(path, _sandbox(_import(factory), settings))
    elif settings.sandbox_base_url:
        # The sandboxes are their own server: a link or a client that still says /sandbox on
        # this one (the cashier in an old page, `liveport rehearse`) is sent there.
        app.add_route("/sandbox/{rest:path}", _redirect_to(settings.sandbox_base_url),
                      methods=["GET", "POST", "HEAD"], include_in_schema=False)
    return app


def _redirect_to(base: str) -> Callable[[Request], Awaitable[Response]]:
    async def to_sandboxes(request: Request) -> Response:
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"{base}{request.url.path}{query}", status_code=307)

    return to_sandboxes


def create_sandboxes_app(settings: Settings | None = None) -> Starlette:
    """The five sandboxes as one server of their own (`liveport sandboxes`): the outside
    parties in their own process, as they are in life, so their signatures, stores and
    queues do not share an interpreter with Liveport's (ADR 0014)."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    mounts = [Mount(path, app=_sandbox(_import(factory), settings)) for path, factory in SANDBOX_MOUNTS.items()]
    return Starlette(routes=[Route("/healthz", healthz, methods=["GET"]), *mounts])
