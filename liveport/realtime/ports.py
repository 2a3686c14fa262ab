"""What the live room needs from outside: a broker (fan-out between server processes,
shared counters) and the flash sales' drops of a show.

Broker contract (tests/integration/realtime/test_broker_contract.py), for every channel:
- ``publish`` gives the event the channel's next ``seq`` (one more than the last, across
  every server process) and delivers ``frame(seq, body)`` to every subscriber, in seq
  order, exactly once per subscriber while the subscription lasts;
- ``signal`` reaches the subscribers of every process the same way, with seq 0;
- a subscriber's handler runs on the event loop and must not block;
- ``add_likes`` adds to the channel's like total and publishes a ``like.total`` event
  with the new total at most once per ``every_ms`` (a total held back is published by
  the next call from any process, which may add 0); totals published never go down;
- ``report_presence`` records this process's viewer count and publishes the sum over the
  processes heard from within ``stale_ms`` as ``viewers.count``, at most once per
  ``every_ms`` and only when it changed.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

# Called with (channel, seq, frame) for each event, in seq order, on the event loop.
FrameHandler = Callable[[str, int, bytes], None]


@dataclass(frozen=True, slots=True)
class CounterResult:
    total: int
    published_seq: int | None  # the seq of the event just published, if any
    held_back: bool  # changed but not published yet (another one went out too recently)


class Broker(Protocol):
    async def publish(self, channel: str, body: bytes) -> int:
        """Assign the next seq, deliver ``frame(seq, body)`` to every subscriber; the seq."""

    async def subscribe(self, channel: str, handler: FrameHandler) -> None:
        """Deliver the channel's events from now on; returns once the subscription is live
        (no event published after the return can be missed)."""

    async def unsubscribe(self, channel: str) -> None: ...

    async def signal(self, channel: str, payload: bytes) -> None:
        """A message between server processes, outside the sequence: subscribers' handlers
        get it with seq 0 and ``b"!" + payload``; it is never forwarded to viewers."""

    async def current_seq(self, channel: str) -> int:
        """The seq of the last event published on the channel (0 before the first)."""

    async def add_likes(self, channel: str, taps: int, every_ms: int, parts: tuple[bytes, bytes]) -> CounterResult:
        """Add ``taps`` (≥ 0) to the like total; ``parts`` are the event body before and
        after the number (``domain.counter_body_parts``)."""

    async def like_total(self, channel: str) -> int: ...

    async def report_presence(self, channel: str, process_id: str, count: int, stale_ms: int,
                              every_ms: int, parts: tuple[bytes, bytes]) -> CounterResult: ...

    async def viewer_count(self, channel: str, stale_ms: int) -> int: ...

    async def allow(self, key: str, limit: int, window_s: int) -> int:
        """A fixed-window counter shared by every process: 0 when this hit is within
        ``limit``, else the whole seconds until the window ends."""

    async def aclose(self) -> None: ...


class DropSource(Protocol):
    """The flash sales as the room sees them (an adapter over liveport.flashsale)."""

    async def show_of(self, drop_id: int) -> int | None:
        """The show a drop belongs to (None for an unknown drop)."""

    async def live_drops(self, show_id: int) -> list[dict[str, Any]]:
        """The show's drops in countdown or open, as ``drop.*`` event data:
        ``{"drop_id", "state", "product_id", "price", "on_sale", "quantity", "sales_start_at"}``."""
