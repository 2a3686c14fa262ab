"""Routes that exist only on a bench server (``LIVEPORT_BENCH_ROUTES=1``), never in production.

- ``POST /api/v1/bench/noop``: the no-op yardstick of the flash-sale bench — the same server
  and framework stack as the claim route, a fixed small JSON, nothing else.
- ``POST /api/v1/bench/sql-drops/{drop_id}/claims``: the claim route itself (auth, rate
  limits, idempotency header, body checks) with the gate replaced by one PostgreSQL
  transaction per claim (``sql_baseline.SqlBaselineGate``).
"""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from liveport.bench.sql_baseline import SqlBaselineGate
from liveport.flashsale.claims import claim_through

NOOP_PATH = "/api/v1/bench/noop"
SQL_CLAIM_PATH = "/api/v1/bench/sql-drops/{drop_id}/claims"
_NOOP_BODY = b'{"outcome":"noop"}'


async def noop(_request: Request) -> Response:
    return Response(_NOOP_BODY, 201, media_type="application/json")


def add_bench_routes(app: Any, settings: Any) -> None:
    routes = [Route(NOOP_PATH, noop, methods=["POST"], include_in_schema=False)]
    if settings.bench_sql_dsn:
        gate = SqlBaselineGate(settings.bench_sql_dsn)

        async def sql_claim(request: Request) -> Response:
            return await claim_through(request, gate)

        routes.append(Route(SQL_CLAIM_PATH, sql_claim, methods=["POST"], include_in_schema=False))
    # First in the table, like the claim route, so routing costs the same for all three.
    for route in reversed(routes):
        app.router.routes.insert(0, route)
