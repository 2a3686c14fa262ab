"""Pick lists and pack confirmations: a merchant sees and packs only their own exhibitor's
released orders; packing moves the units from reserved to shipped once, however often it is
confirmed."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from sqlalchemy import select, update

from liveport.core.clock import utcnow
from liveport.fulfilment import services

from liveport.customs.models import Declaration
from liveport.fulfilment.models import Parcel
from liveport.orders.models import Order
from tests.integration.orders.orders_support import basket, customer, place, shop, stock_of


def _released(client, database, login_as, s, product: int, qty: int, waybill: str) -> str:
    """An order placed through the API, then (as customs would) declared and released, with
    the waybill the carrier issued."""
    placed = place(client, customer(client, database, login_as), basket((product, qty)))
    assert placed.status_code == 201, placed.text
    order_no = placed.json()["order_no"]
    with database.transaction() as session:
        order = session.execute(select(Order).where(Order.order_no == order_no)).scalar_one()
        session.execute(update(Order).where(Order.id == order.id).values(status="released"))
        session.add(Declaration(order_id=order.id, kind="511", key=waybill, status="sent"))
    return order_no


def test_a_merchant_sees_only_their_own_released_orders_on_the_pick_list(client, database, login_as):
    s = shop(database)
    candy_order = _released(client, database, login_as, s, s.candy, 2, "SX0000000000001")
    serum_order = _released(client, database, login_as, s, s.serum, 1, "SX0000000000002")
    candy_merchant = login_as("merchant", exhibitor_id=s.candy_maker)

    mine = client.get(f"/api/v1/warehouses/{s.bonded}/pick-list", headers=candy_merchant)
    everyone = client.get(f"/api/v1/warehouses/{s.bonded}/pick-list", headers=login_as("operator"))

    assert mine.status_code == 200, mine.text
    assert [(o["order_no"], o["logistics_no"], o["trade_mode"]) for o in mine.json()["orders"]] == [
        (candy_order, "SX0000000000001", "1210")]
    assert [(ln["gnum"], ln["sku"], ln["qty"]) for ln in mine.json()["orders"][0]["lines"]] == [(1, "RU-KOROVKA-500", 2)]
    assert [o["order_no"] for o in everyone.json()["orders"]] == [candy_order, serum_order]


def test_a_merchant_cannot_pack_another_exhibitors_order(client, database, login_as):
    s = shop(database)
    serum_order = _released(client, database, login_as, s, s.serum, 1, "SX0000000000003")

    refused = client.post(f"/api/v1/orders/{serum_order}/pack", json={"weight_kg": "0.2"},
                          headers=login_as("merchant", exhibitor_id=s.candy_maker))

    assert (refused.status_code, refused.json()["error"]["code"]) == (404, "order_not_found")
    assert stock_of(database, s.serum, s.bonded) == (50, 1)


def test_packing_moves_stock_from_reserved_to_shipped_once(client, database, login_as):
    s = shop(database, candy_stock=10)
    order_no = _released(client, database, login_as, s, s.candy, 3, "SX0000000000004")
    merchant = login_as("merchant", exhibitor_id=s.candy_maker)
    assert stock_of(database, s.candy, s.bonded) == (10, 3)

    first = client.post(f"/api/v1/orders/{order_no}/pack", json={"weight_kg": "1.250"}, headers=merchant)
    again = client.post(f"/api/v1/orders/{order_no}/pack", json={"weight_kg": "9.000"}, headers=merchant)

    assert first.status_code == 201, first.text
    assert first.json()["handed_over_at"] is None  # no carrier in this test: the loop retries
    assert (first.json()["logistics_no"], first.json()["weight_kg"], first.json()["replayed"]) == (
        "SX0000000000004", "1.250", False)
    assert again.status_code == 200, again.text
    assert (again.json()["weight_kg"], again.json()["replayed"]) == ("1.250", True)
    assert stock_of(database, s.candy, s.bonded) == (7, 0)
    with database.reader() as session:
        assert session.execute(select(Parcel.logistics_no)).scalars().all() == ["SX0000000000004"]
    pick_list = client.get(f"/api/v1/warehouses/{s.bonded}/pick-list", headers=merchant)
    assert pick_list.json()["orders"] == []


def test_an_order_not_released_or_without_a_waybill_is_not_packed(client, database, login_as):
    s = shop(database)
    placed = place(client, customer(client, database, login_as), basket((s.candy, 1)))
    order_no = placed.json()["order_no"]
    operator = login_as("operator")

    unreleased = client.post(f"/api/v1/orders/{order_no}/pack", json={"weight_kg": "0.5"}, headers=operator)
    with database.transaction() as session:
        session.execute(update(Order).where(Order.order_no == order_no).values(status="released"))
    no_waybill = client.post(f"/api/v1/orders/{order_no}/pack", json={"weight_kg": "0.5"}, headers=operator)
    bad_weight = client.post(f"/api/v1/orders/{order_no}/pack", json={"weight_kg": "0"}, headers=operator)

    assert (unreleased.status_code, unreleased.json()["error"]["code"]) == (409, "order_not_released")
    assert (no_waybill.status_code, no_waybill.json()["error"]["code"]) == (409, "no_waybill")
    assert bad_weight.status_code == 422
    assert stock_of(database, s.candy, s.bonded) == (100, 1)


def test_an_unknown_warehouse_has_no_pick_list(client, database, login_as):
    answer = client.get("/api/v1/warehouses/999999/pick-list", headers=login_as("operator"))
    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "warehouse_not_found")


def test_packs_racing_for_one_order_take_its_units_once(client, database, login_as):
    s = shop(database, candy_stock=10)
    order_no = _released(client, database, login_as, s, s.candy, 3, "SX0000000000005")

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: services.pack(database, None, order_no, Decimal("0.5"), utcnow()), range(4)))

    assert sorted(r.replayed for r in results) == [False, True, True, True]
    assert stock_of(database, s.candy, s.bonded) == (7, 0)
