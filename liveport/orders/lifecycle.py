"""Background work of the orders domain: unpaid orders expire and give their holds back."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from liveport.catalog.reference import current_positive_list
from liveport.context import AppContext
from liveport.core.clock import utcnow
from liveport.orders import services

log = logging.getLogger("liveport.orders")


async def expire_due_orders(ctx: AppContext) -> int:
    now = utcnow()
    plist = current_positive_list(ctx.settings)
    expired = 0
    for order_id in await asyncio.to_thread(services.due_for_expiry, ctx.db, now):
        if await asyncio.to_thread(services.expire_order, ctx.db, plist, order_id, now):
            expired += 1
    return expired


def start_orders(ctx: AppContext) -> Callable[[], None] | None:
    """Listed in STARTUP_HOOKS; returns the stop callable."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # a CLI command: nothing runs in the background
        return None

    async def every() -> None:
        while True:
            try:
                await expire_due_orders(ctx)
            except asyncio.CancelledError:
                raise
            except Exception:  # the next round tries again
                log.exception("order expiry failed")
            await asyncio.sleep(ctx.settings.order_expiry_interval_s)

    task = loop.create_task(every())
    return task.cancel
