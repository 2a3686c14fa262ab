"""Drop use cases: create (carving the stock out), open, close (giving back what did not
sell), expire unpaid reservations. One database unit of work each.

The use cases that also move the gate are async (the gate is); their database work runs in
a thread, in one transaction, and the gate call comes before or after it in the order that
leaves a retry safe: every gate call is idempotent.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from liveport.accounts.domain import Principal, Role
from liveport.accounts.services import record_audit
from liveport.catalog.services import release_stock, reserve_stock
from liveport.core.clock import utcnow
from liveport.core.db import Database
from liveport.core.errors import Conflict, Forbidden, NotFound
from liveport.flashsale.domain import (
    DropSpec,
    DropState,
    DropStatus,
    Reservation,
    check_new_drop,
    from_ms,
    to_ms,
    units_to_return,
)
from liveport.flashsale.models import Drop
from liveport.flashsale.ports import FlashSaleGate
from liveport.shows.models import Show, ShowHost


@dataclass(frozen=True, slots=True)
class NewDrop:
    show_id: int
    product_id: int
    warehouse_id: int
    quantity: int
    price: Decimal  # CNY
    per_buyer_limit: int
    opens_at: datetime
    closes_at: datetime | None = None


def spec_of(drop: Drop) -> DropSpec:
    closes = None if drop.closes_at is None else to_ms(drop.closes_at)
    return DropSpec(drop.id, drop.quantity, drop.per_buyer_limit, drop.hold_s, closes)


def _require_host(session: Session, actor: Principal, show_id: int) -> None:
    if actor.role is Role.OPERATOR:
        return
    host = session.scalar(select(ShowHost.id).where(ShowHost.show_id == show_id,
                                                    ShowHost.user_id == actor.user_id))
    if host is None:
        raise Forbidden("Only the show's hosts or an operator may do that.", code="not_a_host_of_this_show")


def _load(session: Session, drop_id: int) -> Drop:
    drop = session.get(Drop, drop_id)
    if drop is None:
        raise NotFound("No such drop.", code="drop_not_found")
    return drop


# ---- database units of work -------------------------------------------------------------

def record_new_drop(db: Database, actor: Principal, new: NewDrop, *, hold_s: int) -> Drop:
    """Check, carve the quantity out of the warehouse's stock, store the drop, audit."""
    check_new_drop(new.quantity, new.per_buyer_limit, new.price, new.opens_at, new.closes_at)
    with db.transaction() as session:
        show = session.get(Show, new.show_id)
        if show is None:
            raise NotFound("No such show.", code="show_not_found")
        _require_host(session, actor, new.show_id)
        if show.status == "ended":
            raise Conflict("The show has ended.", code="show_ended")
        if not reserve_stock(session, new.product_id, new.warehouse_id, new.quantity):
            raise Conflict("The warehouse does not have that many units of the product available.",
                           code="insufficient_stock")
        drop = Drop(show_id=new.show_id, product_id=new.product_id, warehouse_id=new.warehouse_id,
                    quantity=new.quantity, price=new.price, currency="CNY",
                    per_buyer_limit=new.per_buyer_limit, hold_s=hold_s, opens_at=new.opens_at,
                    closes_at=new.closes_at, status=DropState.SCHEDULED.value, returned_qty=0,
                    created_by=actor.user_id)
        session.add(drop)
        session.flush()
        record_audit(session, actor, "drop.create", "drop", drop.id,
                     {"show_id": new.show_id, "product_id": new.product_id, "warehouse_id": new.warehouse_id,
                      "quantity": new.quantity, "price": str(new.price), "per_buyer_limit": new.per_buyer_limit})
        return drop


def controllable_drop(db: Database, actor: Principal, drop_id: int) -> Drop:
    """The drop, if the actor may open or close it (a host of its show, or an operator)."""
    with db.reader() as session:
        drop = _load(session, drop_id)
        _require_host(session, actor, drop.show_id)
        return drop


def record_opened(db: Database, actor: Principal, drop_id: int, status: DropStatus) -> Drop:
    with db.transaction() as session:
        drop = _load(session, drop_id)
        if drop.status == DropState.SCHEDULED.value:
            drop.status = status.state.value
            drop.opened_at = utcnow()
            drop.sales_start_at = None if status.opens_at_ms is None else from_ms(status.opens_at_ms)
            record_audit(session, actor, "drop.open", "drop", drop_id,
                         {"sales_start_at": drop.sales_start_at.isoformat() if drop.sales_start_at else None})
        return drop


def record_closed(db: Database, actor: Principal | None, drop_id: int, on_sale: int) -> Drop:
    """Mark the drop closed and give the units on sale back to the warehouse."""
    with db.transaction() as session:
        drop = _load(session, drop_id)
        if drop.status != DropState.CLOSED.value:
            drop.status, drop.closed_at = DropState.CLOSED.value, utcnow()
            if actor is not None:
                record_audit(session, actor, "drop.close", "drop", drop_id, {"on_sale": on_sale})
        _give_back(session, drop, on_sale)
        return drop


def return_lapsed_units(db: Database, drop_id: int, on_sale: int) -> int:
    """A closed drop's reservations lapsed: their units go back to the warehouse."""
    with db.transaction() as session:
        drop = _load(session, drop_id)
        if drop.status != DropState.CLOSED.value:
            return 0
        return _give_back(session, drop, on_sale)


def _give_back(session: Session, drop: Drop, on_sale: int) -> int:
    n = units_to_return(on_sale, drop.returned_qty)
    if n == 0:
        return 0
    # Compare-and-set on what was returned so far: two processes closing or expiring the
    # same drop never give the same units back twice.
    moved = session.execute(
        update(Drop).where(Drop.id == drop.id, Drop.returned_qty == drop.returned_qty)
        .values(returned_qty=Drop.returned_qty + n).execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        return 0
    if not release_stock(session, drop.product_id, drop.warehouse_id, n):
        raise Conflict("The warehouse no longer holds the drop's units.", code="stock_mismatch")
    session.refresh(drop)
    return n


def get_drop(db: Database, drop_id: int) -> Drop:
    with db.reader() as session:
        return _load(session, drop_id)


def list_drops(db: Database, show_id: int) -> list[Drop]:
    with db.reader() as session:
        return list(session.scalars(select(Drop).where(Drop.show_id == show_id).order_by(Drop.id)))


def drops_due_to_close(db: Database, now: datetime) -> list[int]:
    with db.reader() as session:
        return list(session.scalars(select(Drop.id).where(
            Drop.status != DropState.CLOSED.value, Drop.closes_at.is_not(None), Drop.closes_at <= now)))


# ---- use cases that move the gate too ------------------------------------------------------

async def create_drop(db: Database, gate: FlashSaleGate, actor: Principal, new: NewDrop, *,
                      hold_s: int) -> Drop:
    drop = await asyncio.to_thread(record_new_drop, db, actor, new, hold_s=hold_s)
    await gate.load(spec_of(drop))  # a failure here is repaired by opening: load is idempotent
    return drop


async def open_drop(db: Database, gate: FlashSaleGate, actor: Principal, drop_id: int, *,
                    countdown_s: int = 0, now: datetime | None = None) -> Drop:
    drop = await asyncio.to_thread(controllable_drop, db, actor, drop_id)
    if drop.status == DropState.CLOSED.value:
        raise Conflict("The drop is closed.", code="drop_closed")
    await gate.load(spec_of(drop))
    status = await gate.open(drop_id, now or utcnow(), countdown_s)
    return await asyncio.to_thread(record_opened, db, actor, drop_id, status)


async def close_drop(db: Database, gate: FlashSaleGate, actor: Principal | None, drop_id: int, *,
                     now: datetime | None = None) -> Drop:
    """Stop sales first (the gate), then record it and give the unsold units back."""
    if actor is not None:
        drop = await asyncio.to_thread(controllable_drop, db, actor, drop_id)
    else:
        drop = await asyncio.to_thread(get_drop, db, drop_id)
    await gate.load(spec_of(drop))
    status = await gate.close(drop_id, now or utcnow())
    return await asyncio.to_thread(record_closed, db, actor, drop_id, status.counts.on_sale)


async def expire_reservations(db: Database, gate: FlashSaleGate, now: datetime, *,
                              batch: int = 1000) -> list[Reservation]:
    """Release unpaid reservations whose hold ran out; a closed drop's units go home."""
    released: list[Reservation] = []
    while True:
        chunk = await gate.expire_due(now, batch)
        released.extend(chunk)
        if len(chunk) < batch:
            break
    for drop_id in sorted({r.drop_id for r in released}):
        status = await gate.status(drop_id)
        if status is not None and status.state is DropState.CLOSED:
            await asyncio.to_thread(return_lapsed_units, db, drop_id, status.counts.on_sale)
    return released


async def close_due_drops(db: Database, gate: FlashSaleGate, now: datetime) -> list[int]:
    """Drops past their closing time: claims already answer closed; close them for good."""
    due = await asyncio.to_thread(drops_due_to_close, db, now)
    for drop_id in due:
        await close_drop(db, gate, None, drop_id, now=now)
    return due
