"""Catalog use cases: FX rates and products.

Pavilions, exhibitors and warehouses live in ``liveport.catalog.venues``; stock in
``liveport.catalog.stock`` (re-exported here). Who may change a product:
an operator, or a merchant of the product's exhibitor. Another exhibitor's product answers
404, the same as a product that does not exist, so ids of other merchants' drafts do not leak.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liveport.accounts.domain import Principal, Role
from liveport.accounts.services import record_audit
from liveport.catalog.access import writable_product
from liveport.catalog.domain import (
    CNY,
    PositiveList,
    ProductDraft,
    check_fx_rate,
    check_product,
    cny_price,
    tax_class,
)
from liveport.catalog.models import Exhibitor, FxRate, Product, Stock
from liveport.catalog.reference import code_tables
from liveport.catalog.stock import (  # noqa: F401 - the catalog's public service surface
    consume_reserved_stock,
    list_stock,
    release_stock,
    reserve_stock,
    set_stock,
)
from liveport.core.clock import utcnow
from liveport.core.db import Database
from liveport.core.errors import Conflict, Forbidden, NotFound, ValidationFailed


@dataclass(frozen=True, slots=True)
class ListedProduct:
    product: Product
    pavilion_id: int
    available: int  # on hand minus reserved, over all warehouses


# --- FX rates -------------------------------------------------------------------------------


def set_fx_rate(db: Database, actor: Principal, currency: str, rate_cny: Decimal) -> FxRate:
    """A new rate for future prices; listed products keep the rate they were priced at."""
    check_fx_rate(currency, rate_cny)
    with db.transaction() as session:
        row = FxRate(
            currency=currency, rate_cny=rate_cny, set_at=utcnow(), set_by_user_id=actor.user_id
        )
        session.add(row)
        session.flush()
        record_audit(
            session, actor, "fx_rate.set", "fx_rate", currency, {"rate_cny": str(rate_cny)}
        )
        return row


def _latest_rates_query():  # type: ignore[no-untyped-def]
    newest = select(func.max(FxRate.id)).group_by(FxRate.currency)
    return select(FxRate).where(FxRate.id.in_(newest))


def list_fx_rates(db: Database) -> list[FxRate]:
    with db.reader() as session:
        return list(session.scalars(_latest_rates_query().order_by(FxRate.currency)))


def _rate_in_force(session: Session, currency: str) -> tuple[Decimal, datetime]:
    if currency == CNY:
        return Decimal(1), utcnow()
    row = session.scalar(_latest_rates_query().where(FxRate.currency == currency))
    if row is None:
        raise ValidationFailed(
            f"No FX rate is set for {currency}; an operator sets it first.",
            code="fx_rate_missing",
            details={"currency": currency},
        )
    return row.rate_cny, row.set_at


# --- products -------------------------------------------------------------------------------


def _own_exhibitor_id(actor: Principal, requested: int | None) -> int:
    if actor.role is Role.OPERATOR:
        if requested is None:
            raise ValidationFailed(
                "Say which exhibitor the product belongs to.", code="exhibitor_required"
            )
        return requested
    if actor.role is not Role.MERCHANT or actor.exhibitor_id is None:
        raise Forbidden()
    if requested is not None and requested != actor.exhibitor_id:
        raise Forbidden(
            "Merchants list products for their own exhibitor only.", code="not_your_exhibitor"
        )
    return actor.exhibitor_id


def _apply(session: Session, product: Product, draft: ProductDraft) -> None:
    rate, rate_at = _rate_in_force(session, draft.original_currency)
    tax = tax_class(draft.tax_class)
    product.sku = draft.sku
    product.name_zh = draft.name_zh
    product.name_en = draft.name_en
    product.description = draft.description
    product.hs_code = draft.hs_code
    product.origin_country = draft.origin_country
    product.trading_unit = draft.trading_unit
    product.legal_unit = draft.legal_unit
    product.legal_qty = draft.legal_qty
    product.net_content = draft.net_content
    product.net_content_unit = draft.net_content_unit.value if draft.net_content_unit else None
    product.tax_class = tax.name
    product.vat_rate = tax.vat_rate
    product.ct_rule = tax.ct_rule.value
    product.ct_rate = tax.ct_rate
    product.ct_min_per_ml_g = tax.ct_min_per_ml_g
    product.ct_min_per_sheet = tax.ct_min_per_sheet
    product.original_currency = draft.original_currency
    product.original_amount = draft.original_amount
    product.fx_rate = rate
    product.fx_rate_at = rate_at
    product.price_cny = cny_price(draft.original_amount, rate)
    product.gross_weight_kg = draft.gross_weight_kg
    product.net_weight_kg = draft.net_weight_kg
    product.barcode = draft.barcode
    product.image_url = draft.image_url
    product.updated_at = utcnow()


def _flush_unique_sku(session: Session) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "This exhibitor already has a product with that SKU.", code="sku_taken"
        ) from exc


def _sku_taken(
    session: Session, exhibitor_id: int, sku: str, other_than: int | None = None
) -> bool:
    query = select(Product.id).where(Product.exhibitor_id == exhibitor_id, Product.sku == sku)
    if other_than is not None:
        query = query.where(Product.id != other_than)
    return session.scalar(query) is not None


def create_product(
    db: Database,
    actor: Principal,
    draft: ProductDraft,
    *,
    positive_list: PositiveList,
    exhibitor_id: int | None = None,
) -> Product:
    owner_id = _own_exhibitor_id(actor, exhibitor_id)
    line = check_product(draft, code_tables(), positive_list)
    with db.transaction() as session:
        if session.get(Exhibitor, owner_id) is None:
            raise ValidationFailed("No such exhibitor.", code="unknown_exhibitor")
        if _sku_taken(session, owner_id, draft.sku):
            raise Conflict("This exhibitor already has a product with that SKU.", code="sku_taken")
        product = Product(exhibitor_id=owner_id, created_at=utcnow())
        _apply(session, product, draft)
        session.add(product)
        _flush_unique_sku(session)
        record_audit(
            session,
            actor,
            "product.create",
            "product",
            product.id,
            {"sku": draft.sku, "hs_code": draft.hs_code, "positive_list_line": line.hs8},
        )
        return product


def update_product(
    db: Database,
    actor: Principal,
    product_id: int,
    draft: ProductDraft,
    *,
    positive_list: PositiveList,
) -> Product:
    """Replaces the product's fields; re-checked against the positive list in force now and
    re-priced at the current FX rate of its currency."""
    with db.transaction() as session:
        product = writable_product(session, actor, product_id)
        line = check_product(draft, code_tables(), positive_list)
        if _sku_taken(session, product.exhibitor_id, draft.sku, other_than=product.id):
            raise Conflict("This exhibitor already has a product with that SKU.", code="sku_taken")
        _apply(session, product, draft)
        _flush_unique_sku(session)
        record_audit(
            session,
            actor,
            "product.update",
            "product",
            product.id,
            {"sku": draft.sku, "hs_code": draft.hs_code, "positive_list_line": line.hs8},
        )
        return product


def _listing_query():  # type: ignore[no-untyped-def]
    available = (
        select(Stock.product_id, func.sum(Stock.on_hand - Stock.reserved).label("available"))
        .group_by(Stock.product_id)
        .subquery()
    )
    return (
        select(Product, Exhibitor.pavilion_id, func.coalesce(available.c.available, 0))
        .join(Exhibitor, Exhibitor.id == Product.exhibitor_id)
        .outerjoin(available, available.c.product_id == Product.id)
    )


def get_product(db: Database, product_id: int) -> ListedProduct:
    with db.reader() as session:
        row = session.execute(_listing_query().where(Product.id == product_id)).first()
    if row is None:
        raise NotFound("No such product.", code="product_not_found")
    return ListedProduct(row[0], row[1], int(row[2]))


def list_products(
    db: Database,
    *,
    pavilion_id: int | None = None,
    country_code: str | None = None,
    exhibitor_id: int | None = None,
    product_ids: Sequence[int] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[ListedProduct]:
    """Public listing. With ``product_ids`` (a show's lineup) the result keeps that order."""
    query = _listing_query()
    if pavilion_id is not None:
        query = query.where(Exhibitor.pavilion_id == pavilion_id)
    if country_code is not None:
        query = query.where(Product.origin_country == country_code)
    if exhibitor_id is not None:
        query = query.where(Product.exhibitor_id == exhibitor_id)
    if product_ids is not None:
        query = query.where(Product.id.in_(list(product_ids)))
    with db.reader() as session:
        if product_ids is None:
            rows = session.execute(
                query.order_by(Exhibitor.pavilion_id, Product.id).limit(limit).offset(offset)
            ).all()
        else:
            rows = session.execute(query).all()
    listed = [ListedProduct(r[0], r[1], int(r[2])) for r in rows]
    if product_ids is not None:
        order = {pid: i for i, pid in enumerate(product_ids)}
        listed.sort(key=lambda item: order[item.product.id])
        listed = listed[offset : offset + limit]
    return listed
