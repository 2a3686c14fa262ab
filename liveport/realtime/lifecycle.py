"""Start-up hook: the room broker the settings ask for, this process's hub, and the
publisher the flash sales tell their stock news to.

``settings.redis_url`` set → the Redis broker (any number of server processes share each
room), else the in-process one (one server process; ``check_process_model`` refuses more).
Listed in STARTUP_HOOKS before the flash-sale hook, which takes
``ctx.extras["room_publisher"]`` when it builds its stock ticker.
"""
from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from liveport.core.settings import Settings
from liveport.realtime.adapters.flashsale_drops import FlashSaleDrops
from liveport.realtime.adapters.memory_broker import MemoryBroker
from liveport.realtime.audience import AudienceRecorder
from liveport.realtime.domain import RoomRules
from liveport.realtime.ports import Broker
from liveport.realtime.publisher import DropNewsPublisher
from liveport.realtime.room import ROOM_KEY, Room

if TYPE_CHECKING:
    from liveport.context import AppContext

PUBLISHER_KEY = "room_publisher"
REDIS_PREFIX = "lp:room:"
AUDIENCE_EVERY_KEY = "audience_every_s"  # seconds between writes of the room's audience
RULES_KEY = "room_rules"  # tests and tools may put other RoomRules here before start-up

log = logging.getLogger("liveport.realtime")


def build_broker(settings: Settings, prefix: str = REDIS_PREFIX) -> Broker:
    if settings.redis_url:
        from liveport.realtime.adapters.redis_broker import RedisBroker

        return RedisBroker(settings.redis_url, prefix=prefix, timeout_s=settings.outbound_timeout_s)
    return MemoryBroker()


# Young collections every 50,000 allocations instead of 700, and a full one after 100 of
# the middle generation's instead of 10: a full collection of a room process (hundreds of
# thousands of objects) stops the event loop for 100-300 ms, which every viewer sees as a
# late event (measured: ADR 0008).
GC_THRESHOLDS = (50_000, 20, 100)


def tune_gc() -> None:
    """Process-wide: move what start-up made (modules, the app, settings) out of the
    collector's sight, and collect far less often. Room objects make little cyclic garbage;
    what they make is still collected, just later."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def start_room(ctx: AppContext) -> Callable[[], None]:
    """Listed in STARTUP_HOOKS; returns the stop callable."""
    broker = build_broker(ctx.settings, ctx.extras.get("room_redis_prefix", REDIS_PREFIX))
    drops = FlashSaleDrops(ctx.db, ctx.extras)
    room = Room(ctx.db, broker, drops, ctx.extras.get(RULES_KEY) or RoomRules())
    publisher = DropNewsPublisher(room, drops)
    room.hub.audience = audience = AudienceRecorder(ctx.db, ctx.extras.get(AUDIENCE_EVERY_KEY, 5.0))
    ctx.extras[ROOM_KEY], ctx.extras[PUBLISHER_KEY] = room, publisher
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # a CLI command: publishing only, no timers
        loop = None
    if loop is not None:
        room.hub.start()
        publisher.start()
        audience.start()
        if ctx.settings.env != "test":  # a test process starts many apps: never freeze it
            loop.call_soon(tune_gc)  # after every start-up hook has run

    def stop() -> None:
        room.hub.stop()
        publisher.stop()
        audience.stop()
        if loop is not None and not loop.is_closed():
            loop.create_task(broker.aclose())

    return stop
