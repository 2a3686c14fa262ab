"""A return end to end against the mounted sandboxes over real HTTP: paid, declared and
released by the single window; delivered (set in the database: the return does not depend
on how the parcel got there); returned with CEB625, accepted with 626 ``120``; goods
received; refunded in full and the ledger reversed exactly."""
from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select, update

from liveport.accounts.domain import Role
from liveport.buyers.quota import quota_usage
from liveport.core.clock import china_year, utcnow
from liveport.customs.models import Declaration
from liveport.orders.models import Order
from liveport.payments.ledger import journals_of_order, unbalanced_journals
from liveport.payments.models import Payment
from tests.support.test_night import (
    Live,
    bearer,
    buy_and_pay,
    live_liveport,
    night_shop,
    real_name_buyers,
    wait_for_status,
)

FAST = {"LIVEPORT_SANDBOX_CUSTOMS_STEP_DELAY_S": "0.05", "LIVEPORT_SANDBOX_CUSTOMS_MATCH_WAIT_S": "20"}


@pytest.fixture
def live(settings, shared_dir, monkeypatch) -> Iterator[Live]:
    for name, value in FAST.items():
        monkeypatch.setenv(name, value)
    with live_liveport(settings, outbox_dispatcher=True, outbox_poll_s=0.05, customs_interval_s=0.1,
                       customs_retry_base_s=0.2, customs_xsd_dir=shared_dir / "standards" / "customs-2022") as running:
        yield running


def _order(live: Live, order_no: str) -> Order:
    with live.ctx.db.reader() as session:
        return session.execute(select(Order).where(Order.order_no == order_no)).scalar_one()


def _wait(check, timeout_s: float = 30):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not (found := check()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def _return_declaration(live: Live, order_id: int) -> Declaration | None:
    with live.ctx.db.reader() as session:
        row = session.execute(select(Declaration).where(
            Declaration.order_id == order_id, Declaration.kind == "625")).scalar_one_or_none()
    return row if row is not None and row.status in ("accepted", "rejected", "failed") else None


def _payment(live: Live, order_id: int) -> Payment | None:
    with live.ctx.db.reader() as session:
        row = session.execute(select(Payment).where(Payment.order_id == order_id, Payment.status != "pending")
                              ).scalars().first()
    return row if row is not None and row.status == "refunded" else None


def test_a_released_order_is_returned_with_ceb625_and_refunded_in_full(live):
    candy, _ = night_shop(live, 50)
    (buyer,) = real_name_buyers(live, 1)
    made = httpx.post(f"{live.url}/api/v1/me/consignees", headers=buyer.headers, timeout=10, json={
        "name": "李雷", "phone": "13900001111", "address": "上海市青浦区崧泽大道 333 号", "district_code": "310118"})
    buyer.consignee_id = made.json()["id"]
    order_no = buy_and_pay(live, candy, buyer, 2)
    assert wait_for_status(live, [order_no], "released", timeout_s=60) == 1
    order = _order(live, order_no)
    with live.ctx.db.transaction() as session:  # whatever fulfilment did meanwhile, it is at the door now
        session.execute(update(Order).where(Order.id == order.id, Order.status.in_(["released", "shipped"]))
                        .values(status="delivered"))
    assert _order(live, order_no).status == "delivered"

    asked = httpx.post(f"{live.url}/api/v1/orders/{order_no}/return", headers=buyer.headers, timeout=10,
                       json={"reason": "不喜欢 not to my taste"})
    assert asked.status_code == 202, asked.text
    filed = _wait(lambda: _return_declaration(live, order.id))
    assert filed is not None and (filed.status, filed.return_status) == ("accepted", "120"), filed and filed.return_info
    _, operator = bearer(live, Role.OPERATOR)
    received = httpx.post(f"{live.url}/api/v1/orders/{order_no}/return/received", headers=operator, timeout=10)

    assert received.status_code == 200, received.text
    assert _order(live, order_no).status == "returned"
    paid = _wait(lambda: _payment(live, order.id))
    assert paid is not None and paid.refunded == paid.amount == order.actural_paid
    with live.ctx.db.reader() as session:
        usage = quota_usage(session, order.id_hash, china_year(utcnow()))
        assert (usage.used, usage.held) == (Decimal("0.00"), Decimal("0.00"))
        assert unbalanced_journals(session) == []
        net: dict[str, Decimal] = {}
        for journal in journals_of_order(session, order.id):
            for account, amount in journal.postings:
                net[account] = net.get(account, Decimal(0)) + amount
    assert any(a.startswith("exhibitor:") for a in net) and any(a.startswith("provider:") for a in net)
    assert {account: total for account, total in net.items() if total != 0} == {}
