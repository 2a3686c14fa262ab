"""Drop news into the room: the flash sales' ``RoomPublisher`` (liveport.flashsale.ports).

The gate calls ``publish`` on the event loop right after it answered, and must not wait:
the news goes into a bounded queue that one task empties in order, finding each drop's
show (cached: a drop never changes show) and publishing to that show's room. A full queue
drops the newest news with a warning; stock figures are hints, and the next one repairs.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from liveport.realtime.domain import DROP_EVENTS
from liveport.realtime.ports import DropSource
from liveport.realtime.room import Room

log = logging.getLogger("liveport.realtime.publisher")


class DropNewsPublisher:
    def __init__(self, room: Room, drops: DropSource, max_waiting: int = 10_000) -> None:
        self._room = room
        self._drops = drops
        self._queue: asyncio.Queue[tuple[int, str, dict[str, Any]]] = asyncio.Queue(max_waiting)
        self._task: asyncio.Task[None] | None = None

    def publish(self, drop_id: int, event_type: str, data: dict[str, Any]) -> None:
        if event_type not in DROP_EVENTS:
            log.warning("not a drop event for the room: %s", event_type)
            return
        try:
            self._queue.put_nowait((drop_id, event_type, data))
        except asyncio.QueueFull:
            log.warning("room news queue full; %s for drop %s dropped", event_type, drop_id)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def drain(self) -> None:
        """Wait until everything queued so far went out (for tests and shutdown)."""
        await self._queue.join()

    async def _run(self) -> None:
        while True:
            drop_id, event_type, data = await self._queue.get()
            try:
                show_id = await self._drops.show_of(drop_id)
                if show_id is None:
                    log.warning("%s for unknown drop %s dropped", event_type, drop_id)
                else:
                    await self._room.publish(show_id, event_type, {**data, "drop_id": drop_id})
            except asyncio.CancelledError:
                raise
            except Exception:  # the room is a hint: one failure must not stop the news
                log.exception("could not publish %s for drop %s", event_type, drop_id)
            finally:
                self._queue.task_done()
