"""Stock news is coalesced per drop: at most 5 drop.stock a second, drop.sold_out at once."""
from __future__ import annotations

import asyncio

import pytest

from liveport.core.errors import ConfigurationError
from liveport.core.settings import Settings
from liveport.flashsale.broadcast import StockTicker
from liveport.flashsale.lifecycle import build_gate, gate_kind

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Feed:
    def __init__(self) -> None:
        self.events: list[tuple[int, str, dict]] = []

    def publish(self, drop_id: int, event_type: str, data: dict) -> None:
        self.events.append((drop_id, event_type, data))


async def test_a_burst_becomes_one_event_now_and_one_with_the_latest_figure():
    feed = Feed()
    ticker = StockTicker(feed, per_second=20)  # one event per 50 ms
    # when 1000 claims change the stock within a few milliseconds
    for left in range(2000, 1000, -1):
        ticker.changed(7, left)
    # then the room heard the first figure at once and nothing more yet
    assert feed.events == [(7, "drop.stock", {"drop_id": 7, "on_sale": 2000})]
    # and the latest figure once the interval passed
    await asyncio.sleep(0.08)
    assert feed.events[1:] == [(7, "drop.stock", {"drop_id": 7, "on_sale": 1001})]
    await asyncio.sleep(0.08)
    assert len(feed.events) == 2


async def test_sold_out_goes_out_at_once_and_drops_are_independent():
    feed = Feed()
    ticker = StockTicker(feed, per_second=5)
    ticker.changed(1, 3)
    ticker.changed(1, 2)  # waits for its slot
    ticker.changed(2, 9)  # another drop: its own slot
    ticker.changed(1, 0)  # sold out: at once, and the waiting figure is dropped
    ticker.changed(1, 0)
    assert feed.events == [(1, "drop.stock", {"drop_id": 1, "on_sale": 3}),
                           (2, "drop.stock", {"drop_id": 2, "on_sale": 9}),
                           (1, "drop.sold_out", {"drop_id": 1})]
    await asyncio.sleep(0.25)
    assert len(feed.events) == 3
    # and units coming back after a sell-out are news again
    ticker.changed(1, 2)
    await asyncio.sleep(0.25)
    assert feed.events[3:] == [(1, "drop.stock", {"drop_id": 1, "on_sale": 2})]
    ticker.close()


async def test_a_failing_room_never_fails_the_claim():
    class Broken:
        def publish(self, *_args) -> None:
            raise RuntimeError("room down")

    StockTicker(Broken()).changed(1, 5)


def test_the_gate_follows_the_settings(tmp_path):
    assert gate_kind(Settings(data_dir=tmp_path)) == "memory"
    assert gate_kind(Settings(data_dir=tmp_path, redis_url="redis://x:1/0")) == "redis"
    assert gate_kind(Settings(data_dir=tmp_path, redis_url="redis://x:1/0", flashsale_gate="memory")) == "memory"
    with pytest.raises(ConfigurationError) as caught:
        build_gate(Settings(data_dir=tmp_path, flashsale_gate="redis"))
    assert caught.value.code == "redis_required"
    # an in-process gate per worker would sell the same stock twice
    with pytest.raises(ConfigurationError) as caught:
        build_gate(Settings(data_dir=tmp_path, workers=2, redis_url="redis://x:1/0", flashsale_gate="memory"))
    assert caught.value.code == "redis_required"


class _Drop:
    def __init__(self, status: str) -> None:
        from datetime import UTC, datetime
        from decimal import Decimal

        self.id, self.status, self.product_id, self.price, self.currency = 3, status, 11, Decimal("39.00"), "CNY"
        self.quantity, self.per_buyer_limit, self.closes_at = 5, 1, None
        self.sales_start_at = datetime(2030, 5, 1, 12, 0, 10, tzinfo=UTC)


async def test_opening_counting_down_and_closing_are_announced_at_once():
    feed = Feed()
    ticker = StockTicker(feed)
    # when the host starts a countdown, the drop opens, and the host closes it
    ticker.announce(_Drop("countdown"), 5)
    ticker.announce(_Drop("open"), 5)
    ticker.announce(_Drop("closed"), 0)
    ticker.announce(_Drop("scheduled"), 5)  # not on air: nothing to tell
    # then the room heard each, with the drop data of a room snapshot
    assert [(d, kind) for d, kind, _ in feed.events] == [(3, "drop.countdown"), (3, "drop.opened"),
                                                         (3, "drop.closed")]
    assert feed.events[0][2] == {"drop_id": 3, "state": "countdown", "product_id": 11, "price": "39.00",
                                 "currency": "CNY", "quantity": 5, "per_buyer_limit": 1, "on_sale": 5,
                                 "sales_start_at": "2030-05-01T12:00:10.000Z", "closes_at": None}
    assert feed.events[2][2] == {"drop_id": 3}
