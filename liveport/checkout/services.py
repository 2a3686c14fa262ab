"""Quoting a basket or a flash-sale reservation: products, seller, warehouse, tax, limits.

``price_basket`` is the single function that turns a request into amounts; the quote API
calls it in a read-only session and order placement calls it inside its own unit of work, so
an order's amounts are the quote's by construction.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveport.buyers.consignees import owned_consignee
from liveport.buyers.models import Consignee
from liveport.buyers.quota import quota_usage, tariff_line_usage
from liveport.catalog.domain import CtRule, NetUnit, PositiveList
from liveport.catalog.models import Product, Stock, Warehouse
from liveport.checkout.domain import (
    BasketLine,
    LimitPolicy,
    TaxProfile,
    TaxQuote,
    check_order_limits,
    check_positive_list,
    compute_tax,
    remaining_quota,
)
from liveport.checkout.errors import AmbiguousSku, OneSellerPerOrder, OutOfStock, UnknownProduct
from liveport.core.clock import china_year
from liveport.core.errors import ConfigurationError
from liveport.core.settings import Settings

MAX_LINES = 99  # customs: at most 99 goods lines per order


@dataclass(frozen=True, slots=True)
class ItemRequest:
    qty: int
    sku: str | None = None
    product_id: int | None = None


@dataclass(frozen=True, slots=True)
class Buyer:
    user_id: int
    id_hash: str | None  # None: not verified yet (a quote, never an order)


@dataclass(frozen=True, slots=True)
class PricedBasket:
    quote: TaxQuote
    lines: tuple[BasketLine, ...]
    products: tuple[Product, ...]  # in line order
    exhibitor_id: int
    warehouse: Warehouse
    remaining_quota: Decimal | None
    quota_amount: Decimal  # what this order charges the annual quota with
    quota_year: int
    consignee: Consignee | None


def limit_policy(settings: Settings) -> LimitPolicy:
    return LimitPolicy(per_order_limit=settings.order_limit_cny, annual_quota=settings.annual_quota_cny,
                       relief=settings.cbec_tax_relief, discount_reduces_base=settings.discount_reduces_tax_base,
                       basis=settings.limit_basis)


def _product(session: Session, item: ItemRequest) -> Product:
    if item.product_id is not None:
        product = session.get(Product, item.product_id)
        if product is None or (item.sku is not None and product.sku != item.sku):
            raise UnknownProduct(details={"product_id": item.product_id, "sku": item.sku})
        return product
    found = list(session.execute(select(Product).where(Product.sku == item.sku).limit(2)).scalars())
    if not found:
        raise UnknownProduct(details={"sku": item.sku})
    if len(found) > 1:
        raise AmbiguousSku(details={"sku": item.sku, "product_ids": [p.id for p in found]})
    return found[0]


def basket_line(product: Product, qty: int, unit_price: Decimal) -> BasketLine:
    tax = TaxProfile(vat_rate=product.vat_rate, ct_rule=CtRule(product.ct_rule), ct_rate=product.ct_rate,
                     ct_min_per_ml_g=product.ct_min_per_ml_g, ct_min_per_sheet=product.ct_min_per_sheet,
                     net_content=product.net_content,
                     net_unit=NetUnit(product.net_content_unit) if product.net_content_unit else None)
    return BasketLine(sku=product.sku, product_id=product.id, name=product.name_zh, qty=qty,
                      unit_price=unit_price, tax=tax, hs_code=product.hs_code,
                      legal_unit=product.legal_unit, legal_qty=product.legal_qty)


def _merged(items: Sequence[ItemRequest], session: Session) -> list[tuple[Product, int]]:
    """The same product asked for twice is one line with both quantities."""
    merged: dict[int, tuple[Product, int]] = {}
    for item in items:
        product = _product(session, item)
        held = merged.get(product.id)
        merged[product.id] = (product, item.qty + (held[1] if held else 0))
    return list(merged.values())


def candidate_warehouses(session: Session, wanted: Sequence[tuple[int, int]]) -> list[Warehouse]:
    """Warehouses holding every wanted (product, qty) right now, bonded first (1210 ships
    from inside China, faster and cheaper), then by id for a stable choice."""
    product_ids = [pid for pid, _ in wanted]
    rows = session.execute(
        select(Stock.warehouse_id, Stock.product_id, Stock.on_hand - Stock.reserved)
        .where(Stock.product_id.in_(product_ids))
    ).all()
    available: dict[int, dict[int, int]] = {}
    for warehouse_id, product_id, free in rows:
        available.setdefault(warehouse_id, {})[product_id] = free
    ids = [w for w, stock in available.items() if all(stock.get(pid, 0) >= qty for pid, qty in wanted)]
    if not ids:
        return []
    found = session.execute(select(Warehouse).where(Warehouse.id.in_(ids))).scalars()
    return sorted(found, key=lambda w: (w.kind != "bonded", w.id))


def _check_seller(products: Sequence[Product]) -> int:
    sellers = sorted({p.exhibitor_id for p in products})
    if len(sellers) > 1:
        raise OneSellerPerOrder(details={"exhibitor_ids": sellers})
    return sellers[0]


def price_basket(session: Session, settings: Settings, plist: PositiveList, *, items: Sequence[ItemRequest],
                 freight: Decimal, buyer: Buyer | None, consignee_id: int | None, now: datetime,
                 warehouse_id: int | None = None, unit_price: Decimal | None = None) -> PricedBasket:
    """Everything checkout refuses, refused here, in the order a buyer can act on.

    ``warehouse_id`` and ``unit_price`` are given for a flash-sale reservation: its units
    were carved out of that warehouse when the drop was created, at the drop's price.
    """
    consignee = owned_consignee(session, buyer.user_id, consignee_id) if buyer and consignee_id else None
    picked = _merged(items, session)
    if len(picked) > MAX_LINES:
        raise OneSellerPerOrder(f"An order has at most {MAX_LINES} lines.", code="too_many_lines",
                                message_zh=f"一个订单最多 {MAX_LINES} 行商品。")
    exhibitor_id = _check_seller([p for p, _ in picked])
    if warehouse_id is not None:
        warehouse = session.get(Warehouse, warehouse_id)
        if warehouse is None:  # a drop names a warehouse by foreign key: only a broken database
            raise ConfigurationError(code="warehouse_missing", details={"warehouse_id": warehouse_id})
    else:
        choices = candidate_warehouses(session, [(p.id, q) for p, q in picked])
        if not choices:
            raise OutOfStock(details={"skus": [p.sku for p, _ in picked]})
        warehouse = choices[0]
    lines = tuple(basket_line(p, q, unit_price if unit_price is not None else p.price_cny) for p, q in picked)
    year = china_year(now)
    remaining: Decimal | None = None
    used_lines: dict[str, Decimal] = {}
    if buyer is not None and buyer.id_hash is not None:
        usage = quota_usage(session, buyer.id_hash, year)
        remaining = remaining_quota(settings.annual_quota_cny, usage.used, usage.held)
        hs8s = sorted({line.hs_code[:8] for line in lines})
        used_lines = {hs8: u.taken for hs8, u in tariff_line_usage(session, buyer.id_hash, year, hs8s).items()}
    check_positive_list(lines, plist, {line.sku: warehouse.kind for line in lines}, used_lines)
    policy = limit_policy(settings)
    quote = compute_tax(lines, freight, policy=policy)
    check_order_limits(quote, lines, policy, remaining)
    return PricedBasket(quote=quote, lines=lines, products=tuple(p for p, _ in picked), exhibitor_id=exhibitor_id,
                        warehouse=warehouse, remaining_quota=remaining, quota_amount=policy.counted_value(quote),
                        quota_year=year, consignee=consignee)
