"""Start-up hook of fulfilment: a loop that packs released orders when auto-packing is on
(demo and test nights), hands packed parcels to the carrier, and follows their tracking
(every ``fulfilment_interval_s``)."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from liveport.context import AppContext
from liveport.core.clock import utcnow
from liveport.fulfilment import services
from liveport.fulfilment.adapters.http_carrier import HttpParcelCarrier
from liveport.fulfilment.ports import ParcelCarrier

log = logging.getLogger("liveport.fulfilment")
CARRIER_KEY = "fulfilment.carrier"


def carrier_of(ctx: AppContext) -> ParcelCarrier:
    made = ctx.extras.get(CARRIER_KEY)
    if made is None:
        made = ctx.extras[CARRIER_KEY] = HttpParcelCarrier.from_settings(ctx.settings)
    return made


def hand_over(ctx: AppContext, parcel_id: int, logistics_no: str, weight_kg: Decimal) -> datetime:
    at = carrier_of(ctx).hand_over(logistics_no, weight_kg)
    services.record_handover(ctx.db, parcel_id, at)
    return at


def one_round(ctx: AppContext) -> int:
    """Packs (if on), hands over and follows every open parcel once; how many orders moved.
    One parcel's failure (the carrier down, a bad answer) leaves the others going."""
    if ctx.settings.fulfilment_auto_pack:
        for order_no in services.due_for_auto_pack(ctx.db):
            try:
                services.pack(ctx.db, None, order_no, None, utcnow())
            except Exception:
                log.exception("auto-packing order %s failed", order_no)
    moved = 0
    carrier = carrier_of(ctx)
    for parcel in services.open_parcels(ctx.db):
        try:
            if not parcel.handed_over:
                hand_over(ctx, parcel.parcel_id, parcel.logistics_no, parcel.weight_kg)
            moved += len(services.follow(ctx.db, parcel.order_id, carrier.events(parcel.logistics_no)))
        except Exception:
            log.exception("tracking parcel %s failed; next round tries again", parcel.logistics_no)
    return moved


def start_fulfilment(ctx: AppContext) -> Callable[[], None] | None:
    """Listed in STARTUP_HOOKS."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # a CLI command: no background work
        return None

    async def every() -> None:
        while True:
            try:
                await asyncio.to_thread(one_round, ctx)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("fulfilment round failed")
            await asyncio.sleep(ctx.settings.fulfilment_interval_s)

    task = loop.create_task(every())
    return task.cancel
