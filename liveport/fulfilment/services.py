"""Use cases of fulfilment, one unit of work each: the pick list of a warehouse, packing an
order (its units leave the stock in the same commit), the carrier's handover, and following
the carrier's tracking events into the order's state.

A merchant works only on their own exhibitor's orders: another's order answers "not found",
like a missing one (the catalog's rule, liveport/catalog/access.py), and the pick list holds
only theirs.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liveport.accounts.domain import Principal, Role
from liveport.catalog.models import Product, Warehouse
from liveport.catalog.stock import consume_reserved_stock
from liveport.core.db import Database
from liveport.core.errors import Conflict, Forbidden, NotFound
from liveport.customs.models import Declaration
from liveport.fulfilment.domain import TrackingEvent, estimated_weight, moves_for, parcel_weight
from liveport.fulfilment.models import Parcel
from liveport.orders.domain import OrderStatus
from liveport.orders.errors import OrderNotFound
from liveport.orders.models import Order, OrderLine
from liveport.orders.services import move

WAYBILL_KIND = "511"  # the carrier's CEB511: its key is the waybill number
PICK_LIST_LIMIT = 500
TRACKED = (OrderStatus.RELEASED.value, OrderStatus.SHIPPED.value)


class OrderNotReleased(Conflict):
    code = "order_not_released"
    message = "Only an order released by customs can be packed."
    message_zh = "只有海关已放行的订单才能打包。"


class NoWaybill(Conflict):
    code = "no_waybill"
    message = "The carrier has not issued this order's waybill yet."
    message_zh = "承运商尚未为此订单签发运单。"


class StockMismatch(Conflict):
    code = "stock_mismatch"
    message = "The warehouse no longer holds this order's units."
    message_zh = "仓库中已没有此订单的预留库存。"


@dataclass(frozen=True, slots=True)
class PickLine:
    gnum: int
    sku: str
    name_zh: str
    name_en: str
    qty: int


@dataclass(frozen=True, slots=True)
class PickOrder:
    order_no: str
    exhibitor_id: int
    trade_mode: str
    logistics_no: str | None
    released_at: datetime
    lines: tuple[PickLine, ...]


@dataclass(frozen=True, slots=True)
class Packed:
    parcel_id: int
    order_no: str
    logistics_no: str
    weight_kg: Decimal
    packed_at: datetime
    handed_over_at: datetime | None
    replayed: bool


@dataclass(frozen=True, slots=True)
class OpenParcel:
    parcel_id: int
    order_id: int
    logistics_no: str
    weight_kg: Decimal
    handed_over: bool


def _check_role(actor: Principal | None) -> None:
    if actor is not None and actor.role not in (Role.OPERATOR, Role.MERCHANT):
        raise Forbidden()


def _visible(actor: Principal | None, order: Order | None) -> bool:
    """``actor`` None is the platform itself (auto-packing)."""
    return order is not None and (actor is None or actor.role is not Role.MERCHANT
                                  or order.exhibitor_id == actor.exhibitor_id)


def _waybills(session: Session, order_ids: Sequence[int]) -> dict[int, str]:
    rows = session.execute(select(Declaration.order_id, Declaration.key).where(
        Declaration.order_id.in_(order_ids), Declaration.kind == WAYBILL_KIND, Declaration.key != ""))
    return {order_id: key for order_id, key in rows}


def pick_list(db: Database, actor: Principal, warehouse_id: int) -> list[PickOrder]:
    """Released orders of the warehouse not packed yet, oldest first, with their lines."""
    _check_role(actor)
    with db.reader() as session:
        if session.get(Warehouse, warehouse_id) is None:
            raise NotFound("No such warehouse.", code="warehouse_not_found")
        query = (select(Order).outerjoin(Parcel, Parcel.order_id == Order.id)
                 .where(Order.warehouse_id == warehouse_id, Order.status == OrderStatus.RELEASED.value,
                        Parcel.id.is_(None)).order_by(Order.id).limit(PICK_LIST_LIMIT))
        if actor.role is Role.MERCHANT:
            query = query.where(Order.exhibitor_id == actor.exhibitor_id)
        orders = list(session.execute(query).scalars())
        ids = [o.id for o in orders]
        lines: dict[int, list[PickLine]] = {}
        for line in session.execute(select(OrderLine).where(OrderLine.order_id.in_(ids))
                                    .order_by(OrderLine.order_id, OrderLine.gnum)).scalars():
            lines.setdefault(line.order_id, []).append(
                PickLine(line.gnum, line.sku, line.name_zh, line.name_en, line.qty))
        waybills = _waybills(session, ids)
    return [PickOrder(o.order_no, o.exhibitor_id, o.trade_mode, waybills.get(o.id), o.updated_at,
                      tuple(lines.get(o.id, ()))) for o in orders]


def _as_packed(order_no: str, parcel: Parcel, replayed: bool) -> Packed:
    return Packed(parcel.id, order_no, parcel.logistics_no, parcel.weight_kg, parcel.packed_at, parcel.handed_over_at, replayed)


def _existing(db: Database, actor: Principal | None, order_no: str) -> Packed | None:
    with db.reader() as session:
        order = session.execute(select(Order).where(Order.order_no == order_no)).scalar_one_or_none()
        if not _visible(actor, order):
            raise OrderNotFound(details={"order_no": order_no})
        assert order is not None
        parcel = session.execute(select(Parcel).where(Parcel.order_id == order.id)).scalar_one_or_none()
    return None if parcel is None else _as_packed(order_no, parcel, replayed=True)


def pack(db: Database, actor: Principal | None, order_no: str, weight_kg: Decimal | None, now: datetime) -> Packed:
    """Records the parcel and takes its units out of the warehouse (reserved → shipped), in
    one commit. Packing again changes nothing and answers the first parcel. ``weight_kg``
    None: estimated from the products' gross weights (auto-packing)."""
    _check_role(actor)
    weight = None if weight_kg is None else parcel_weight(weight_kg)
    if (known := _existing(db, actor, order_no)) is not None:
        return known
    try:
        with db.transaction() as session:
            order = session.execute(select(Order).where(Order.order_no == order_no)).scalar_one()
            if order.status != OrderStatus.RELEASED.value:
                raise OrderNotReleased(details={"order_no": order_no, "status": order.status})
            logistics_no = _waybills(session, [order.id]).get(order.id)
            if logistics_no is None:
                raise NoWaybill(details={"order_no": order_no})
            lines = list(session.execute(select(OrderLine).where(OrderLine.order_id == order.id)).scalars())
            if weight is None:
                gross = dict(session.execute(select(Product.id, Product.gross_weight_kg).where(
                    Product.id.in_([line.product_id for line in lines]))).all())
                weight = estimated_weight((gross[line.product_id], line.qty) for line in lines)
            parcel = Parcel(order_id=order.id, warehouse_id=order.warehouse_id, logistics_no=logistics_no,
                            weight_kg=weight, packed_at=now, packed_by_user_id=actor.user_id if actor else None)
            session.add(parcel)
            session.flush()  # a concurrent pack of the same order fails here, before any stock moves
            for line in lines:
                if not consume_reserved_stock(session, line.product_id, order.warehouse_id, line.qty):
                    raise StockMismatch(details={"sku": line.sku})
            packed = _as_packed(order_no, parcel, replayed=False)
    except IntegrityError:
        if (known := _existing(db, actor, order_no)) is None:
            raise
        return known
    return packed


def due_for_auto_pack(db: Database, limit: int = 100) -> list[str]:
    with db.reader() as session:
        return list(session.execute(
            select(Order.order_no).outerjoin(Parcel, Parcel.order_id == Order.id)
            .where(Order.status == OrderStatus.RELEASED.value, Parcel.id.is_(None)).order_by(Order.id).limit(limit)
        ).scalars())


def open_parcels(db: Database, limit: int = 500) -> list[OpenParcel]:
    """Parcels still on their way: to hand over, or whose tracking to follow."""
    with db.reader() as session:
        rows = session.execute(
            select(Parcel).join(Order, Order.id == Parcel.order_id).where(Order.status.in_(TRACKED))
            .order_by(Parcel.id).limit(limit)).scalars()
        return [OpenParcel(p.id, p.order_id, p.logistics_no, p.weight_kg, p.handed_over_at is not None) for p in rows]


def record_handover(db: Database, parcel_id: int, at: datetime) -> None:
    with db.transaction() as session:
        session.execute(update(Parcel).where(Parcel.id == parcel_id, Parcel.handed_over_at.is_(None))
                        .values(handed_over_at=at).execution_options(synchronize_session=False))


def follow(db: Database, order_id: int, events: Sequence[TrackingEvent]) -> list[str]:
    """Moves the order as the carrier's events say, each step at the carrier's time; the
    statuses entered. Events already followed move nothing (the order is past them)."""
    with db.transaction() as session:
        order = session.get(Order, order_id)
        if order is None or order.status not in TRACKED:
            return []
        entered = []
        for target, event in moves_for(OrderStatus(order.status), events):
            # The carrier's times are whole seconds: a pick-up within the second of the
            # release would otherwise sort before it in the trail.
            at = max(event.at, order.updated_at)
            if not move(session, order, target, f"{event.event}: {event.description}", at):
                break
            order.updated_at = at
            entered.append(target.value)
        if events:
            session.execute(update(Parcel).where(Parcel.order_id == order_id)
                            .values(last_event=events[-1].event[:20]).execution_options(synchronize_session=False))
    return entered
