"""Placing, reading and moving orders. One use case = one function = one unit of work.

Placement prices the basket with the quote's own function inside the transaction, then takes
every hold with a conditional UPDATE (warehouse stock for a basket, the annual quota, the
positive list's yearly caps): when one fails the whole unit of work rolls back, so nothing
is half held. Moving an order's state is a conditional UPDATE on its current state; only the
transaction that moved it gives holds back, so a replay changes nothing.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liveport.buyers import quota
from liveport.catalog.domain import PositiveList
from liveport.catalog.stock import release_stock, reserve_stock
from liveport.checkout.caps import capped_quantities
from liveport.checkout.errors import OutOfStock
from liveport.checkout.domain import BasketLine
from liveport.checkout.services import Buyer, ItemRequest, PricedBasket, price_basket
from liveport.core.clock import utcnow
from liveport.core.db import Database
from liveport.core.outbox.services import add_event
from liveport.core.settings import Settings
from liveport.flashsale.domain import Reservation, ReservationStatus
from liveport.flashsale.models import Drop
from liveport.orders.domain import (
    OrderStatus,
    Source,
    check_transition,
    new_order_no,
    trade_mode_for,
)
from liveport.orders.errors import (
    ConsigneeRequired,
    IdempotencyKeyReused,
    IdentityRequired,
    OrderNotFound,
    QuotaRaceLost,
    ReservationUnusable,
    YearlyCapRaceLost,
)
from liveport.orders.models import Order, OrderEvent, OrderLine


@dataclass(frozen=True, slots=True)
class NewOrder:
    idempotency_key: str
    consignee_id: int | None
    freight: Decimal
    items: tuple[ItemRequest, ...] = ()
    reservation: Reservation | None = None  # as the gate holds it, read just before

    def digest(self) -> str:
        body = {"consignee": self.consignee_id, "freight": str(self.freight),
                "items": [[i.sku, i.product_id, i.qty] for i in self.items],
                "reservation": self.reservation.id if self.reservation else None}
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Placed:
    order: Order
    replayed: bool


def _existing(session: Session, user_id: int, key: str) -> Order | None:
    return session.execute(
        select(Order).where(Order.buyer_user_id == user_id, Order.idempotency_key == key)
    ).scalar_one_or_none()


def _replay(order: Order, new: NewOrder) -> Placed:
    if order.request_digest != new.digest():
        raise IdempotencyKeyReused(details={"order_no": order.order_no})
    return Placed(order, replayed=True)


def _drop_for(session: Session, buyer: Buyer, reservation: Reservation, now: datetime) -> Drop:
    usable = (reservation.buyer_key == buyer.id_hash and reservation.status is ReservationStatus.RESERVED
              and reservation.expires_at > now)
    drop = session.get(Drop, reservation.drop_id) if usable else None
    if drop is None:
        raise ReservationUnusable(details={"reservation_id": reservation.id})
    return drop


def _price(session: Session, settings: Settings, plist: PositiveList, buyer: Buyer, new: NewOrder,
           now: datetime) -> tuple[PricedBasket, Drop | None]:
    if new.reservation is None:
        return price_basket(session, settings, plist, items=new.items, freight=new.freight, buyer=buyer,
                            consignee_id=new.consignee_id, now=now), None
    drop = _drop_for(session, buyer, new.reservation, now)
    item = ItemRequest(qty=new.reservation.qty, product_id=drop.product_id)
    priced = price_basket(session, settings, plist, items=[item], freight=new.freight, buyer=buyer,
                          consignee_id=new.consignee_id, now=now, warehouse_id=drop.warehouse_id,
                          unit_price=drop.price)
    return priced, drop


def _caps(lines: Sequence[BasketLine] | Sequence[OrderLine], plist: PositiveList) -> list[tuple[str, Decimal, Decimal]]:
    """(tariff line, legal quantity, yearly cap) the order holds against the positive list."""
    return capped_quantities(((ln.hs_code, ln.qty, ln.legal_qty, ln.legal_unit) for ln in lines), plist)


def _take_holds(session: Session, settings: Settings, plist: PositiveList, buyer_hash: str, priced: PricedBasket,
                from_drop: bool) -> None:
    if not from_drop:  # a reservation's units were carved out of the warehouse with its drop
        for line in priced.lines:
            if not reserve_stock(session, line.product_id, priced.warehouse.id, line.qty):
                raise OutOfStock(details={"sku": line.sku})
    if not quota.hold_quota(session, buyer_hash, priced.quota_year, priced.quota_amount, settings.annual_quota_cny):
        raise QuotaRaceLost()
    for hs8, qty, cap in _caps(priced.lines, plist):
        if not quota.hold_tariff_line(session, buyer_hash, priced.quota_year, hs8, qty, cap):
            raise YearlyCapRaceLost(details={"hs8": hs8})


def _record(session: Session, buyer: Buyer, new: NewOrder, priced: PricedBasket, drop: Drop | None,
            now: datetime, settings: Settings) -> Order:
    quote, consignee = priced.quote, priced.consignee
    assert consignee is not None and buyer.id_hash is not None
    expires = (new.reservation.expires_at if new.reservation is not None
               else now + timedelta(minutes=settings.order_payment_minutes))
    order = Order(
        order_no=new_order_no(now), buyer_user_id=buyer.user_id, id_hash=buyer.id_hash,
        idempotency_key=new.idempotency_key, request_digest=new.digest(), status=OrderStatus.PENDING_PAYMENT.value,
        source=(Source.DROP if drop else Source.BASKET).value, exhibitor_id=priced.exhibitor_id,
        warehouse_id=priced.warehouse.id, trade_mode=trade_mode_for(priced.warehouse.kind).value,
        drop_id=drop.id if drop else None, reservation_id=new.reservation.id if new.reservation else None,
        show_id=drop.show_id if drop else None, regime=quote.regime.value, goods_value=quote.goods_value,
        freight=quote.freight, insurance=quote.insurance, discount=quote.discount, tax_total=quote.tax_total,
        actural_paid=quote.actural_paid, dutiable_value=quote.dutiable_value, quota_year=priced.quota_year,
        quota_amount=priced.quota_amount,
        consignee_name=consignee.name, consignee_phone=consignee.phone, consignee_address=consignee.address,
        consignee_district=consignee.district_code, created_at=now, expires_at=expires, updated_at=now,
    )
    session.add(order)
    session.flush()
    for gnum, (line, taxed, product) in enumerate(zip(priced.lines, quote.lines, priced.products, strict=True), 1):
        session.add(OrderLine(
            order_id=order.id, gnum=gnum, product_id=product.id, sku=product.sku, name_zh=product.name_zh,
            name_en=product.name_en, hs_code=product.hs_code, origin_country=product.origin_country,
            trading_unit=product.trading_unit, legal_unit=product.legal_unit, legal_qty=product.legal_qty,
            qty=line.qty, unit_price=line.unit_price, goods_value=taxed.goods_value,
            freight_share=taxed.freight_share, insurance_share=taxed.insurance_share,
            discount_share=taxed.discount_share, dutiable_value=taxed.dutiable_value,
            vat_rate=product.vat_rate, ct_rate=product.ct_rate if taxed.ct_applies else Decimal(0),
            consumption_tax=taxed.consumption_tax, vat=taxed.vat, tax_total=taxed.tax_total))
    session.add(OrderEvent(order_id=order.id, status=order.status, reason="placed", at=now))
    add_event(session, "order.placed", {"order_no": order.order_no, "actural_paid": str(order.actural_paid),
                                        "source": order.source, "drop_id": order.drop_id},
              aggregate_type="order", aggregate_id=order.id)
    return order


def place_order(db: Database, settings: Settings, plist: PositiveList, buyer: Buyer, new: NewOrder,
                now: datetime | None = None) -> Placed:
    """Create a pending-payment order from a basket or a flash-sale reservation; the same
    Idempotency-Key always answers with the same order."""
    now = now or utcnow()
    if buyer.id_hash is None:
        raise IdentityRequired()
    if new.consignee_id is None:
        raise ConsigneeRequired()
    try:
        with db.transaction() as session:
            if (found := _existing(session, buyer.user_id, new.idempotency_key)) is not None:
                return _replay(found, new)
            priced, drop = _price(session, settings, plist, buyer, new, now)
            _take_holds(session, settings, plist, buyer.id_hash, priced, from_drop=drop is not None)
            order = _record(session, buyer, new, priced, drop, now, settings)
    except IntegrityError:
        # The same key raced itself, or the reservation already has its order: answer with it.
        with db.reader() as session:
            found = _existing(session, buyer.user_id, new.idempotency_key)
        if found is None:
            raise ReservationUnusable(details={"reservation_id": new.reservation.id if new.reservation else None}) from None
        return _replay(found, new)
    return Placed(order, replayed=False)


# ---- reading ----


def get_order(db: Database, order_no: str, *, buyer_user_id: int | None) -> tuple[Order, list[OrderLine], list[OrderEvent]]:
    """An order with its lines and trail; ``buyer_user_id`` limits it to that buyer's own
    (another buyer's order is "not found", never "forbidden": numbers are not confirmed)."""
    with db.reader() as session:
        order = session.execute(select(Order).where(Order.order_no == order_no)).scalar_one_or_none()
        if order is None or (buyer_user_id is not None and order.buyer_user_id != buyer_user_id):
            raise OrderNotFound(details={"order_no": order_no})
        lines = list(session.execute(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.gnum)).scalars())
        events = list(session.execute(select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)).scalars())
    return order, lines, events


def list_orders(db: Database, buyer_user_id: int, limit: int = 100) -> list[Order]:
    with db.reader() as session:
        return list(session.execute(
            select(Order).where(Order.buyer_user_id == buyer_user_id).order_by(Order.id.desc()).limit(limit)
        ).scalars())


def lines_of(db: Database, order_ids: Sequence[int]) -> dict[int, list[OrderLine]]:
    return _grouped(db, OrderLine, order_ids, OrderLine.gnum)


def trails_of(db: Database, order_ids: Sequence[int]) -> dict[int, list[OrderEvent]]:
    return _grouped(db, OrderEvent, order_ids, OrderEvent.id)


def _grouped(db: Database, model: type[OrderLine | OrderEvent], order_ids: Sequence[int],
             order_by: object) -> dict[int, list]:  # type: ignore[type-arg]
    grouped: dict[int, list] = {}  # type: ignore[type-arg]
    if not order_ids:
        return grouped
    with db.reader() as session:
        for row in session.execute(select(model).where(model.order_id.in_(order_ids)).order_by(order_by)).scalars():
            grouped.setdefault(row.order_id, []).append(row)
    return grouped


# ---- moving ----


def move(session: Session, order: Order, target: OrderStatus, reason: str, now: datetime) -> bool:
    """Move ``order`` to ``target`` if it is still in the state it was read in; False when
    another transaction moved it first (the caller then does nothing more)."""
    current = OrderStatus(order.status)
    check_transition(current, target)
    result = session.execute(
        update(Order).where(Order.id == order.id, Order.status == current.value)
        .values(status=target.value, updated_at=now).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    order.status = target.value
    session.add(OrderEvent(order_id=order.id, status=target.value, reason=reason[:200], at=now))
    add_event(session, f"order.{target.value}", {"order_no": order.order_no, "reason": reason[:200]},
              aggregate_type="order", aggregate_id=order.id)
    return True


def release_holds(session: Session, order: Order, lines: Sequence[OrderLine], plist: PositiveList) -> None:
    """Give back what an unpaid order held: stock (basket orders), quota, tariff-line caps."""
    if order.source == Source.BASKET.value:
        for line in lines:
            release_stock(session, line.product_id, order.warehouse_id, line.qty)
    quota.release_quota_hold(session, order.id_hash, order.quota_year, order.quota_amount)
    for hs8, qty, _cap in _caps(lines, plist):
        quota.release_tariff_line_hold(session, order.id_hash, order.quota_year, hs8, qty)


def due_for_expiry(db: Database, now: datetime, limit: int = 500) -> list[int]:
    with db.reader() as session:
        return list(session.execute(
            select(Order.id).where(Order.status == OrderStatus.PENDING_PAYMENT.value, Order.expires_at <= now)
            .order_by(Order.expires_at).limit(limit)
        ).scalars())


def expire_order(db: Database, plist: PositiveList, order_id: int, now: datetime) -> bool:
    """An unpaid order past its time: expired, and its holds given back (a drop order's
    reservation lapses in the gate at the same moment, by its own clock)."""
    with db.transaction() as session:
        order = session.get(Order, order_id)
        if order is None or order.status != OrderStatus.PENDING_PAYMENT.value or order.expires_at > now:
            return False
        if not move(session, order, OrderStatus.EXPIRED, "not paid in time", now):
            return False
        lines = list(session.execute(select(OrderLine).where(OrderLine.order_id == order.id)).scalars())
        release_holds(session, order, lines, plist)
    return True


def consume_holds(session: Session, order: Order, lines: Sequence[OrderLine], plist: PositiveList) -> None:
    """The order was paid: its quota and tariff-line holds become use (stock stays held
    until the parcel leaves the warehouse)."""
    quota.consume_quota_hold(session, order.id_hash, order.quota_year, order.quota_amount)
    for hs8, qty, _cap in _caps(lines, plist):
        quota.consume_tariff_line_hold(session, order.id_hash, order.quota_year, hs8, qty)


def mark_paid(session: Session, order: Order, plist: PositiveList, reason: str, now: datetime) -> bool:
    """Inside the payment's unit of work: pending_payment → paid, holds consumed. False (and
    nothing changed) when the order was no longer awaiting payment."""
    if order.status != OrderStatus.PENDING_PAYMENT.value:
        return False
    if not move(session, order, OrderStatus.PAID, reason, now):
        return False
    lines = list(session.execute(select(OrderLine).where(OrderLine.order_id == order.id)).scalars())
    consume_holds(session, order, lines, plist)
    return True


def give_back_paid_holds(session: Session, order: Order, lines: Sequence[OrderLine], plist: PositiveList) -> None:
    """A paid order that will not be delivered (cancelled before release, rejected by
    customs): its quota and tariff-line use come back (cross-border.md §5) and its units go
    back to the warehouse."""
    quota.give_back_quota(session, order.id_hash, order.quota_year, order.quota_amount)
    for hs8, qty, _cap in _caps(lines, plist):
        quota.give_back_tariff_line(session, order.id_hash, order.quota_year, hs8, qty)
    for line in lines:
        release_stock(session, line.product_id, order.warehouse_id, line.qty)


def lines_in(session: Session, order_id: int) -> list[OrderLine]:
    return list(session.execute(select(OrderLine).where(OrderLine.order_id == order_id)).scalars())
