"""A small expo through the catalog services, shared by the catalog, shows and demo tests."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from liveport.accounts.domain import Principal, Role
from liveport.accounts.services import create_user, principal_of
from liveport.catalog import services, venues
from liveport.catalog.domain import NetUnit, ProductDraft
from liveport.catalog.reference import POSITIVE_LIST_FILE, load_positive_list
from liveport.core.db import Database

SHIPPED_LIST = load_positive_list(POSITIVE_LIST_FILE)


def person(db: Database, email: str, role: Role, exhibitor_id: int | None = None) -> Principal:
    user = create_user(
        db,
        email=email,
        password=None,
        role=role,
        display_name=email.split("@")[0],
        exhibitor_id=exhibitor_id,
    )
    return principal_of(user)


@dataclass(frozen=True)
class Expo:
    operator: Principal
    russia: int  # pavilion ids
    france: int
    candy_maker: int  # exhibitor ids
    cosmetics_house: int
    bonded: int  # warehouse ids
    overseas: int


def expo(db: Database) -> Expo:
    operator = person(db, "ops@expo.test", Role.OPERATOR)
    services.set_fx_rate(db, operator, "RUB", Decimal("0.08"))
    services.set_fx_rate(db, operator, "EUR", Decimal("7.8"))
    russia = venues.create_pavilion(db, operator, country_code="344")
    france = venues.create_pavilion(db, operator, country_code="305", hall="Hall 3")
    candy = venues.create_exhibitor(
        db,
        operator,
        pavilion_id=russia.id,
        name_zh="伏尔加糖果",
        name_en="Volga Sweets",
        customs_code="3101960R01",
        customs_name="伏尔加糖果贸易(上海)有限公司",
    )
    cosmetics = venues.create_exhibitor(
        db,
        operator,
        pavilion_id=france.id,
        name_zh="光之屋",
        name_en="Maison Lumiere",
        customs_code="3101960F01",
        customs_name="光之屋贸易(上海)有限公司",
    )
    bonded = venues.create_warehouse(
        db,
        operator,
        code="BONDED-1",
        name_zh="保税仓",
        name_en="Bonded",
        kind="bonded",
        country_code="142",
        area_code="4403610001",
        ems_no="T5165W000001",
    )
    overseas = venues.create_warehouse(
        db,
        operator,
        code="NZ-1",
        name_zh="奥克兰仓",
        name_en="Auckland",
        kind="overseas",
        country_code="609",
    )
    return Expo(operator, russia.id, france.id, candy.id, cosmetics.id, bonded.id, overseas.id)


CANDY = ProductDraft(
    sku="RU-KOROVKA-500",
    name_zh="小牛奶糖 500克",
    name_en="Korovka candies, 500 g",
    description="",
    hs_code="1704900000",
    origin_country="344",
    trading_unit="136",
    legal_unit="035",
    legal_qty=Decimal("0.5"),
    tax_class="general",
    original_currency="RUB",
    original_amount=Decimal("600"),
    gross_weight_kg=Decimal("0.53"),
    net_weight_kg=Decimal("0.5"),
    net_content=Decimal("500"),
    net_content_unit=NetUnit.G,
    barcode="4601234001021",
)
SERUM = replace(
    CANDY,
    sku="FR-SERUM-30",
    name_zh="精华液 30毫升",
    name_en="Serum, 30 ml",
    hs_code="3304990099",
    origin_country="305",
    trading_unit="142",
    legal_qty=Decimal("0.03"),
    tax_class="cosmetics",
    original_currency="EUR",
    original_amount=Decimal("58"),
    gross_weight_kg=Decimal("0.12"),
    net_weight_kg=Decimal("0.03"),
    net_content=Decimal("30"),
    net_content_unit=NetUnit.ML,
    barcode="3401234000113",
)


def product(
    db: Database,
    actor: Principal,
    draft: ProductDraft = CANDY,
    *,
    exhibitor_id: int | None = None,
    **changes: Any,
) -> int:
    made = services.create_product(
        db, actor, replace(draft, **changes), positive_list=SHIPPED_LIST, exhibitor_id=exhibitor_id
    )
    return made.id


def body(draft: ProductDraft = CANDY, **changes: Any) -> dict[str, Any]:
    """The JSON a client sends for this draft."""
    d = replace(draft, **{k: v for k, v in changes.items() if k != "exhibitor_id"})
    out: dict[str, Any] = {
        "sku": d.sku,
        "name_zh": d.name_zh,
        "name_en": d.name_en,
        "description": d.description,
        "hs_code": d.hs_code,
        "origin_country": d.origin_country,
        "trading_unit": d.trading_unit,
        "legal_unit": d.legal_unit,
        "legal_qty": str(d.legal_qty),
        "tax_class": d.tax_class,
        "original_currency": d.original_currency,
        "original_amount": str(d.original_amount),
        "gross_weight_kg": str(d.gross_weight_kg),
        "net_weight_kg": str(d.net_weight_kg),
        "net_content": None if d.net_content is None else str(d.net_content),
        "net_content_unit": None if d.net_content_unit is None else d.net_content_unit.value,
        "barcode": d.barcode,
    }
    if "exhibitor_id" in changes:
        out["exhibitor_id"] = changes["exhibitor_id"]
    return out
