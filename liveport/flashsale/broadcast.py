"""Stock news for the live room, coalesced: a burst of 20,000 claims a second becomes at most
``per_second`` ``drop.stock`` events per drop, and ``drop.sold_out`` goes out at once
(DESIGN.md §4). Runs on the event loop that serves claims, straight after the gate answered,
without the SQL outbox: the figure is a hint for viewers, the gate stays the authority.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from liveport.core.clock import iso_z
from liveport.flashsale.ports import RoomPublisher

log = logging.getLogger("liveport.flashsale.broadcast")


class _DropNews:
    __slots__ = ("last_at", "pending", "sent", "timer")

    def __init__(self) -> None:
        self.last_at = float("-inf")
        self.sent: int | None = None  # the last figure the room was told
        self.pending: int | None = None  # a newer figure waiting for its slot
        self.timer: asyncio.TimerHandle | None = None


class StockTicker:
    def __init__(self, publisher: RoomPublisher, *, per_second: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._publisher = publisher
        self._interval = 1.0 / per_second
        self._clock = clock
        self._drops: dict[int, _DropNews] = {}

    def changed(self, drop_id: int, on_sale: int) -> None:
        news = self._drops.get(drop_id)
        if news is None:
            news = self._drops[drop_id] = _DropNews()
        if on_sale == 0:
            self._cancel(news)
            if news.sent != 0:
                self._send(drop_id, news, 0)
            return
        now = self._clock()
        if now - news.last_at >= self._interval and news.timer is None:
            if news.sent != on_sale:
                self._send(drop_id, news, on_sale)
            return
        news.pending = on_sale
        if news.timer is None:
            delay = max(0.0, news.last_at + self._interval - now)
            news.timer = asyncio.get_running_loop().call_later(delay, self._flush, drop_id)

    def _flush(self, drop_id: int) -> None:
        news = self._drops[drop_id]
        news.timer = None
        pending, news.pending = news.pending, None
        if pending is not None and pending != news.sent:
            self._send(drop_id, news, pending)

    def _send(self, drop_id: int, news: _DropNews, on_sale: int) -> None:
        news.last_at, news.sent = self._clock(), on_sale
        event: tuple[str, dict[str, Any]] = (
            ("drop.sold_out", {"drop_id": drop_id}) if on_sale == 0
            else ("drop.stock", {"drop_id": drop_id, "on_sale": on_sale}))
        try:
            self._publisher.publish(drop_id, *event)
        except Exception:  # the room is a hint; a failing room never fails a claim
            log.exception("could not publish %s for drop %s", event[0], drop_id)

    @staticmethod
    def _cancel(news: _DropNews) -> None:
        if news.timer is not None:
            news.timer.cancel()
            news.timer = None
        news.pending = None

    def announce(self, drop: Any, on_sale: int | None) -> None:
        """The host opened (or started the countdown of) or closed a drop: viewers already in
        the room hear it at once, in the shape of the room snapshot's drop data (DESIGN.md §7).
        A hint like the stock figures: a late joiner's snapshot reads the drops table."""
        if drop.status == "closed":
            event: tuple[str, dict[str, Any]] = ("drop.closed", {"drop_id": drop.id})
        elif drop.status in ("countdown", "open"):
            event = (f"drop.{'opened' if drop.status == 'open' else 'countdown'}", {
                "drop_id": drop.id, "state": drop.status, "product_id": drop.product_id,
                "price": str(drop.price), "currency": drop.currency, "quantity": drop.quantity,
                "per_buyer_limit": drop.per_buyer_limit, "on_sale": on_sale,
                "sales_start_at": iso_z(drop.sales_start_at) if drop.sales_start_at else None,
                "closes_at": iso_z(drop.closes_at) if drop.closes_at else None})
        else:
            return
        try:
            self._publisher.publish(drop.id, *event)
        except Exception:  # the room is a hint; a failing room never fails the host's action
            log.exception("could not publish %s for drop %s", event[0], drop.id)

    def close(self) -> None:
        for news in self._drops.values():
            self._cancel(news)


class LoggingPublisher:
    """Until the real-time plane is wired in: stock news goes to the debug log."""

    def publish(self, drop_id: int, event_type: str, data: dict[str, Any]) -> None:
        log.debug("%s %s", event_type, data)
