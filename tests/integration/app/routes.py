"""Walks the application's routes, including those of included routers and mounts."""
from __future__ import annotations

from typing import Any

from starlette.routing import Mount


def route_table(app: Any) -> set[tuple[str, str]]:
    """Every (METHOD, path) the app serves, except mounted sub-applications (sandboxes)."""
    found: set[tuple[str, str]] = set()

    def walk(routes: list[Any]) -> None:
        for route in routes:
            if hasattr(route, "original_router"):
                walk(route.original_router.routes)
            elif isinstance(route, Mount):
                found.add(("MOUNT", route.path))
            else:
                for method in sorted(getattr(route, "methods", None) or {"GET"}):
                    if method != "HEAD":
                        found.add((method, route.path))

    walk(app.routes)
    return found
