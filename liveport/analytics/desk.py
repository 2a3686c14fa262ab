"""The merchant desk's reads: one exhibitor's products and stock, drops, orders with their
customs and shipping status, and its settlement statement from the ledger.

Every function takes the exhibitor the caller acts for and filters by it in SQL: another
exhibitor's order or product is ``NotFound``, the same answer as one that does not exist, so
a merchant cannot even confirm that another's order number is real.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from liveport.accounts.domain import Principal, Role
from liveport.catalog.models import Exhibitor, Product, Stock, Warehouse
from liveport.core.db import Database
from liveport.core.errors import Forbidden, NotFound
from liveport.customs.models import Declaration
from liveport.flashsale.models import Drop
from liveport.fulfilment.models import Parcel
from liveport.orders.models import Order, OrderLine
from liveport.payments.models import LedgerJournal, LedgerPosting
from liveport.payments.settlement import exhibitor_account


@dataclass(frozen=True, slots=True)
class StockRow:
    warehouse_code: str
    warehouse_kind: str
    on_hand: int
    reserved: int


@dataclass(frozen=True, slots=True)
class ProductRow:
    id: int
    sku: str
    name_zh: str
    name_en: str
    price_cny: Decimal
    origin_country: str
    hs_code: str
    stock: list[StockRow]


@dataclass(frozen=True, slots=True)
class DropRow:
    id: int
    show_id: int
    product_id: int
    sku: str
    quantity: int
    price: Decimal
    status: str
    opens_at: datetime


@dataclass(frozen=True, slots=True)
class OrderRow:
    order_no: str
    status: str
    created_at: datetime
    actural_paid: Decimal
    units: int
    customs: dict[str, str]  # message kind → declaration status
    parcel: str | None  # waybill number and the last tracking step, when packed


@dataclass(frozen=True, slots=True)
class OrderDetail:
    row: OrderRow
    lines: list[OrderLine]
    declarations: list[Declaration]


@dataclass(frozen=True, slots=True)
class StatementLine:
    at: datetime
    kind: str
    order_no: str | None
    amount: Decimal  # + owed to the exhibitor, − taken back


@dataclass(frozen=True, slots=True)
class Statement:
    exhibitor_id: int
    balance: Decimal
    lines: list[StatementLine]


def exhibitor_of(actor: Principal) -> int:
    """The exhibitor a merchant acts for (a merchant account without one may see nothing)."""
    if actor.role is not Role.MERCHANT or actor.exhibitor_id is None:
        raise Forbidden("The merchant desk is for an exhibitor's merchants.", code="not_a_merchant")
    return actor.exhibitor_id


def exhibitor_name(db: Database, exhibitor_id: int) -> tuple[str, str]:
    with db.reader() as session:
        row = session.get(Exhibitor, exhibitor_id)
        return (row.name_zh, row.name_en) if row is not None else ("—", "—")


def _stock(session, product_ids: list[int]) -> dict[int, list[StockRow]]:
    out: dict[int, list[StockRow]] = {}
    if not product_ids:
        return out
    for s, w in session.execute(select(Stock, Warehouse).join(Warehouse, Warehouse.id == Stock.warehouse_id)
                                .where(Stock.product_id.in_(product_ids)).order_by(Stock.product_id, Warehouse.id)):
        out.setdefault(s.product_id, []).append(StockRow(w.code, w.kind, s.on_hand, s.reserved))
    return out


def _product_row(p: Product, stock: list[StockRow]) -> ProductRow:
    return ProductRow(p.id, p.sku, p.name_zh, p.name_en, p.price_cny, p.origin_country, p.hs_code, stock)


def products(db: Database, exhibitor_id: int, limit: int = 200) -> list[ProductRow]:
    with db.reader() as session:
        rows = list(session.scalars(select(Product).where(Product.exhibitor_id == exhibitor_id)
                                    .order_by(Product.id).limit(limit)))
        stock = _stock(session, [p.id for p in rows])
    return [_product_row(p, stock.get(p.id, [])) for p in rows]


def product(db: Database, exhibitor_id: int, product_id: int) -> ProductRow:
    with db.reader() as session:
        p = session.scalars(select(Product).where(Product.id == product_id,
                                                  Product.exhibitor_id == exhibitor_id)).one_or_none()
        if p is None:
            raise NotFound("No such product among yours.", code="product_not_found")
        return _product_row(p, _stock(session, [p.id]).get(p.id, []))


def drops(db: Database, exhibitor_id: int, limit: int = 100) -> list[DropRow]:
    with db.reader() as session:
        rows = session.execute(select(Drop, Product.sku).join(Product, Product.id == Drop.product_id)
                               .where(Product.exhibitor_id == exhibitor_id).order_by(Drop.id.desc()).limit(limit))
        return [DropRow(d.id, d.show_id, d.product_id, sku, d.quantity, d.price, d.status, d.opens_at)
                for d, sku in rows]


def _order_rows(session, orders: list[Order]) -> list[OrderRow]:
    ids = [o.id for o in orders]
    units: dict[int, int] = dict(session.execute(
        select(OrderLine.order_id, func.sum(OrderLine.qty)).where(OrderLine.order_id.in_(ids))
        .group_by(OrderLine.order_id)).all()) if ids else {}
    customs: dict[int, dict[str, str]] = {}
    for order_id, kind, status in session.execute(
            select(Declaration.order_id, Declaration.kind, Declaration.status)
            .where(Declaration.order_id.in_(ids)).order_by(Declaration.kind)) if ids else ():
        customs.setdefault(order_id, {})[kind] = status
    parcels = {p.order_id: p for p in session.scalars(select(Parcel).where(Parcel.order_id.in_(ids)))} if ids else {}
    return [OrderRow(o.order_no, o.status, o.created_at, o.actural_paid, int(units.get(o.id, 0)),
                     customs.get(o.id, {}),
                     f"{parcels[o.id].logistics_no} · {parcels[o.id].last_event or 'packed'}" if o.id in parcels else None)
            for o in orders]


def orders(db: Database, exhibitor_id: int, limit: int = 100) -> list[OrderRow]:
    """Newest first; orders still waiting for payment are left out (not a sale yet)."""
    with db.reader() as session:
        rows = list(session.scalars(select(Order).where(Order.exhibitor_id == exhibitor_id,
                                                        Order.status != "pending_payment")
                                    .order_by(Order.id.desc()).limit(limit)))
        return _order_rows(session, rows)


def order(db: Database, exhibitor_id: int, order_no: str) -> OrderDetail:
    with db.reader() as session:
        row = session.scalars(select(Order).where(Order.order_no == order_no,
                                                  Order.exhibitor_id == exhibitor_id)).one_or_none()
        if row is None:
            raise NotFound("No such order among yours.", code="order_not_found")
        lines = list(session.scalars(select(OrderLine).where(OrderLine.order_id == row.id).order_by(OrderLine.gnum)))
        declarations = list(session.scalars(select(Declaration).where(Declaration.order_id == row.id)
                                            .order_by(Declaration.id)))
        return OrderDetail(_order_rows(session, [row])[0], lines, declarations)


def statement(db: Database, exhibitor_id: int, limit: int = 200) -> Statement:
    """The exhibitor's account in the ledger: its balance (what the platform owes it) and the
    latest movements, each signed as the exhibitor sees it (credit to it = +)."""
    account = exhibitor_account(exhibitor_id)
    with db.reader() as session:
        total = session.execute(select(func.sum(LedgerPosting.amount))
                                .where(LedgerPosting.account == account)).scalar_one()
        rows = session.execute(
            select(LedgerJournal.at, LedgerJournal.kind, Order.order_no, LedgerPosting.amount)
            .join(LedgerPosting, LedgerPosting.journal_id == LedgerJournal.id)
            .outerjoin(Order, Order.id == LedgerJournal.order_id)
            .where(LedgerPosting.account == account).order_by(LedgerJournal.id.desc()).limit(limit)).all()
    return Statement(exhibitor_id, -Decimal(total or 0),
                     [StatementLine(at, kind, no, -Decimal(amount)) for at, kind, no, amount in rows])
