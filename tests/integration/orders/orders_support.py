"""A small shop for checkout and order tests: Russian candy (¥48.00, general goods) and a
French serum (¥452.40, a cosmetic) in the bonded warehouse, and verified buyers with an
address book."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, update

from liveport.accounts.models import User
from liveport.buyers.quota import quota_usage
from liveport.catalog.models import Stock
from liveport.catalog.services import set_stock
from liveport.core.clock import china_year, utcnow
from liveport.orders.models import Order
from tests.integration.catalog.catalog_support import CANDY, SERUM, SHIPPED_LIST, expo, product


@dataclass
class Shop:
    operator_id: int
    candy: int  # product ids
    serum: int
    bonded: int
    candy_maker: int


def shop(db, candy_stock: int = 100, serum_stock: int = 50) -> Shop:
    place = expo(db)
    candy = product(db, place.operator, CANDY, exhibitor_id=place.candy_maker)
    serum = product(db, place.operator, SERUM, exhibitor_id=place.cosmetics_house)
    set_stock(db, place.operator, candy, place.bonded, candy_stock, positive_list=SHIPPED_LIST)
    set_stock(db, place.operator, serum, place.bonded, serum_stock, positive_list=SHIPPED_LIST)
    return Shop(place.operator.user_id, candy, serum, place.bonded, place.candy_maker)


@dataclass
class Customer:
    headers: dict[str, str]
    consignee_id: int
    id_hash: str


def customer(client, db, login_as, id_hash: str | None = None) -> Customer:
    """A verified buyer (``id_hash`` = the person; two accounts may share one) with one address."""
    headers = login_as("buyer")
    person = id_hash or uuid.uuid4().hex * 2
    with db.transaction() as session:
        session.execute(update(User).where(User.id == int(headers["X-User-Id"])).values(identity_hash=person))
    made = client.post("/api/v1/me/consignees", headers=headers, json={
        "name": "王小明", "phone": "13800138000", "address": "上海市浦东新区世纪大道 100 号", "district_code": "310115"})
    assert made.status_code == 201, made.text
    return Customer(headers, made.json()["id"], person)


def basket(*lines: tuple[int, int], freight: str = "10.00", consignee_id: int | None = None) -> dict:
    body: dict = {"items": [{"product_id": pid, "qty": qty} for pid, qty in lines], "freight": freight}
    if consignee_id is not None:
        body["consignee_id"] = consignee_id
    return body


def place(client, who: Customer, body: dict, key: str | None = None):
    headers = {**who.headers, "Idempotency-Key": key or uuid.uuid4().hex}
    return client.post("/api/v1/orders", headers=headers, json={**body, "consignee_id": who.consignee_id})


def stock_of(db, product_id: int, warehouse_id: int) -> tuple[int, int]:
    with db.reader() as session:
        row = session.execute(select(Stock.on_hand, Stock.reserved).where(
            Stock.product_id == product_id, Stock.warehouse_id == warehouse_id)).one()
    return row.on_hand, row.reserved


def quota_of(db, id_hash: str) -> tuple[str, str]:
    with db.reader() as session:
        usage = quota_usage(session, id_hash, china_year(utcnow()))
    return f"{usage.used:.2f}", f"{usage.held:.2f}"


def order_count(db) -> int:
    with db.reader() as session:
        return session.execute(select(func.count()).select_from(Order)).scalar_one()
