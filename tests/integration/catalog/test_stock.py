from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from liveport.catalog.models import Stock
from liveport.catalog.services import (
    consume_reserved_stock,
    list_stock,
    release_stock,
    reserve_stock,
    set_stock,
)
from liveport.core.errors import Conflict, ValidationFailed
from tests.integration.catalog.catalog_support import CANDY, SHIPPED_LIST, body, expo, product


def stocked(database, on_hand: int):
    place = expo(database)
    product_id = product(database, place.operator, CANDY, exhibitor_id=place.candy_maker)
    set_stock(
        database, place.operator, product_id, place.bonded, on_hand, positive_list=SHIPPED_LIST
    )
    return place, product_id


def levels(database, product_id: int, warehouse_id: int) -> tuple[int, int]:
    with database.reader() as session:
        row = session.execute(
            select(Stock.on_hand, Stock.reserved).where(
                Stock.product_id == product_id, Stock.warehouse_id == warehouse_id
            )
        ).one()
    return row.on_hand, row.reserved


def test_reserve_release_and_consume_move_units_exactly(database):
    place, pid = stocked(database, 10)
    with database.transaction() as session:
        assert reserve_stock(session, pid, place.bonded, 7) is True
        assert reserve_stock(session, pid, place.bonded, 4) is False
        assert reserve_stock(session, pid, place.bonded, 3) is True
    assert levels(database, pid, place.bonded) == (10, 10)
    with database.transaction() as session:
        assert release_stock(session, pid, place.bonded, 2) is True
        assert release_stock(session, pid, place.bonded, 9) is False
        assert consume_reserved_stock(session, pid, place.bonded, 5) is True
        assert consume_reserved_stock(session, pid, place.bonded, 4) is False
    assert levels(database, pid, place.bonded) == (5, 3)


def test_a_reservation_where_nothing_is_stocked_fails(database):
    place, pid = stocked(database, 10)
    with database.transaction() as session:
        assert reserve_stock(session, pid, place.overseas, 1) is False
        assert reserve_stock(session, 999, place.bonded, 1) is False


@pytest.mark.parametrize("qty", [0, -1, True, 2_000_000_001])
def test_a_quantity_is_a_positive_whole_number(database, qty):
    place, pid = stocked(database, 10)
    with pytest.raises(ValidationFailed) as caught, database.transaction() as session:
        reserve_stock(session, pid, place.bonded, qty)
    assert caught.value.code == "invalid_quantity"


def test_two_buyers_racing_for_the_last_unit_cannot_both_get_it(database):
    # given one unit left
    place, pid = stocked(database, 1)
    start = threading.Barrier(2)
    results: list[bool] = []
    errors: list[BaseException] = []

    def buy() -> None:
        try:
            start.wait(timeout=10)
            with database.transaction() as session:
                got = reserve_stock(session, pid, place.bonded, 1)
                time.sleep(0.3)  # hold the transaction open so the two overlap
            results.append(got)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    # when two reservations run at the same time
    threads = [threading.Thread(target=buy) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then exactly one succeeds and the unit is reserved once
    assert errors == []
    assert sorted(results) == [False, True]
    assert levels(database, pid, place.bonded) == (1, 1)


def test_a_stock_count_cannot_go_below_what_is_reserved(database):
    place, pid = stocked(database, 10)
    with database.transaction() as session:
        reserve_stock(session, pid, place.bonded, 6)
    with pytest.raises(Conflict) as caught:
        set_stock(database, place.operator, pid, place.bonded, 5, positive_list=SHIPPED_LIST)
    lowered = set_stock(database, place.operator, pid, place.bonded, 6, positive_list=SHIPPED_LIST)
    assert (caught.value.code, caught.value.details) == ("below_reserved", {"reserved": 6})
    assert (lowered.on_hand, lowered.reserved, lowered.available) == (6, 6, 0)


def test_stock_is_listed_per_warehouse(database):
    place, pid = stocked(database, 120_000)
    set_stock(database, place.operator, pid, place.overseas, 50, positive_list=SHIPPED_LIST)
    found = [
        (s.warehouse_code, s.warehouse_kind, s.on_hand, s.reserved)
        for s in list_stock(database, place.operator, pid)
    ]
    assert found == [("BONDED-1", "bonded", 120_000, 0), ("NZ-1", "overseas", 50, 0)]


def test_bonded_only_goods_are_not_stocked_overseas(client, login_as, app_context):
    place = expo(app_context.db)
    # the fresh kiwifruit line carries the bonded_only note in the shipped list
    kiwi = product(
        app_context.db,
        place.operator,
        CANDY,
        exhibitor_id=place.candy_maker,
        sku="KIWI",
        hs_code="0810500000",
        tax_class="agricultural",
    )
    operator = login_as("operator")
    abroad = client.put(
        f"/api/v1/products/{kiwi}/stock/{place.overseas}", headers=operator, json={"on_hand": 5}
    )
    bonded = client.put(
        f"/api/v1/products/{kiwi}/stock/{place.bonded}", headers=operator, json={"on_hand": 5}
    )
    assert (abroad.status_code, abroad.json()["error"]["code"]) == (422, "bonded_only")
    assert (bonded.status_code, bonded.json()["available"], bonded.json()["warehouse_kind"]) == (
        200,
        5,
        "bonded",
    )


def test_a_merchant_counts_stock_of_their_own_product(client, login_as, app_context):
    place = expo(app_context.db)
    merchant = login_as("merchant", exhibitor_id=place.candy_maker)
    pid = client.post("/api/v1/products", headers=merchant, json=body(CANDY)).json()["id"]
    counted = client.put(
        f"/api/v1/products/{pid}/stock/{place.bonded}", headers=merchant, json={"on_hand": 80_000}
    )
    nowhere = client.put(f"/api/v1/products/{pid}/stock/999", headers=merchant, json={"on_hand": 1})
    listed = client.get(f"/api/v1/products/{pid}/stock", headers=merchant).json()
    assert counted.json() == {
        "product_id": pid,
        "warehouse_id": place.bonded,
        "warehouse_code": "BONDED-1",
        "warehouse_kind": "bonded",
        "on_hand": 80_000,
        "reserved": 0,
        "available": 80_000,
    }
    assert (nowhere.status_code, nowhere.json()["error"]["code"]) == (404, "warehouse_not_found")
    assert listed == [counted.json()]
    assert client.get(f"/api/v1/products/{pid}").json()["available"] == 80_000
