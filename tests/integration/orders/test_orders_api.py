"""POST/GET /api/v1/orders: amounts are the quote's, holds are taken and given back, the same
key answers the same order, a buyer sees only their own."""
from __future__ import annotations

from datetime import timedelta

from liveport.catalog.reference import current_positive_list
from liveport.core.clock import utcnow
from liveport.orders import services
from liveport.orders.models import Order
from tests.integration.orders.orders_support import (
    basket,
    customer,
    place,
    quota_of,
    shop,
    stock_of,
)

AMOUNTS = ("goods_value", "freight", "insurance", "discount", "tax_total", "actural_paid", "dutiable_value")


def test_an_order_has_exactly_the_quotes_amounts_and_holds_stock_and_quota(client, database, login_as):
    s = shop(database)
    who = customer(client, database, login_as)
    body = basket((s.serum, 2), freight="20.00")
    quote = client.post("/api/v1/checkout/quote", headers=who.headers, json={**body, "consignee_id": who.consignee_id}).json()
    placed = place(client, who, body)
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert {k: order[k] for k in AMOUNTS} == {k: quote[k] for k in AMOUNTS}
    assert [(ln["sku"], ln["consumption_tax"], ln["vat"]) for ln in order["lines"]] == [
        (ln["sku"], ln["consumption_tax"], ln["vat"]) for ln in quote["lines"]]
    assert order["status"] == "pending_payment" and order["trade_mode"] == "1210"
    assert len(order["order_no"]) <= 60 and order["order_no"].startswith("LP")
    assert order["consignee"]["phone"] == "138****8000"
    assert [e["status"] for e in order["trail"]] == ["pending_payment"]
    assert stock_of(database, s.serum, s.bonded) == (50, 2)
    assert quota_of(database, who.id_hash) == ("0.00", order["dutiable_value"])


def test_the_same_key_answers_the_same_order_and_a_changed_body_is_refused(client, database, login_as):
    s = shop(database)
    who = customer(client, database, login_as)
    first = place(client, who, basket((s.candy, 1)), key="k-1")
    again = place(client, who, basket((s.candy, 1)), key="k-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["order_no"] == first.json()["order_no"]
    assert stock_of(database, s.candy, s.bonded) == (100, 1)
    changed = place(client, who, basket((s.candy, 2)), key="k-1")
    assert (changed.status_code, changed.json()["error"]["code"]) == (409, "idempotency_key_reused")
    missing = client.post("/api/v1/orders", headers=who.headers, json={**basket((s.candy, 1)), "consignee_id": who.consignee_id})
    assert missing.json()["error"]["code"] == "idempotency_key_required"


def test_an_unverified_buyer_must_verify_first(client, database, login_as):
    s = shop(database)
    headers = {**login_as("buyer"), "Idempotency-Key": "x"}
    answer = client.post("/api/v1/orders", headers=headers, json={**basket((s.candy, 1)), "consignee_id": 1})
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "identity_required")


def test_a_buyer_sees_only_their_own_orders(client, database, login_as):
    s = shop(database)
    mine, other = customer(client, database, login_as), customer(client, database, login_as)
    order_no = place(client, mine, basket((s.candy, 1))).json()["order_no"]
    assert [o["order_no"] for o in client.get("/api/v1/orders", headers=mine.headers).json()] == [order_no]
    assert client.get("/api/v1/orders", headers=other.headers).json() == []
    assert client.get(f"/api/v1/orders/{order_no}", headers=other.headers).json()["error"]["code"] == "order_not_found"
    assert client.get(f"/api/v1/orders/{order_no}", headers=login_as("operator")).json()["order_no"] == order_no
    assert client.get(f"/api/v1/orders/{order_no}", headers=login_as("merchant", exhibitor_id=s.candy_maker)).status_code == 403


def test_an_unpaid_order_expires_and_gives_everything_back(client, database, login_as, settings):
    s = shop(database)
    who = customer(client, database, login_as)
    order = place(client, who, basket((s.candy, 3))).json()
    plist = current_positive_list(settings)
    with database.reader() as session:
        order_id = session.query(Order.id).filter(Order.order_no == order["order_no"]).scalar()
    early = utcnow()
    assert services.expire_order(database, plist, order_id, early) is False  # not due yet
    later = utcnow() + timedelta(minutes=settings.order_payment_minutes, seconds=1)
    assert services.due_for_expiry(database, later) == [order_id]
    assert services.expire_order(database, plist, order_id, later) is True
    assert services.expire_order(database, plist, order_id, later) is False  # a replay changes nothing
    assert stock_of(database, s.candy, s.bonded) == (100, 0)
    assert quota_of(database, who.id_hash) == ("0.00", "0.00")
    seen = client.get(f"/api/v1/orders/{order['order_no']}", headers=who.headers).json()
    assert seen["status"] == "expired"
    assert [e["status"] for e in seen["trail"]] == ["pending_payment", "expired"]


def test_the_my_orders_page_lists_the_buyers_orders_in_both_languages(client, database, login_as):
    s = shop(database)
    who = customer(client, database, login_as)
    order_no = place(client, who, basket((s.candy, 1))).json()["order_no"]
    zh = client.get("/orders?lang=zh", headers=who.headers)
    en = client.get("/orders?lang=en", headers=who.headers)
    assert zh.status_code == en.status_code == 200
    assert order_no in zh.text and "待付款" in zh.text and "¥63.28" in zh.text
    assert order_no in en.text and "Awaiting payment" in en.text
    other = customer(client, database, login_as)
    assert order_no not in client.get("/orders", headers=other.headers).text
    anonymous = client.get("/orders", follow_redirects=False)
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/signin?next=/orders")


def test_paying_turns_the_quota_hold_into_use_once(client, database, login_as, settings):
    s = shop(database)
    who = customer(client, database, login_as)
    order = place(client, who, basket((s.candy, 2))).json()
    plist = current_positive_list(settings)
    for expected in (True, False):  # the second payment notice changes nothing
        with database.transaction() as session:
            row = session.query(Order).filter(Order.order_no == order["order_no"]).one()
            assert services.mark_paid(session, row, plist, "paid by e-CNY", utcnow()) is expected
    assert quota_of(database, who.id_hash) == (order["dutiable_value"], "0.00")
    assert stock_of(database, s.candy, s.bonded) == (100, 2)
    later = utcnow() + timedelta(days=1)
    assert services.due_for_expiry(database, later) == []
