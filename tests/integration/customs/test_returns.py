"""Cross-border returns over the API (cross-border.md §5): a delivered order set up in the
database with its release at a chosen moment; the routes' clock is moved with monkeypatch."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from liveport.catalog.reference import POSITIVE_LIST_FILE, current_positive_list
from liveport.catalog.stock import consume_reserved_stock
from liveport.core.clock import CHINA
from liveport.customs import returns_api
from liveport.customs.domain import cop_no_of
from liveport.customs.models import Declaration
from liveport.customs.receipts import apply_envelope
from liveport.orders.models import Order, OrderEvent
from liveport.orders.services import lines_in, mark_paid
from liveport.protocols import customs as ceb
from tests.integration.orders.orders_support import (
    basket,
    customer,
    place,
    quota_of,
    shop,
    stock_of,
)

RELEASED = datetime(2026, 3, 1, 10, 0, tzinfo=CHINA)  # day 30 ends 31 March, day 45 ends 15 April


def _candy_capped_at_2_kg(tmp_path):
    lines = POSITIVE_LIST_FILE.read_text(encoding="utf-8").splitlines(True)
    capped = [line.replace("035,,,", "035,,2,035") if line.startswith("17049000") else line for line in lines]
    path = tmp_path / "capped.csv"
    path.write_text("".join(capped), encoding="utf-8")
    return path


@pytest.fixture
def world(client, database, login_as, settings, tmp_path):
    client.app.state.ctx.settings = settings.model_copy(update={"positive_list_file": _candy_capped_at_2_kg(tmp_path)})
    s = shop(database, candy_stock=10)
    return s, customer(client, database, login_as)


def _at(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(returns_api, "utcnow", lambda: moment.astimezone(UTC))


def _delivered(client, db, who, s, qty: int = 4) -> str:
    """Placed over the API, then paid, shipped, released (at RELEASED) and delivered in the DB."""
    placed = place(client, who, basket((s.candy, qty)))
    assert placed.status_code == 201, placed.text
    order_no = placed.json()["order_no"]
    plist = current_positive_list(client.app.state.ctx.settings)
    with db.transaction() as session:
        order = session.execute(select(Order).where(Order.order_no == order_no)).scalar_one()
        assert mark_paid(session, order, plist, "paid", RELEASED - timedelta(hours=2))
        for line in lines_in(session, order.id):
            assert consume_reserved_stock(session, line.product_id, order.warehouse_id, line.qty)
        session.execute(update(Order).where(Order.id == order.id).values(status="delivered"))
        session.add(OrderEvent(order_id=order.id, status="released", reason="released by customs", at=RELEASED))
        session.add(Declaration(order_id=order.id, kind="621", key=cop_no_of(order.id), status="released",
                                pre_no="I2026030100000001", invt_no="223320260000000001", return_status="800"))
    return order_no


def _request(client, who, order_no: str):
    return client.post(f"/api/v1/orders/{order_no}/return", headers=who.headers, json={"reason": "too sweet"})


def _customs_answers(client, db, order_no: str, status: str, info: str = "退货申请通过 return accepted") -> None:
    with db.transaction() as session:  # as the pipeline leaves it once the 625 is out
        order_id = session.execute(select(Order.id).where(Order.order_no == order_no)).scalar_one()
        session.execute(update(Declaration).where(Declaration.order_id == order_id, Declaration.kind == "625")
                        .values(status="sent", key=cop_no_of(order_id)))
    receipt = ceb.CEB626Message(returns=(ceb.InvtRefundReturn(
        cop_no=cop_no_of(order_id), pre_no="I2026030100000002", invt_no="223320260000000001",
        return_status=status, return_time="20260305101010000", return_info=info),))
    envelope = ceb.wrap(ceb.to_bytes(receipt), sender_id="DXPEDCCEB0000002", receiver_ids=("DXPENT0000000001",))
    apply_envelope(db, current_positive_list(client.app.state.ctx.settings), envelope, datetime.now(UTC))


def _status_and_trail(db, order_no: str) -> tuple[str, list[str]]:
    with db.reader() as session:
        order = session.execute(select(Order).where(Order.order_no == order_no)).scalar_one()
        trail = list(session.execute(select(OrderEvent.reason).where(OrderEvent.order_id == order.id)
                                     .order_by(OrderEvent.id)).scalars())
    return order.status, trail


def _declaration(db, order_no: str, kind: str) -> Declaration:
    with db.reader() as session:
        return session.execute(select(Declaration).join(Order, Order.id == Declaration.order_id).where(
            Order.order_no == order_no, Declaration.kind == kind)).scalar_one()


def test_a_return_requested_at_the_last_instant_of_day_30_china_time_is_filed_with_ceb625(
        client, database, world, monkeypatch):
    s, who = world
    order_no = _delivered(client, database, who, s)
    _at(monkeypatch, datetime(2026, 3, 31, 23, 59, 59, tzinfo=CHINA))

    answer = _request(client, who, order_no)

    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "return_requested"
    assert answer.json()["request_by"].startswith("2026-03-31T16:00:00")
    status, trail = _status_and_trail(database, order_no)
    assert (status, trail[-1]) == ("return_requested", "return requested: too sweet")
    filed = _declaration(database, order_no, "625")
    assert (filed.status, filed.key) == ("todo", "")


def test_a_return_requested_on_day_31_china_time_is_refused_in_both_languages(client, database, world, monkeypatch):
    s, who = world
    order_no = _delivered(client, database, who, s)
    _at(monkeypatch, datetime(2026, 4, 1, 0, 0, tzinfo=CHINA))

    answer = _request(client, who, order_no)
    in_chinese = client.post(f"/api/v1/orders/{order_no}/return", json={"reason": "too sweet"},
                             headers={**who.headers, "Accept-Language": "zh-CN"})

    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "return_window_closed")
    assert "30 days" in answer.json()["error"]["message"]
    assert "30天" in in_chinese.json()["error"]["message"]
    assert _status_and_trail(database, order_no)[0] == "delivered"


def test_another_buyer_cannot_return_my_order(client, database, world, login_as, monkeypatch):
    s, who = world
    order_no = _delivered(client, database, who, s)
    _at(monkeypatch, RELEASED + timedelta(days=1))

    answer = _request(client, customer(client, database, login_as), order_no)

    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "order_not_found")


def test_goods_back_on_day_45_give_back_quota_caps_and_stock(client, database, world, login_as, monkeypatch):
    s, who = world
    order_no = _delivered(client, database, who, s, qty=4)  # 4 × 0.5 kg: the whole 2 kg sugar cap
    assert quota_of(database, who.id_hash)[0] != "0.00"
    assert stock_of(database, s.candy, s.bonded) == (6, 0)
    _at(monkeypatch, RELEASED + timedelta(days=10))
    assert _request(client, who, order_no).status_code == 202
    _customs_answers(client, database, order_no, "120")
    merchant = login_as("merchant", exhibitor_id=s.candy_maker)
    _at(monkeypatch, datetime(2026, 4, 15, 23, 59, 59, tzinfo=CHINA))

    answer = client.post(f"/api/v1/orders/{order_no}/return/received", headers=merchant)

    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "returned"
    status, trail = _status_and_trail(database, order_no)
    assert status == "returned"
    assert "return accepted by customs (CEB626 120)" in trail[-2]
    assert quota_of(database, who.id_hash) == ("0.00", "0.00")
    assert stock_of(database, s.candy, s.bonded) == (10, 0)
    # the sugar cap is free again: the same person may buy 2 kg more this year
    assert place(client, who, basket((s.candy, 4))).status_code == 201


def test_goods_back_on_day_46_are_refused_and_the_late_arrival_is_in_the_trail(
        client, database, world, login_as, monkeypatch):
    s, who = world
    order_no = _delivered(client, database, who, s)
    used = quota_of(database, who.id_hash)
    _at(monkeypatch, RELEASED + timedelta(days=10))
    assert _request(client, who, order_no).status_code == 202
    _customs_answers(client, database, order_no, "120")
    _at(monkeypatch, datetime(2026, 4, 16, 0, 0, tzinfo=CHINA))

    answer = client.post(f"/api/v1/orders/{order_no}/return/received", headers=login_as("operator"))
    again = client.post(f"/api/v1/orders/{order_no}/return/received", headers=login_as("operator"))

    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "return_arrival_late")
    assert again.json()["error"]["code"] == "return_arrival_late"
    status, trail = _status_and_trail(database, order_no)
    assert status == "return_requested"
    assert trail.count("late arrival: tax due, no quota back; the operator decides") == 1
    assert quota_of(database, who.id_hash) == used
    assert stock_of(database, s.candy, s.bonded) == (6, 0)


def test_goods_cannot_be_received_before_customs_accepts_the_return(client, database, world, login_as, monkeypatch):
    s, who = world
    order_no = _delivered(client, database, who, s)
    _at(monkeypatch, RELEASED + timedelta(days=3))
    assert _request(client, who, order_no).status_code == 202

    answer = client.post(f"/api/v1/orders/{order_no}/return/received", headers=login_as("operator"))

    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "return_not_accepted_by_customs")


def test_customs_refusing_the_return_keeps_the_order_return_requested_with_the_reason(
        client, database, world, login_as, monkeypatch):
    s, who = world
    order_no = _delivered(client, database, who, s)
    _at(monkeypatch, RELEASED + timedelta(days=3))
    assert _request(client, who, order_no).status_code == 202

    _customs_answers(client, database, order_no, "100", "returns close 30 days after release")
    answer = client.post(f"/api/v1/orders/{order_no}/return/received", headers=login_as("operator"))

    status, trail = _status_and_trail(database, order_no)
    assert status == "return_requested"
    assert trail[-1] == "customs refused the return (CEB626 100): returns close 30 days after release"
    assert _declaration(database, order_no, "625").status == "rejected"
    assert answer.json()["error"]["code"] == "return_not_accepted_by_customs"


def test_another_exhibitors_merchant_cannot_receive_the_goods(client, database, world, login_as, monkeypatch):
    s, who = world
    order_no = _delivered(client, database, who, s)
    _at(monkeypatch, RELEASED + timedelta(days=3))
    assert _request(client, who, order_no).status_code == 202
    _customs_answers(client, database, order_no, "120")

    answer = client.post(f"/api/v1/orders/{order_no}/return/received",
                         headers=login_as("merchant", exhibitor_id=s.candy_maker + 1000))

    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "order_not_found")


def test_only_whole_order_returns_are_taken_for_now(client, database, world, monkeypatch):
    s, who = world
    order_no = _delivered(client, database, who, s)
    _at(monkeypatch, RELEASED + timedelta(days=3))

    unknown = client.post(f"/api/v1/orders/{order_no}/return", headers=who.headers,
                          json={"reason": "broken", "lines": [1, 7]})
    partial = client.post(f"/api/v1/orders/{order_no}/return", headers=who.headers,
                          json={"reason": "broken", "lines": []})
    whole = client.post(f"/api/v1/orders/{order_no}/return", headers=who.headers,
                        json={"reason": "broken", "lines": [1]})

    assert (unknown.status_code, unknown.json()["error"]["code"]) == (409, "unknown_return_line")
    assert partial.status_code == 422
    assert whole.status_code == 202, whole.text
