"""An order from a flash-sale reservation: the drop's price, the reservation's expiry, one
order per reservation, and only its own buyer may use it."""
from __future__ import annotations

import uuid

from tests.integration.flashsale.drops_support import claim, drop_body, world
from tests.integration.orders.orders_support import Customer, stock_of


def _reserving_customer(client, database, login_as, w, drop_id: int, qty: int = 2):
    from tests.integration.orders.orders_support import customer

    who = customer(client, database, login_as)
    got = claim(client, who.headers, drop_id, qty=qty)
    assert got.status_code == 201, got.text
    return who, got.json()["reservation"]


def _order(client, who: Customer, reservation_id: str, key: str | None = None):
    headers = {**who.headers, "Idempotency-Key": key or uuid.uuid4().hex}
    return client.post("/api/v1/orders", headers=headers,
                       json={"reservation_id": reservation_id, "freight": "0", "consignee_id": who.consignee_id})


def test_a_reservation_becomes_an_order_at_the_drops_price(client, database, login_as):
    w = world(database, login_as)
    drop_id = client.post("/api/v1/drops", headers=w.host, json=drop_body(w, quantity=10)).json()["id"]
    client.post(f"/api/v1/drops/{drop_id}/open", headers=w.host, json={})
    who, reservation = _reserving_customer(client, database, login_as, w, drop_id)
    answer = _order(client, who, reservation["id"])
    assert answer.status_code == 201, answer.text
    order = answer.json()
    # ¥59.90 × 2 = ¥119.80; VAT 13% × 70% = 10.9018 → 10.90
    assert (order["source"], order["drop_id"], order["goods_value"], order["tax_total"], order["actural_paid"]) == (
        "drop", drop_id, "119.80", "10.90", "130.70")
    assert order["reservation_id"] == reservation["id"]
    assert order["expires_at"].startswith(reservation["expires_at"][:19])
    # the drop's units were carved out of the warehouse when it was created: no second hold
    assert stock_of(database, w.product_id, w.warehouse_id) == (100, 10)


def test_a_reservation_makes_one_order_and_only_for_its_own_buyer(client, database, login_as):
    w = world(database, login_as)
    drop_id = client.post("/api/v1/drops", headers=w.host, json=drop_body(w, quantity=10)).json()["id"]
    client.post(f"/api/v1/drops/{drop_id}/open", headers=w.host, json={})
    who, reservation = _reserving_customer(client, database, login_as, w, drop_id)
    thief, _ = _reserving_customer(client, database, login_as, w, drop_id, qty=1)
    stolen = _order(client, thief, reservation["id"])
    assert (stolen.status_code, stolen.json()["error"]["code"]) == (409, "reservation_unusable")
    assert _order(client, who, reservation["id"], key="first").status_code == 201
    twice = _order(client, who, reservation["id"], key="second")
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "reservation_unusable")
    unknown = _order(client, who, "999-nope")
    assert unknown.json()["error"]["code"] == "reservation_unusable"
