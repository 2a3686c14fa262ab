"""Pure ASGI middleware timing every HTTP request by its route *template*
(``/api/v1/orders/{order_no}``, never the raw path: one series per route, not per order).

The router writes what it matched into the request's scope (``route`` for FastAPI routes,
``endpoint`` for plain Starlette routes and mounts), which this middleware reads once the
answer is sent; the endpoint → template map is built once from the app's routes."""
from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.routing import Mount

from liveport.metrics.instruments import LATENCY, REQUESTS

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]
UNMATCHED = "<unmatched>"


def _templates(routes: list[Any], found: dict[int, str] | None = None) -> dict[int, str]:
    found = {} if found is None else found
    for route in routes:
        if hasattr(route, "original_router"):  # an included router, kept whole (its paths are full)
            _templates(list(route.original_router.routes), found)
        elif isinstance(route, Mount):
            found[id(route.app)] = route.path + "/{path}"
        elif hasattr(route, "endpoint") and hasattr(route, "path"):
            found.setdefault(id(route.endpoint), route.path)
    return found


class RequestMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._by_endpoint: dict[int, str] | None = None

    def template(self, scope: Scope) -> str:
        route = scope.get("route")
        path = getattr(route, "path", None)
        if isinstance(path, str):
            return path
        endpoint = scope.get("endpoint")
        if endpoint is None:
            return UNMATCHED
        if self._by_endpoint is None:
            router = scope.get("router") or getattr(scope.get("app"), "router", None)
            self._by_endpoint = _templates(list(getattr(router, "routes", [])))
        return self._by_endpoint.get(id(endpoint), UNMATCHED)

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            # Sockets pass through untouched: the room sends straight through the server's own
            # ``send`` (realtime/ws.py server_send, ADR 0008), which a wrapper here would hide;
            # the room socket counts its own openings.
            await self.app(scope, receive, send)
            return
        status = [500]

        async def send_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_status)
        finally:
            elapsed = time.perf_counter() - started
            template, method = self.template(scope), scope.get("method", "GET")
            LATENCY.observe(elapsed, method, template)
            REQUESTS.inc(method, template, str(status[0]))
