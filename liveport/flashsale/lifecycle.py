"""Start-up hook: build the gate the settings ask for and run its background work.

``settings.redis_url`` set → the Redis gate (any number of workers), else the in-process gate
with its journal in the data dir; ``settings.flashsale_gate`` forces one. In the background:
rebuild a Redis gate from the database when Redis lost it, expire unpaid reservations (and
give a closed drop's lapsed units back to the warehouse), close drops past their closing
time, and copy the gate's change feed into the database.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from liveport.core.clock import utcnow
from liveport.core.errors import ConfigurationError
from liveport.core.settings import Settings
from liveport.flashsale import services
from liveport.flashsale.broadcast import LoggingPublisher, StockTicker
from liveport.flashsale.ports import FlashSaleGate, RoomPublisher
from liveport.flashsale.recovery import ensure_ready, reconcile_all

if TYPE_CHECKING:
    from liveport.context import AppContext

GATE_KEY = "flashsale_gate"
TICKER_KEY = "flashsale_ticker"
# Another domain (liveport.realtime) may put its publisher here before this hook runs.
PUBLISHER_KEY = "room_publisher"
JOURNAL_FILE = "flashsale-journal.sqlite3"

log = logging.getLogger("liveport.flashsale")


def gate_kind(settings: Settings) -> str:
    if settings.flashsale_gate != "auto":
        return settings.flashsale_gate
    return "redis" if settings.redis_url else "memory"


def build_gate(settings: Settings) -> FlashSaleGate:
    kind = gate_kind(settings)
    if kind == "redis":
        if not settings.redis_url:
            raise ConfigurationError("LIVEPORT_FLASHSALE_GATE=redis needs LIVEPORT_REDIS_URL.",
                                     code="redis_required")
        from liveport.flashsale.adapters.redis_gate import RedisGate

        return RedisGate(settings.redis_url, prefix=settings.flashsale_redis_prefix,
                         timeout_s=settings.outbound_timeout_s)
    if settings.workers > 1:
        raise ConfigurationError(
            "The in-process flash-sale gate serves one worker process; with more, each would "
            "sell the same stock. Use the Redis gate (LIVEPORT_REDIS_URL).", code="redis_required")
    from liveport.flashsale.adapters.memory_gate import MemoryGate

    return MemoryGate(settings.data_dir / JOURNAL_FILE, synchronous=settings.flashsale_journal_sync,
                      commit_every_s=settings.flashsale_journal_interval_ms / 1000)


async def _every(seconds: float, step: Callable[[], Awaitable[object]], what: str) -> None:
    while True:
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except Exception:  # keep the loop alive; the next round tries again
            log.exception("flash-sale %s failed", what)
        await asyncio.sleep(seconds)


def start_gate(ctx: AppContext) -> Callable[[], None]:
    """Listed in STARTUP_HOOKS; returns the stop callable."""
    settings, db = ctx.settings, ctx.db
    gate = build_gate(settings)
    publisher: RoomPublisher = ctx.extras.get(PUBLISHER_KEY) or LoggingPublisher()
    ticker = StockTicker(publisher)
    ctx.extras[GATE_KEY], ctx.extras[TICKER_KEY] = gate, ticker

    async def housekeeping() -> None:
        await ensure_ready(db, gate)
        now = utcnow()
        released = await services.expire_reservations(db, gate, now)
        for drop_id in sorted({r.drop_id for r in released}):
            status = await gate.status(drop_id)
            if status is not None:
                ticker.changed(drop_id, status.counts.on_sale)  # units back on sale
        await services.close_due_drops(db, gate, now)

    async def reconcile() -> None:
        await reconcile_all(db, gate)

    tasks: list[asyncio.Task[None]] = []
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # a CLI command: the gate without background work
        loop = None
    if loop is not None:
        tasks.append(loop.create_task(_every(settings.flashsale_expiry_interval_s, housekeeping, "housekeeping")))
        copy_every = (settings.flashsale_reconcile_interval_s if gate_kind(settings) == "redis"
                      else settings.flashsale_journal_copy_interval_s)
        tasks.append(loop.create_task(_every(copy_every, reconcile, "reconcile")))

    def stop() -> None:
        for task in tasks:
            task.cancel()
        ticker.close()
        shutdown = getattr(gate, "shutdown", None)
        if callable(shutdown):
            shutdown()  # the in-process gate: flush and close the journal before exit

    return stop
