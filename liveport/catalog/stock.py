"""Stock per product per warehouse (DESIGN.md §4: drops carve their quantity out of it).

``reserve_stock`` / ``release_stock`` / ``consume_reserved_stock`` run inside the caller's unit
of work (a drop being opened, a checkout, a shipment) and are each one conditional UPDATE: the
database decides, so two buyers can never both take the last unit, whatever the interleaving.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liveport.accounts.domain import Principal
from liveport.accounts.services import record_audit
from liveport.catalog.access import writable_product
from liveport.catalog.domain import PositiveList, check_stock_placement
from liveport.catalog.models import Stock, Warehouse
from liveport.core.clock import utcnow
from liveport.core.db import Database
from liveport.core.errors import Conflict, NotFound, ValidationFailed

MAX_UNITS = 2_000_000_000  # stays inside a 32-bit INTEGER column on every database


@dataclass(frozen=True, slots=True)
class StockLevel:
    product_id: int
    warehouse_id: int
    warehouse_code: str
    warehouse_kind: str
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


def _check_qty(qty: int) -> None:
    if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= MAX_UNITS:
        raise ValidationFailed("A quantity is a positive whole number.", code="invalid_quantity")


def _cell(product_id: int, warehouse_id: int):  # type: ignore[no-untyped-def]
    return (Stock.product_id == product_id, Stock.warehouse_id == warehouse_id)


def reserve_stock(session: Session, product_id: int, warehouse_id: int, qty: int) -> bool:
    """Hold ``qty`` units if that many are available; False (nothing changed) otherwise."""
    _check_qty(qty)
    result = session.execute(
        update(Stock)
        .where(*_cell(product_id, warehouse_id), Stock.on_hand - Stock.reserved >= qty)
        .values(reserved=Stock.reserved + qty, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def release_stock(session: Session, product_id: int, warehouse_id: int, qty: int) -> bool:
    """Give back ``qty`` held units (a reservation expired or was cancelled)."""
    _check_qty(qty)
    result = session.execute(
        update(Stock)
        .where(*_cell(product_id, warehouse_id), Stock.reserved >= qty)
        .values(reserved=Stock.reserved - qty, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def consume_reserved_stock(session: Session, product_id: int, warehouse_id: int, qty: int) -> bool:
    """Held units leave the warehouse (shipped): on hand and reserved both drop by ``qty``."""
    _check_qty(qty)
    result = session.execute(
        update(Stock)
        .where(*_cell(product_id, warehouse_id), Stock.reserved >= qty)
        .values(on_hand=Stock.on_hand - qty, reserved=Stock.reserved - qty, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def restock_returned(session: Session, product_id: int, warehouse_id: int, qty: int) -> bool:
    """Returned units are back in the warehouse: on hand rises by ``qty`` (reserved is
    untouched: they are nobody's yet). False when there is no stock row for them."""
    _check_qty(qty)
    result = session.execute(
        update(Stock)
        .where(*_cell(product_id, warehouse_id), Stock.on_hand + qty <= MAX_UNITS)
        .values(on_hand=Stock.on_hand + qty, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _set_on_hand(session: Session, product_id: int, warehouse_id: int, on_hand: int) -> bool:
    # Never below what is reserved: held units are promised to buyers.
    result = session.execute(
        update(Stock)
        .where(*_cell(product_id, warehouse_id), Stock.reserved <= on_hand)
        .values(on_hand=on_hand, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _below_reserved(reserved: int) -> Conflict:
    return Conflict(
        "Stock on hand cannot go below the units already reserved.",
        code="below_reserved",
        details={"reserved": reserved},
    )


def set_stock(
    db: Database,
    actor: Principal,
    product_id: int,
    warehouse_id: int,
    on_hand: int,
    *,
    positive_list: PositiveList,
) -> StockLevel:
    """A stock count: the units of the product now in the warehouse."""
    if isinstance(on_hand, bool) or not isinstance(on_hand, int) or not 0 <= on_hand <= MAX_UNITS:
        raise ValidationFailed(
            "Stock on hand is a whole number, zero or more.", code="invalid_quantity"
        )
    with db.transaction() as session:
        product = writable_product(session, actor, product_id)
        warehouse = session.get(Warehouse, warehouse_id)
        if warehouse is None:
            raise NotFound("No such warehouse.", code="warehouse_not_found")
        check_stock_placement(positive_list.line_for(product.hs_code), warehouse.kind)
        if not _set_on_hand(session, product_id, warehouse_id, on_hand):
            reserved = session.scalar(
                select(Stock.reserved).where(*_cell(product_id, warehouse_id))
            )
            if reserved is not None:
                raise _below_reserved(reserved)
            try:
                with session.begin_nested():
                    session.add(
                        Stock(
                            product_id=product_id,
                            warehouse_id=warehouse_id,
                            on_hand=on_hand,
                            reserved=0,
                            updated_at=utcnow(),
                        )
                    )
            except IntegrityError:
                # Another first count inserted the row meanwhile: apply ours over it.
                if not _set_on_hand(session, product_id, warehouse_id, on_hand):
                    held = session.scalar(
                        select(Stock.reserved).where(*_cell(product_id, warehouse_id))
                    )
                    raise _below_reserved(held or 0) from None
        record_audit(
            session,
            actor,
            "stock.set",
            "product",
            product_id,
            {"warehouse_id": warehouse_id, "on_hand": on_hand},
        )
        row = session.execute(
            select(Stock)
            .where(*_cell(product_id, warehouse_id))
            .execution_options(populate_existing=True)
        ).scalar_one()
        return StockLevel(
            product_id, warehouse_id, warehouse.code, warehouse.kind, row.on_hand, row.reserved
        )


def list_stock(db: Database, actor: Principal, product_id: int) -> list[StockLevel]:
    with db.reader() as session:
        writable_product(session, actor, product_id)
        rows = session.execute(
            select(Stock, Warehouse)
            .join(Warehouse, Warehouse.id == Stock.warehouse_id)
            .where(Stock.product_id == product_id)
            .order_by(Warehouse.id)
        ).all()
    return [StockLevel(s.product_id, w.id, w.code, w.kind, s.on_hand, s.reserved) for s, w in rows]
