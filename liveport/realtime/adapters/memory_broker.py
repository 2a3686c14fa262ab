"""The in-process broker: the embedded default (one server process, DESIGN.md §5).

Events are handed to subscribers through ``loop.call_soon`` in publish order, so a
publisher never waits for a fan-out and every subscriber sees seq order.
"""
from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable

from liveport.realtime.domain import frame
from liveport.realtime.ports import CounterResult, FrameHandler


class _Counter:
    __slots__ = ("last_at", "published", "total")

    def __init__(self) -> None:
        self.total = 0
        self.published = -1
        self.last_at = float("-inf")


class MemoryBroker:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._seq: dict[str, int] = {}
        self._handlers: dict[str, FrameHandler] = {}
        self._likes: dict[str, _Counter] = {}
        self._viewers: dict[str, _Counter] = {}
        self._presence: dict[str, dict[str, tuple[int, float]]] = {}
        self._windows: dict[str, tuple[int, int]] = {}

    def _emit(self, channel: str, body: bytes) -> int:
        seq = self._seq.get(channel, 0) + 1
        self._seq[channel] = seq
        handler = self._handlers.get(channel)
        if handler is not None:
            asyncio.get_running_loop().call_soon(handler, channel, seq, frame(seq, body))
        return seq

    async def publish(self, channel: str, body: bytes) -> int:
        return self._emit(channel, body)

    async def subscribe(self, channel: str, handler: FrameHandler) -> None:
        self._handlers[channel] = handler

    async def unsubscribe(self, channel: str) -> None:
        self._handlers.pop(channel, None)

    async def signal(self, channel: str, payload: bytes) -> None:
        handler = self._handlers.get(channel)
        if handler is not None:
            asyncio.get_running_loop().call_soon(handler, channel, 0, b"!" + payload)

    async def current_seq(self, channel: str) -> int:
        return self._seq.get(channel, 0)

    def _publish_counter(self, channel: str, counter: _Counter, every_ms: int,
                         parts: tuple[bytes, bytes]) -> CounterResult:
        if counter.total == counter.published:
            return CounterResult(counter.total, None, False)
        now = self._clock()
        if (now - counter.last_at) * 1000 < every_ms:
            return CounterResult(counter.total, None, True)
        counter.last_at, counter.published = now, counter.total
        seq = self._emit(channel, parts[0] + str(counter.total).encode() + parts[1])
        return CounterResult(counter.total, seq, False)

    async def add_likes(self, channel: str, taps: int, every_ms: int,
                        parts: tuple[bytes, bytes]) -> CounterResult:
        counter = self._likes.setdefault(channel, _Counter())
        counter.total += max(0, taps)
        return self._publish_counter(channel, counter, every_ms, parts)

    async def like_total(self, channel: str) -> int:
        counter = self._likes.get(channel)
        return counter.total if counter else 0

    def _sum(self, channel: str, stale_ms: int) -> int:
        now = self._clock()
        seen = self._presence.get(channel, {})
        for process in [p for p, (_, at) in seen.items() if (now - at) * 1000 > stale_ms]:
            del seen[process]
        return sum(count for count, _ in seen.values())

    async def report_presence(self, channel: str, process_id: str, count: int, stale_ms: int,
                              every_ms: int, parts: tuple[bytes, bytes]) -> CounterResult:
        self._presence.setdefault(channel, {})[process_id] = (count, self._clock())
        counter = self._viewers.setdefault(channel, _Counter())
        counter.total = self._sum(channel, stale_ms)
        return self._publish_counter(channel, counter, every_ms, parts)

    async def viewer_count(self, channel: str, stale_ms: int) -> int:
        return self._sum(channel, stale_ms)

    async def allow(self, key: str, limit: int, window_s: int) -> int:
        now = time.time()
        window = int(now // window_s)
        start, count = self._windows.get(key, (window, 0))
        count = count + 1 if start == window else 1
        self._windows[key] = (window, count)
        if len(self._windows) > 100_000:  # forget finished windows now and then
            self._windows = {k: v for k, v in self._windows.items() if v[0] == window}
        return 0 if count <= limit else max(1, math.ceil((window + 1) * window_s - now))

    async def aclose(self) -> None:
        self._handlers.clear()
