"""Catalog routes. Lists of pavilions, exhibitors, products and FX rates are deliberately
public (the expo floor is public); changes need an operator, or for products and stock a
merchant of the product's own exhibitor (another exhibitor's product answers 404)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from liveport.accounts.domain import Principal, Role
from liveport.accounts.guards import get_context, operator_only, require
from liveport.catalog import services, venues
from liveport.catalog.models import Exhibitor, FxRate, Pavilion, Warehouse
from liveport.catalog.reference import code_tables, current_positive_list
from liveport.catalog.schemas import (
    ExhibitorIn,
    ExhibitorOut,
    FxRateIn,
    FxRateOut,
    PavilionIn,
    PavilionOut,
    ProductIn,
    ProductOut,
    StockIn,
    StockOut,
    WarehouseIn,
    WarehouseOut,
)
from liveport.catalog.stock import StockLevel
from liveport.context import AppContext
from liveport.shows.services import lineup_product_ids

router = APIRouter(prefix="/api/v1", tags=["catalog"])
merchant_or_operator = require(Role.MERCHANT, Role.OPERATOR)

MAX_ID = 2_147_483_647
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]


def pavilion_out(p: Pavilion) -> PavilionOut:
    country = code_tables().countries[p.country_code]
    return PavilionOut(
        id=p.id,
        country_code=p.country_code,
        country_name_zh=country.name_zh,
        country_name_en=country.name_en,
        name_zh=p.name_zh,
        name_en=p.name_en,
        hall=p.hall,
    )


def exhibitor_out(e: Exhibitor) -> ExhibitorOut:
    return ExhibitorOut.model_validate(e, from_attributes=True)


def warehouse_out(w: Warehouse) -> WarehouseOut:
    return WarehouseOut.model_validate(w, from_attributes=True)


def fx_out(r: FxRate) -> FxRateOut:
    return FxRateOut(currency=r.currency, rate_cny=r.rate_cny, set_at=r.set_at)


def product_out(listed: services.ListedProduct) -> ProductOut:
    p = listed.product
    country = code_tables().countries[p.origin_country]
    return ProductOut(
        id=p.id,
        exhibitor_id=p.exhibitor_id,
        pavilion_id=listed.pavilion_id,
        sku=p.sku,
        name_zh=p.name_zh,
        name_en=p.name_en,
        description=p.description,
        hs_code=p.hs_code,
        origin_country=p.origin_country,
        origin_country_name_zh=country.name_zh,
        origin_country_name_en=country.name_en,
        trading_unit=p.trading_unit,
        legal_unit=p.legal_unit,
        legal_qty=p.legal_qty,
        net_content=p.net_content,
        net_content_unit=p.net_content_unit,
        tax_class=p.tax_class,
        vat_rate=p.vat_rate,
        ct_rule=p.ct_rule,
        ct_rate=p.ct_rate,
        ct_min_per_ml_g=p.ct_min_per_ml_g,
        ct_min_per_sheet=p.ct_min_per_sheet,
        price_cny=p.price_cny,
        original_currency=p.original_currency,
        original_amount=p.original_amount,
        fx_rate=p.fx_rate,
        fx_rate_at=p.fx_rate_at,
        gross_weight_kg=p.gross_weight_kg,
        net_weight_kg=p.net_weight_kg,
        barcode=p.barcode,
        image_url=p.image_url,
        available=listed.available,
    )


def stock_out(s: StockLevel) -> StockOut:
    return StockOut(
        product_id=s.product_id,
        warehouse_id=s.warehouse_id,
        warehouse_code=s.warehouse_code,
        warehouse_kind=s.warehouse_kind,
        on_hand=s.on_hand,
        reserved=s.reserved,
        available=s.available,
    )


@router.get("/pavilions", response_model=list[PavilionOut])
def list_pavilions(ctx: AppContext = Depends(get_context)) -> list[PavilionOut]:
    return [pavilion_out(p) for p in venues.list_pavilions(ctx.db)]


@router.post("/pavilions", response_model=PavilionOut, status_code=201)
def create_pavilion(
    body: PavilionIn,
    actor: Principal = Depends(operator_only),
    ctx: AppContext = Depends(get_context),
) -> PavilionOut:
    return pavilion_out(venues.create_pavilion(ctx.db, actor, **body.model_dump()))


@router.get("/exhibitors", response_model=list[ExhibitorOut])
def list_exhibitors(
    pavilion_id: int | None = Query(None, ge=1, le=MAX_ID),
    country: str | None = Query(None, pattern=r"^[0-9]{3}$"),
    ctx: AppContext = Depends(get_context),
) -> list[ExhibitorOut]:
    found = venues.list_exhibitors(ctx.db, pavilion_id=pavilion_id, country_code=country)
    return [exhibitor_out(e) for e in found]


@router.post("/exhibitors", response_model=ExhibitorOut, status_code=201)
def create_exhibitor(
    body: ExhibitorIn,
    actor: Principal = Depends(operator_only),
    ctx: AppContext = Depends(get_context),
) -> ExhibitorOut:
    return exhibitor_out(venues.create_exhibitor(ctx.db, actor, **body.model_dump()))


@router.get("/warehouses", response_model=list[WarehouseOut])
def list_warehouses(
    _: Principal = Depends(merchant_or_operator), ctx: AppContext = Depends(get_context)
) -> list[WarehouseOut]:
    return [warehouse_out(w) for w in venues.list_warehouses(ctx.db)]


@router.post("/warehouses", response_model=WarehouseOut, status_code=201)
def create_warehouse(
    body: WarehouseIn,
    actor: Principal = Depends(operator_only),
    ctx: AppContext = Depends(get_context),
) -> WarehouseOut:
    return warehouse_out(venues.create_warehouse(ctx.db, actor, **body.model_dump()))


@router.get("/fx-rates", response_model=list[FxRateOut])
def list_fx_rates(ctx: AppContext = Depends(get_context)) -> list[FxRateOut]:
    return [fx_out(r) for r in services.list_fx_rates(ctx.db)]


@router.put("/fx-rates/{currency}", response_model=FxRateOut)
def set_fx_rate(
    body: FxRateIn,
    currency: str = Path(pattern=r"^[A-Z]{3}$"),
    actor: Principal = Depends(operator_only),
    ctx: AppContext = Depends(get_context),
) -> FxRateOut:
    return fx_out(services.set_fx_rate(ctx.db, actor, currency, body.rate_cny))


@router.get("/products", response_model=list[ProductOut])
def list_products(
    show_id: int | None = Query(None, ge=1, le=MAX_ID),
    pavilion_id: int | None = Query(None, ge=1, le=MAX_ID),
    country: str | None = Query(
        None, pattern=r"^[0-9]{3}$", description="customs origin country code"
    ),
    exhibitor_id: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
    ctx: AppContext = Depends(get_context),
) -> list[ProductOut]:
    ids = lineup_product_ids(ctx.db, show_id) if show_id is not None else None
    found = services.list_products(
        ctx.db,
        pavilion_id=pavilion_id,
        country_code=country,
        exhibitor_id=exhibitor_id,
        product_ids=ids,
        limit=limit,
        offset=offset,
    )
    return [product_out(p) for p in found]


@router.get("/products/{product_id}", response_model=ProductOut)
def get_product(product_id: IdPath, ctx: AppContext = Depends(get_context)) -> ProductOut:
    return product_out(services.get_product(ctx.db, product_id))


@router.post("/products", response_model=ProductOut, status_code=201)
def create_product(
    body: ProductIn,
    actor: Principal = Depends(merchant_or_operator),
    ctx: AppContext = Depends(get_context),
) -> ProductOut:
    product = services.create_product(
        ctx.db,
        actor,
        body.draft(),
        exhibitor_id=body.exhibitor_id,
        positive_list=current_positive_list(ctx.settings),
    )
    return product_out(services.get_product(ctx.db, product.id))


@router.put("/products/{product_id}", response_model=ProductOut)
def update_product(
    body: ProductIn,
    product_id: IdPath,
    actor: Principal = Depends(merchant_or_operator),
    ctx: AppContext = Depends(get_context),
) -> ProductOut:
    services.update_product(
        ctx.db, actor, product_id, body.draft(), positive_list=current_positive_list(ctx.settings)
    )
    return product_out(services.get_product(ctx.db, product_id))


@router.get("/products/{product_id}/stock", response_model=list[StockOut])
def list_stock(
    product_id: IdPath,
    actor: Principal = Depends(merchant_or_operator),
    ctx: AppContext = Depends(get_context),
) -> list[StockOut]:
    return [stock_out(s) for s in services.list_stock(ctx.db, actor, product_id)]


@router.put("/products/{product_id}/stock/{warehouse_id}", response_model=StockOut)
def set_stock(
    body: StockIn,
    product_id: IdPath,
    warehouse_id: IdPath,
    actor: Principal = Depends(merchant_or_operator),
    ctx: AppContext = Depends(get_context),
) -> StockOut:
    level = services.set_stock(
        ctx.db,
        actor,
        product_id,
        warehouse_id,
        body.on_hand,
        positive_list=current_positive_list(ctx.settings),
    )
    return stock_out(level)
