"""Released → packed → shipped → delivered, live: Liveport and its sandboxes over real HTTP,
the carrier's clock running ten hours a second, so a day of logistics passes in seconds."""
from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select

from liveport.accounts.domain import Role
from liveport.core.errors import UpstreamError
from liveport.fulfilment.adapters.http_carrier import HttpParcelCarrier
from liveport.orders.models import Order, OrderEvent
from tests.integration.orders.orders_support import stock_of
from tests.support.test_night import (
    Live,
    bearer,
    buy_and_pay,
    live_liveport,
    night_product,
    night_shop,
    real_name_buyers,
    wait_for_status,
)

FAST = {"LIVEPORT_SANDBOX_CUSTOMS_STEP_DELAY_S": "0.05", "LIVEPORT_SANDBOX_CUSTOMS_MATCH_WAIT_S": "20"}
TEN_HOURS_A_SECOND = 36_000.0
DOOR = ["pending_payment", "paid", "declared", "released", "shipped", "delivered"]


def _live(settings, shared_dir, monkeypatch, **changes) -> Iterator[Live]:
    for name, value in FAST.items():
        monkeypatch.setenv(name, value)
    with live_liveport(settings, outbox_dispatcher=True, outbox_poll_s=0.05, customs_interval_s=0.1,
                       customs_retry_base_s=0.2, customs_xsd_dir=shared_dir / "standards" / "customs-2022",
                       sandbox_clock_speed=TEN_HOURS_A_SECOND, fulfilment_interval_s=0.1, **changes) as running:
        yield running


@pytest.fixture
def live(settings, shared_dir, monkeypatch) -> Iterator[Live]:
    yield from _live(settings, shared_dir, monkeypatch)


@pytest.fixture
def auto_packing(settings, shared_dir, monkeypatch) -> Iterator[Live]:
    yield from _live(settings, shared_dir, monkeypatch, fulfilment_auto_pack=True)


def _trail(live: Live, order_no: str) -> list[tuple[str, str, datetime]]:
    with live.ctx.db.reader() as session:
        return [(e.status, e.reason, e.at) for e in session.execute(
            select(OrderEvent).join(Order, Order.id == OrderEvent.order_id).where(Order.order_no == order_no)
            .order_by(OrderEvent.id)).scalars()]


def _buyer(live: Live):
    (buyer,) = real_name_buyers(live, 1)
    return buyer


def test_a_packed_order_is_shipped_and_delivered_on_the_carriers_clock(live):
    candy, bonded = night_shop(live, 20)
    order_no = buy_and_pay(live, candy, _buyer(live), 2)
    assert wait_for_status(live, [order_no], "released", timeout_s=60) == 1, _trail(live, order_no)
    _, merchant = bearer(live, Role.MERCHANT, exhibitor_id=live.place.candy_maker)
    with httpx.Client(base_url=live.url, headers=merchant, timeout=30) as http:
        listed = http.get(f"/api/v1/warehouses/{bonded}/pick-list").json()["orders"]
        assert [o["order_no"] for o in listed] == [order_no]

        started = time.monotonic()
        packed = http.post(f"/api/v1/orders/{order_no}/pack", json={"weight_kg": "1.050"})

    assert packed.status_code == 201, packed.text
    assert packed.json()["handed_over_at"] is not None
    assert stock_of(live.ctx.db, candy, bonded) == (18, 0)
    assert wait_for_status(live, [order_no], "delivered", timeout_s=30) == 1, _trail(live, order_no)
    assert time.monotonic() - started < 30
    trail = _trail(live, order_no)
    assert [status for status, _, _ in trail] == DOOR
    assert trail[4][1].startswith("picked_up: ") and trail[5][1].startswith("delivered: ")
    assert [at for _, _, at in trail] == sorted(at for _, _, at in trail)
    # 21 carrier hours from pick-up to the door at ten hours a second (times in whole seconds)
    assert 1 <= (trail[5][2] - trail[4][2]).total_seconds() <= 3.5
    carrier = HttpParcelCarrier.from_settings(live.settings)
    events = carrier.events(packed.json()["logistics_no"])
    assert [e.event for e in events] == ["accepted", "picked_up", "in_transit", "out_for_delivery", "delivered"]
    # a handover again answers the first one
    first = datetime.fromisoformat(packed.json()["handed_over_at"])
    assert carrier.hand_over(packed.json()["logistics_no"], Decimal("9")) == first


def test_the_carrier_refuses_a_handover_of_an_unknown_waybill(live):
    night_shop(live, 1)  # the sandbox's key files exist once Liveport has started
    with pytest.raises(UpstreamError):
        HttpParcelCarrier.from_settings(live.settings).hand_over("SX9999999999999", 1)
    with pytest.raises(UpstreamError):
        HttpParcelCarrier.from_settings(live.settings).events("SX9999999999999")


def test_with_auto_packing_bonded_and_direct_mail_orders_reach_the_door_without_manual_steps(auto_packing):
    live = auto_packing
    candy, _ = night_shop(live, 20)
    flown = night_product(live, "RU-AIR-500", overseas=True)
    orders = [buy_and_pay(live, candy, _buyer(live), 1), buy_and_pay(live, flown, _buyer(live), 1)]

    assert wait_for_status(live, orders, "delivered", timeout_s=90) == 2, [_trail(live, o) for o in orders]
    for order_no in orders:
        assert [status for status, _, _ in _trail(live, order_no)] == DOOR
