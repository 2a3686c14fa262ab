"""Paying orders end to end: Liveport served over HTTP with its e-CNY and card sandboxes
mounted; buyers pay at the sandbox cashier; the sandbox notifies Liveport over HTTP."""
from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select

from liveport.accounts.domain import Role
from liveport.accounts.models import User
from liveport.accounts.services import create_user, issue_token, principal_of
from liveport.buyers.quota import quota_usage
from liveport.catalog.models import Stock
from liveport.catalog.reference import current_positive_list
from liveport.core.clock import china_year, utcnow
from liveport.orders import services as orders
from liveport.orders.models import Order
from liveport.payments import services as payment_services
from liveport.payments.ledger import balances, journals_of_order, unbalanced_journals
from liveport.payments.models import NotificationLog, Payment
from liveport.protocols import sm2sign, trade_messages
from liveport.protocols.payment_wire import encode
from liveport.shows.domain import HostSpec
from liveport.shows.services import create_show
from tests.support.test_night import (
    PIN,
    Live,
    NightBuyer,
    bearer,
    live_liveport,
    night_shop,
    real_name_buyers,
)


@pytest.fixture
def live(settings) -> Iterator[Live]:
    with live_liveport(settings) as running:
        yield running


def _shop(live: Live) -> tuple[int, NightBuyer, NightBuyer]:
    candy, _bonded = night_shop(live, 100)
    first, second = real_name_buyers(live, 2)
    for buyer in (first, second):
        made = httpx.post(f"{live.url}/api/v1/me/consignees", headers=buyer.headers, timeout=10, json={
            "name": "李雷", "phone": "13900001111", "address": "上海市青浦区崧泽大道 333 号", "district_code": "310118"})
        buyer.consignee_id = made.json()["id"]
    return candy, first, second


def _order(live: Live, buyer: NightBuyer, candy: int, qty: int = 2) -> dict:
    placed = httpx.post(f"{live.url}/api/v1/orders", timeout=10,
                        headers={**buyer.headers, "Idempotency-Key": uuid.uuid4().hex},
                        json={"items": [{"product_id": candy, "qty": qty}], "freight": "8.00",
                              "consignee_id": buyer.consignee_id})
    assert placed.status_code == 201, placed.text
    return placed.json()


def _link(live: Live, buyer: NightBuyer, order_no: str, provider: str = "ecny") -> dict:
    link = httpx.post(f"{live.url}/api/v1/orders/{order_no}/payments", headers=buyer.headers, timeout=10,
                      json={"provider": provider})
    assert link.status_code == 201, link.text
    return link.json()


def _pay(link: dict, wallet_no: str) -> httpx.Response:
    return httpx.post(link["cashier_url"], data={"wallet_no": wallet_no, "pin": PIN},
                      headers={"accept": "application/json"}, timeout=10)


def _status(live: Live, order_no: str, until: str, timeout_s: float = 20) -> str:
    deadline = time.monotonic() + timeout_s
    while True:
        with live.ctx.db.reader() as session:
            status = session.execute(select(Order.status).where(Order.order_no == order_no)).scalar_one()
        if status == until or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def _order_row(live: Live, order_no: str) -> Order:
    with live.ctx.db.reader() as session:
        return session.execute(select(Order).where(Order.order_no == order_no)).scalar_one()


def _notification_body(live: Live, out_trade_no: str, *, key: str | None = None, **changes: str) -> bytes:
    """The notification the sandbox sends for that trade, signed afresh (by ``key`` if given)."""
    core = live.sandbox("ecny").state.sandbox
    with live.sandbox("ecny").state.store.connection() as conn:
        row = dict(conn.execute(
            "SELECT n.notify_id, n.attempts, n.url, t.* FROM notifications n JOIN trades t"
            " ON t.trade_no = n.trade_no WHERE t.out_trade_no = ?", (out_trade_no,)).fetchone())
    message = core.notifier.message(row)
    if changes or key:
        fields = {k: v for k, v in message.items() if k not in ("sign", "sign_type", "nonce", "timestamp")}
        fields.update(changes)
        message = trade_messages.build("notification", fields, key or core.keypair.private_key)
    return encode(message)


def _notify(live: Live, body: bytes) -> httpx.Response:
    return httpx.post(f"{live.url}/api/v1/payments/notify/ecny", content=body, timeout=10,
                      headers={"content-type": "application/json"})


def _outcomes(live: Live, out_trade_no: str) -> list[str]:
    with live.ctx.db.reader() as session:
        return list(session.execute(select(NotificationLog.outcome).where(
            NotificationLog.out_trade_no == out_trade_no).order_by(NotificationLog.id)).scalars())


def test_a_paid_order_is_split_in_the_ledger_and_ten_replays_change_nothing(live):
    candy, buyer, _ = _shop(live)
    order = _order(live, buyer, candy)
    link = _link(live, buyer, order["order_no"])
    assert link["code_url"] and link["amount"] == order["actural_paid"]
    assert _pay(link, buyer.wallet_no).json()["result"] == "paid"
    assert _status(live, order["order_no"], "paid") == "paid"
    body = _notification_body(live, order["order_no"])
    for _ in range(10):
        assert _notify(live, body).status_code == 200
    row = _order_row(live, order["order_no"])
    with live.ctx.db.reader() as session:
        journals = journals_of_order(session, row.id)
        assert [j.kind for j in journals] == ["payment", "split"]
        assert unbalanced_journals(session) == []
        totals = balances(session)
        usage = quota_usage(session, row.id_hash, china_year(utcnow()))
    assert totals["provider:ecny"] == row.actural_paid
    assert totals["tax_withheld"] == -row.tax_total
    assert (usage.used, usage.held) == (row.quota_amount, 0)
    assert _outcomes(live, order["order_no"]).count("applied") == 1
    assert _outcomes(live, order["order_no"]).count("duplicate") >= 10


def test_forged_and_tampered_notifications_are_refused_and_logged(live):
    candy, buyer, _ = _shop(live)
    order = _order(live, buyer, candy)
    _pay(_link(live, buyer, order["order_no"]), buyer.wallet_no)
    assert _status(live, order["order_no"], "paid") == "paid"
    good = json.loads(_notification_body(live, order["order_no"]))
    raw = bytearray(base64.b64decode(good["sign"]))
    raw[10] ^= 0x01
    flipped = dict(good, sign=base64.b64encode(bytes(raw)).decode())
    tampered = dict(good, amount=str(int(good["amount"]) - 100))
    other_key = _notification_body(live, order["order_no"], key=sm2sign.generate_keypair().private_key)
    wrong_amount = _notification_body(live, order["order_no"], amount=str(int(good["amount"]) + 1))
    for body in (encode(flipped), encode(tampered), other_key, wrong_amount):
        answer = _notify(live, body)
        assert answer.status_code == 400, answer.text
    with live.ctx.db.reader() as session:
        logged = list(session.execute(select(NotificationLog.outcome).where(
            NotificationLog.outcome.like("refused:%")).order_by(NotificationLog.id)).scalars())
        assert [j.kind for j in journals_of_order(session, _order_row(live, order["order_no"]).id)] == [
            "payment", "split"]
    assert logged == ["refused:bad_signature"] * 3 + ["refused:amount_mismatch"]


def test_a_payer_who_is_not_the_buyer_is_refused_at_the_cashier(live):
    candy, buyer, stranger = _shop(live)
    order = _order(live, buyer, candy)
    refused = _pay(_link(live, buyer, order["order_no"]), stranger.wallet_no)
    assert (refused.status_code, refused.json()["result"], refused.json()["code"]) == (403, "refused", "payer_mismatch")
    assert _order_row(live, order["order_no"]).status == "pending_payment"


def test_a_payment_after_the_order_expired_is_refunded_automatically(live):
    candy, buyer, _ = _shop(live)
    order = _order(live, buyer, candy)
    link = _link(live, buyer, order["order_no"])
    later = utcnow() + timedelta(minutes=live.settings.order_payment_minutes + 1)
    assert orders.expire_order(live.ctx.db, current_positive_list(live.settings), _order_row(live, order["order_no"]).id, later)
    store = live.sandbox("ecny").state.store
    before = store.wallet(buyer.wallet_no)["balance"]
    assert _pay(link, buyer.wallet_no).json()["result"] == "paid"
    deadline = time.monotonic() + 20
    while "refunded_late" not in _outcomes(live, order["order_no"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    row = _order_row(live, order["order_no"])
    with live.ctx.db.reader() as session:
        payment = session.execute(select(Payment).where(Payment.order_id == row.id)).scalar_one()
        kinds = [j.kind for j in journals_of_order(session, row.id)]
        assert unbalanced_journals(session) == []
    assert row.status == "expired"
    assert (payment.status, payment.refunded) == ("refunded", row.actural_paid)
    assert kinds == ["payment", "reversal:payment"]
    assert store.wallet(buyer.wallet_no)["balance"] == before


def test_a_partial_refund_reverses_in_the_ledger_and_keeps_the_quota(live):
    candy, buyer, _ = _shop(live)
    order = _order(live, buyer, candy, qty=3)
    _pay(_link(live, buyer, order["order_no"]), buyer.wallet_no)
    assert _status(live, order["order_no"], "paid") == "paid"
    ops = create_user(live.ctx.db, email=f"ops-{uuid.uuid4().hex[:6]}@example.test", password=None,
                      role=Role.OPERATOR, display_name="ops")
    with live.ctx.db.transaction() as session:
        token = issue_token(session, ops.id, "api", None, secret=live.settings.secret("session_secret"))
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "goodwill-1"}
    url = f"{live.url}/api/v1/orders/{order['order_no']}/refunds"
    first = httpx.post(url, headers=headers, json={"amount": "5.00", "reason": "late delivery"}, timeout=10)
    again = httpx.post(url, headers=headers, json={"amount": "5.00", "reason": "late delivery"}, timeout=10)
    assert (first.status_code, again.json()["replayed"]) == (201, True)
    too_much = httpx.post(url, headers={**headers, "Idempotency-Key": "greedy"}, timeout=10,
                          json={"amount": order["actural_paid"], "reason": "everything"})
    assert too_much.json()["error"]["code"] == "refund_exceeds_payment"
    row = _order_row(live, order["order_no"])
    with live.ctx.db.reader() as session:
        kinds = [j.kind for j in journals_of_order(session, row.id)]
        totals = balances(session, [f"exhibitor:{row.exhibitor_id}", "provider:ecny"])
        usage = quota_usage(session, row.id_hash, china_year(utcnow()))
    assert kinds == ["payment", "split", "refund"]
    assert totals["provider:ecny"] == row.actural_paid - 5
    assert usage.used == row.quota_amount  # a goodwill refund gives no quota back


def test_paying_a_flash_sale_order_sells_its_reserved_units(live):
    candy, buyer, _ = _shop(live)
    host_id, host = bearer(live, Role.HOST)
    operator_id, _ops = bearer(live, Role.OPERATOR)
    with live.ctx.db.reader() as session:
        operator = principal_of(session.get(User, operator_id))
    start = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
    show = create_show(live.ctx.db, operator, title="糖果之夜", title_en="Candy Night", description="",
                       scheduled_start=start, scheduled_end=start + timedelta(hours=2),
                       main_host=HostSpec(host_id, "主播", "Host", None, Decimal("0.05")))
    with live.ctx.db.reader() as session:
        warehouse = session.execute(select(Stock.warehouse_id).where(Stock.product_id == candy)).scalar_one()
    drop = httpx.post(f"{live.url}/api/v1/drops", headers=host, timeout=10, json={
        "show_id": show.summary.id, "product_id": candy, "warehouse_id": warehouse, "quantity": 5,
        "price": "39.90", "per_buyer_limit": 2, "opens_at": start.isoformat()}).json()
    assert httpx.post(f"{live.url}/api/v1/drops/{drop['id']}/open", headers=host, json={}, timeout=10).status_code == 200
    claim = httpx.post(f"{live.url}/api/v1/drops/{drop['id']}/claims", json={"qty": 2}, timeout=10,
                       headers={**buyer.headers, "Idempotency-Key": "c1"}).json()
    placed = httpx.post(f"{live.url}/api/v1/orders", timeout=10, headers={**buyer.headers, "Idempotency-Key": "o1"},
                        json={"reservation_id": claim["reservation"]["id"], "freight": "0",
                              "consignee_id": buyer.consignee_id}).json()
    _pay(_link(live, buyer, placed["order_no"]), buyer.wallet_no)
    assert _status(live, placed["order_no"], "paid") == "paid"
    counts = httpx.get(f"{live.url}/api/v1/drops/{drop['id']}", timeout=10).json()
    assert (counts["on_sale"], counts["reserved"], counts["sold"]) == (3, 0, 2)
    with live.ctx.db.reader() as session:
        split = [j for j in journals_of_order(session, _order_row(live, placed["order_no"]).id) if j.kind == "split"]
    # the main host's 5% of ¥79.80
    assert (f"host:{host_id}", Decimal("-3.99")) in split[0].postings


def test_one_full_refund_recorded_by_eight_callers_at_once_reverses_the_ledger_exactly_once(live):
    candy, buyer, _ = _shop(live)
    order = _order(live, buyer, candy)
    _pay(_link(live, buyer, order["order_no"]), buyer.wallet_no)
    assert _status(live, order["order_no"], "paid") == "paid"
    row = _order_row(live, order["order_no"])
    plan = payment_services.plan_refund(live.ctx.db, row.id, None, "customs rejected", "race", utcnow())
    start = threading.Barrier(8)

    def record() -> None:
        start.wait()
        payment_services.record_refund(live.ctx.db, plan, "R-RACE-1", utcnow())

    with ThreadPoolExecutor(8) as pool:
        for done in [pool.submit(record) for _ in range(8)]:
            done.result()
    with live.ctx.db.reader() as session:
        journals = journals_of_order(session, row.id)
        net: dict[str, Decimal] = {}
        for journal in journals:
            for account, amount in journal.postings:
                net[account] = net.get(account, Decimal(0)) + amount
    assert [j.kind for j in journals] == ["payment", "split", "reversal:split", "reversal:payment"]
    assert {account: total for account, total in net.items() if total != 0} == {}
