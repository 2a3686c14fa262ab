"""``GET /metrics``: the Prometheus scrape, for operators (a Prometheus job sends an operator's
API token: ``authorization: {type: Bearer, credentials_file: …}``). Counters and histograms
are this server process's own; the gauges of orders, payments and declarations come from the
database, so every worker answers the same."""
from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends
from fastapi.responses import PlainTextResponse

from liveport.accounts.domain import Principal
from liveport.accounts.guards import get_context, operator_only
from liveport.context import AppContext
from liveport.metrics.domain import GaugeFamily, exposition
from liveport.metrics.instruments import process_instruments
from liveport.metrics.services import state_gauges
from liveport.realtime.room import ROOM_KEY

router = APIRouter(tags=["metrics"])
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _room_gauges(ctx: AppContext) -> list[GaugeFamily]:
    room = ctx.extras.get(ROOM_KEY)
    stats = room.hub.stats() if room is not None else {"connections": 0, "channels": 0}
    return [
        GaugeFamily("liveport_websocket_connections", "Open live-room WebSocket connections in this process.",
                    (), {(): float(stats["connections"])}),
        GaugeFamily("liveport_live_rooms", "Live rooms with a channel open in this process.", (),
                    {(): float(stats["channels"])}),
    ]


# Outside /api and its schema: a scrape target in Prometheus' text format, not part of the JSON API.
@router.get("/metrics", response_class=PlainTextResponse, include_in_schema=False)
async def metrics(_: Principal = Depends(operator_only), ctx: AppContext = Depends(get_context)) -> PlainTextResponse:
    gauges = await asyncio.to_thread(state_gauges, ctx.db)
    body = exposition([*process_instruments(), *_room_gauges(ctx), *gauges])
    return PlainTextResponse(body, media_type=CONTENT_TYPE)
