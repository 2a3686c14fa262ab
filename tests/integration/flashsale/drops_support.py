"""A show with its host, a product with stock in a bonded warehouse, verified buyers."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from liveport.accounts.models import AuditEntry, User
from liveport.catalog.models import Stock
from liveport.catalog.services import set_stock
from liveport.shows.domain import HostSpec
from liveport.shows.services import create_show
from tests.integration.catalog.catalog_support import CANDY, SHIPPED_LIST, expo, product

START = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


@dataclass
class World:
    operator_id: int
    host: dict[str, str]  # bearer headers of the show's main host
    show_id: int
    product_id: int
    warehouse_id: int


def world(db, login_as, on_hand: int = 100) -> World:
    place = expo(db)
    product_id = product(db, place.operator, CANDY, exhibitor_id=place.candy_maker)
    set_stock(db, place.operator, product_id, place.bonded, on_hand, positive_list=SHIPPED_LIST)
    host = login_as("host")
    show = create_show(db, place.operator, title="糖果之夜", title_en="Candy Night", description="",
                       scheduled_start=START, scheduled_end=START + timedelta(hours=2),
                       main_host=HostSpec(int(host["X-User-Id"]), "主播", "Host", None))
    return World(place.operator.user_id, host, show.summary.id, product_id, place.bonded)


def verified_buyer(db, login_as, identity: str | None = None) -> dict[str, str]:
    """A buyer account whose real-name identity is verified (``identity`` = its keyed hash;
    two accounts given the same one belong to one person)."""
    headers = login_as("buyer")
    with db.transaction() as session:
        session.execute(update(User).where(User.id == int(headers["X-User-Id"]))
                        .values(identity_hash=identity or uuid.uuid4().hex * 2))
    return headers


def drop_body(w: World, **changes) -> dict:
    body = {"show_id": w.show_id, "product_id": w.product_id, "warehouse_id": w.warehouse_id,
            "quantity": 40, "price": "59.90", "per_buyer_limit": 2, "opens_at": START.isoformat()}
    body.update(changes)
    return body


def stock_levels(db, w: World) -> tuple[int, int]:
    with db.reader() as session:
        row = session.execute(select(Stock.on_hand, Stock.reserved).where(
            Stock.product_id == w.product_id, Stock.warehouse_id == w.warehouse_id)).one()
    return row.on_hand, row.reserved


def audit_actions(db, target_type: str = "drop") -> list[tuple[str, str]]:
    with db.reader() as session:
        return [(a.action, a.target_id) for a in session.scalars(
            select(AuditEntry).where(AuditEntry.target_type == target_type).order_by(AuditEntry.id))]


def claim(client, buyer: dict[str, str], drop_id: int, qty: int = 1, key: str | None = None):
    headers = {**buyer, "Idempotency-Key": key or uuid.uuid4().hex}
    return client.post(f"/api/v1/drops/{drop_id}/claims", headers=headers, json={"qty": qty})
