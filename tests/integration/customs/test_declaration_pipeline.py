"""The declaration pipeline against the mounted sandboxes (single window, carrier, e-CNY
operator), all over real HTTP: a paid order is declared and released without manual steps;
broken document sets are rejected with a reason that reaches the order, and refunded."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select

from liveport.accounts.domain import Role
from liveport.buyers.quota import quota_usage
from liveport.customs import domain
from liveport.customs.adapters.http_carrier import HttpCarrier
from liveport.customs.lifecycle import gateway_of
from liveport.customs.models import Declaration
from liveport.orders.models import Order, OrderEvent
from liveport.payments.models import Payment
from liveport.protocols import customs as ceb
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


@pytest.fixture
def live(settings, shared_dir, monkeypatch) -> Iterator[Live]:
    for name, value in FAST.items():
        monkeypatch.setenv(name, value)
    with live_liveport(settings, outbox_dispatcher=True, outbox_poll_s=0.05, customs_interval_s=0.1,
                       customs_retry_base_s=0.2, customs_xsd_dir=shared_dir / "standards" / "customs-2022") as running:
        yield running


def _buyer(live: Live):
    (buyer,) = real_name_buyers(live, 1)
    made = httpx.post(f"{live.url}/api/v1/me/consignees", headers=buyer.headers, timeout=10, json={
        "name": "李雷", "phone": "13900001111", "address": "上海市青浦区崧泽大道 333 号", "district_code": "310118"})
    buyer.consignee_id = made.json()["id"]
    return buyer


def _order(live: Live, order_no: str) -> Order:
    with live.ctx.db.reader() as session:
        return session.execute(select(Order).where(Order.order_no == order_no)).scalar_one()


def _trail(live: Live, order_no: str) -> list[tuple[str, str]]:
    with live.ctx.db.reader() as session:
        return [(e.status, e.reason) for e in session.execute(
            select(OrderEvent).join(Order, Order.id == OrderEvent.order_id).where(Order.order_no == order_no)
            .order_by(OrderEvent.id)).scalars()]


def test_a_paid_order_is_declared_released_and_exported(live, tmp_path):
    candy, _ = night_shop(live, 50)
    order_no = buy_and_pay(live, candy, _buyer(live), 2)
    assert wait_for_status(live, [order_no], "released", timeout_s=60) == 1, _trail(live, order_no)
    assert [s for s, _ in _trail(live, order_no)] == ["pending_payment", "paid", "declared", "released"]
    with live.ctx.db.reader() as session:
        kinds = {d.kind: d.status for d in session.execute(select(Declaration).where(
            Declaration.order_id == _order(live, order_no).id)).scalars()}
    # 412 and 512 go to the payment company and the carrier, who sent 411 and 511
    assert kinds == {"411": "sent", "511": "sent", "311": "accepted", "621": "released"}
    # the operator exports what the single window holds
    out = tmp_path / "export"
    done = subprocess.run([sys.executable, "-m", "liveport.cli", "customs", "export", "--order", order_no,
                           "--dir", str(out), "--data-dir", str(live.settings.data_dir)],
                          capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "LIVEPORT_PUBLIC_URL": live.url,
                               "LIVEPORT_DATABASE_URL": live.settings.database_url or ""})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["missing"] == []
    order = ceb.from_bytes((out / "CEB311Message.xml").read_bytes()).orders[0]
    payment = ceb.from_bytes((out / "CEB411Message.xml").read_bytes()).payments[0]
    waybill = ceb.from_bytes((out / "CEB511Message.xml").read_bytes()).logistics[0]
    listed = ceb.from_bytes((out / "CEB621Message.xml").read_bytes()).inventories[0]
    head = order.head
    # the three-document match, read back from what customs holds
    assert head.actural_paid == head.goods_value + head.freight + head.tax_total - head.discount == payment.amount_paid
    assert (head.consignee, head.consignee_telephone, head.consignee_address) == (
        waybill.consignee, waybill.consignee_telephone, waybill.consignee_address)
    assert [(l.gnum, l.item_name) for l in order.lines] == [(l.gnum, l.gname) for l in listed.lines]
    assert (head.buyer_name, head.buyer_id_number) == (payment.payer_name, payment.payer_id_number)
    assert (listed.head.logistics_no, listed.head.order_no) == (waybill.logistics_no, order_no)
    # the buyer's ID number travelled whole in the messages, but nothing of ours keeps it in clear
    assert head.buyer_id_number and head.buyer_id_number not in _database_text(live)


def _database_text(live: Live) -> str:
    from liveport.schema import metadata

    with live.ctx.db.reader() as session:
        return "\n".join(str(row) for table in metadata().sorted_tables
                         for row in session.execute(table.select()).all())


def test_a_direct_mail_order_is_declared_with_its_flight_and_released(live):
    night_shop(live, 10)
    flown = night_product(live, "RU-AIR-500", overseas=True)
    order_no = buy_and_pay(live, flown, _buyer(live), 1)
    assert _order(live, order_no).trade_mode == "9610"
    assert wait_for_status(live, [order_no], "released", timeout_s=60) == 1, _trail(live, order_no)
    held = {m.msg_type: m for m in gateway_of(live.ctx).messages(order_no)}
    listed = ceb.from_bytes(held["CEB621Message"].xml.encode()).inventories[0].head
    assert (listed.trade_mode, listed.country) == ("9610", "344")
    assert listed.traf_no and listed.voyage_no and listed.bill_no


def _tamper(monkeypatch, builder: str, change) -> None:
    original = getattr(domain, builder)
    monkeypatch.setattr(domain, builder, lambda facts, *a, **k: original(change(facts), *a, **k))


@pytest.mark.parametrize("case", ["amount", "consignee", "line_count", "payer"])
def test_a_broken_document_set_is_rejected_and_the_order_refunded(live, monkeypatch, case):
    candy, _ = night_shop(live, 50)
    if case == "amount":
        _tamper(monkeypatch, "order_message", lambda f: replace(f, tax_total=f.tax_total + 1, actural_paid=f.actural_paid + 1))
    elif case == "consignee":
        _tamper(monkeypatch, "order_message", lambda f: replace(f, consignee_address=f.consignee_address + " 2 楼"))
    elif case == "line_count":
        _tamper(monkeypatch, "inventory_message", lambda f: replace(f, lines=f.lines[:1]))
    else:
        _tamper(monkeypatch, "order_message", lambda f: replace(f, buyer_name="赵四", buyer_id_number="11010519491231002X"))
    second = night_product(live, "RU-ALENKA-100")
    order_no = buy_and_pay(live, candy, _buyer(live), 1, more=((second, 1),))
    assert wait_for_status(live, [order_no], "refunded", timeout_s=60) == 1, _trail(live, order_no)
    trail = _trail(live, order_no)
    assert [s for s, _ in trail] == ["pending_payment", "paid", "declared", "customs_rejected", "refunded"]
    assert "customs rejected" in trail[3][1]
    row = _order(live, order_no)
    with live.ctx.db.reader() as session:
        payment = session.execute(select(Payment).where(Payment.order_id == row.id)).scalar_one()
    assert (payment.status, payment.refunded) == ("refunded", row.actural_paid)


def _operator(live: Live) -> dict[str, str]:
    return bearer(live, Role.OPERATOR)[1]


def _quota(live: Live, order_no: str) -> tuple[Decimal, Decimal]:
    row = _order(live, order_no)
    with live.ctx.db.reader() as session:
        usage = quota_usage(session, row.id_hash, row.quota_year)
    return usage.used, usage.held


def test_a_failing_carrier_ends_in_the_dead_letters_and_an_operator_retry_clears_it(live, monkeypatch):
    candy, _ = night_shop(live, 50)
    monkeypatch.setattr(live.ctx.settings, "customs_max_attempts", 2)  # the loop reads it live
    broken = httpx.ConnectError("carrier down")
    real = HttpCarrier.create_waybill
    monkeypatch.setattr(HttpCarrier, "create_waybill", lambda self, request: (_ for _ in ()).throw(broken))
    order_no = buy_and_pay(live, candy, _buyer(live), 1)
    ops = _operator(live)
    deadline = time.monotonic() + 30
    failed: list = []
    while not failed and time.monotonic() < deadline:
        failed = httpx.get(f"{live.url}/api/v1/customs/declarations", params={"status": "failed"},
                           headers=ops, timeout=10).json()
        time.sleep(0.2)
    assert [(d["order_no"], d["kind"], d["attempts"]) for d in failed] == [(order_no, "511", 2)]
    assert "carrier down" in failed[0]["last_error"]
    assert _order(live, order_no).status == "paid"
    # when the carrier is back and the operator retries
    monkeypatch.setattr(HttpCarrier, "create_waybill", real)
    again = httpx.post(f"{live.url}/api/v1/customs/declarations/{failed[0]['id']}/retry", headers=ops, timeout=10)
    assert again.json()["status"] == "todo"
    assert wait_for_status(live, [order_no], "released", timeout_s=60) == 1, _trail(live, order_no)


def test_an_order_cancelled_before_its_list_went_out_is_refunded_with_its_quota(live, monkeypatch):
    candy, _ = night_shop(live, 50)
    monkeypatch.setattr(HttpCarrier, "create_waybill", lambda self, request: (_ for _ in ()).throw(
        httpx.ConnectError("carrier slow")))
    buyer = _buyer(live)
    order_no = buy_and_pay(live, candy, buyer, 2)
    assert wait_for_status(live, [order_no], "paid", timeout_s=20) == 1
    paid_quota = _quota(live, order_no)
    answer = httpx.post(f"{live.url}/api/v1/orders/{order_no}/cancel", headers=buyer.headers, timeout=10,
                        json={"reason": "changed my mind"})
    assert answer.status_code == 202 and answer.json()["status"] == "cancelled", answer.text
    assert _order(live, order_no).status == "cancelled"
    assert paid_quota[0] > 0 and _quota(live, order_no) == (0, 0)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with live.ctx.db.reader() as session:
            payment = session.execute(select(Payment).where(Payment.order_id == _order(live, order_no).id)).scalar_one()
        if payment.status == "refunded":
            break
        time.sleep(0.2)
    assert payment.status == "refunded"
    with live.ctx.db.reader() as session:
        left = {d.kind: d.status for d in session.execute(select(Declaration).where(
            Declaration.order_id == _order(live, order_no).id)).scalars()}
    assert left["621"] == "cancelled" and left["511"] == "cancelled"
    again = httpx.post(f"{live.url}/api/v1/orders/{order_no}/cancel", headers=buyer.headers, timeout=10,
                       json={"reason": "again"})
    assert again.json()["error"]["code"] == "invalid_order_transition"


@pytest.fixture
def slow_live(settings, shared_dir, monkeypatch) -> Iterator[Live]:
    """Customs takes 3 s between its steps: time to cancel between 120 and 800."""
    monkeypatch.setenv("LIVEPORT_SANDBOX_CUSTOMS_STEP_DELAY_S", "3")
    with live_liveport(settings, outbox_dispatcher=True, outbox_poll_s=0.05, customs_interval_s=0.1,
                       customs_retry_base_s=0.2) as running:
        yield running


def test_a_declared_order_is_cancelled_with_ceb623_and_refunded(slow_live):
    live = slow_live
    candy, _ = night_shop(live, 50)
    buyer = _buyer(live)
    order_no = buy_and_pay(live, candy, buyer, 1)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with live.ctx.db.reader() as session:
            numbered = session.execute(select(Declaration.invt_no).join(Order, Order.id == Declaration.order_id).where(
                Order.order_no == order_no, Declaration.kind == "621")).scalar_one_or_none()
        if numbered:
            break
        time.sleep(0.1)
    assert numbered and _order(live, order_no).status == "declared"
    answer = httpx.post(f"{live.url}/api/v1/orders/{order_no}/cancel", headers=_operator(live), timeout=10,
                        json={"reason": "out of stock in the bonded zone"})
    assert answer.json()["status"] == "cancelling", answer.text
    assert wait_for_status(live, [order_no], "cancelled", timeout_s=30) == 1, _trail(live, order_no)
    assert [s for s, _ in _trail(live, order_no)] == ["pending_payment", "paid", "declared", "cancelled"]
    assert _quota(live, order_no) == (0, 0)
