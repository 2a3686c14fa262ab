"""The room's audience, persisted for analytics (``liveport.analytics.models``).

The hub notes, in memory, who joined signed in as a buyer and each open show's viewer count
as the broker summed it; every ``every_s`` seconds this recorder writes what it noted in
one unit of work, off the event loop. A sample is the count at the write, not per message:
a room of 60,000 viewers costs one row per show every few seconds.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from liveport.accounts.domain import Principal, Role
from liveport.analytics import services as analytics
from liveport.analytics.domain import PresenceSample
from liveport.core.clock import utcnow
from liveport.core.db import Database

log = logging.getLogger("liveport.realtime")
MAX_REMEMBERED = 200_000  # (show, viewer) pairs already written, per process


def viewer_key(principal: Principal) -> str:
    """The same key the flash-sale gate and orders use for a person (the identity's keyed
    hash) when verified, so the funnel counts one person once at every step."""
    return principal.identity_hash or f"user:{principal.user_id}"


class AudienceRecorder:
    def __init__(self, db: Database, every_s: float = 5.0) -> None:
        self.db = db
        self.every_s = every_s
        self._joined: list[tuple[int, str, datetime]] = []
        self._seen: set[tuple[int, str]] = set()
        self._counts: dict[int, int] = {}
        self._task: asyncio.Task[None] | None = None

    def joined(self, show_id: int, principal: Principal | None) -> None:
        if principal is None or principal.role is not Role.BUYER:
            return
        pair = (show_id, viewer_key(principal))
        if pair not in self._seen:
            self._seen.add(pair)
            self._joined.append((*pair, utcnow()))

    def counted(self, show_id: int, viewers: int) -> None:
        self._counts[show_id] = viewers

    def forget(self, show_id: int) -> None:
        self._counts.pop(show_id, None)

    async def flush(self) -> None:
        now = utcnow()
        samples = [PresenceSample(show_id, now, count) for show_id, count in self._counts.items()]
        joined, self._joined = self._joined, []
        if not samples and not joined:
            return
        try:
            await asyncio.to_thread(analytics.record_audience, self.db, samples, joined)
        except Exception:
            self._joined = joined + self._joined  # written with the next flush
            raise
        if len(self._seen) > MAX_REMEMBERED:  # the insert ignores repeats anyway
            self._seen.clear()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.every_s)
            try:
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("could not record the room's audience")

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
