from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from liveport.catalog.domain import NetUnit, ProductDraft


def _printable(value: str) -> str:
    # Control characters (NUL above all, which PostgreSQL refuses) never belong in catalog text.
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in value):
        raise ValueError("control characters are not allowed")
    return value.strip()


def _required(value: str) -> str:
    value = _printable(value)
    if not value:
        raise ValueError("must not be blank")
    return value


Clean = AfterValidator(_printable)
Required = AfterValidator(_required)
Text40 = Annotated[str, Field(min_length=1, max_length=40), Required]
Text80 = Annotated[str, Field(min_length=1, max_length=80), Required]
Text100 = Annotated[str, Field(min_length=1, max_length=100), Required]
Text120 = Annotated[str, Field(min_length=1, max_length=120), Required]
Text160 = Annotated[str, Field(min_length=1, max_length=160), Required]
Text200 = Annotated[str, Field(min_length=1, max_length=200), Required]
LongText = Annotated[str, Field(max_length=4000), Clean]
Code3 = Annotated[str, Field(pattern=r"^[0-9]{3}$")]
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
FxAmount = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=8)]
Price = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=4)]
Quantity = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=5)]
Content = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=3)]
Weight = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=4)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PavilionIn(Strict):
    country_code: Code3
    name_zh: Text80 | None = None
    name_en: Text120 | None = None
    hall: Text40 | None = None


class PavilionOut(BaseModel):
    id: int
    country_code: str
    country_name_zh: str
    country_name_en: str
    name_zh: str
    name_en: str
    hall: str | None


class ExhibitorIn(Strict):
    pavilion_id: Id
    name_zh: Text120
    name_en: Text160
    customs_code: str = Field(pattern=r"^[0-9A-Z]{1,18}$")
    customs_name: Text100
    country_code: Code3 | None = None


class ExhibitorOut(BaseModel):
    id: int
    pavilion_id: int
    name_zh: str
    name_en: str
    country_code: str
    customs_code: str
    customs_name: str


class WarehouseIn(Strict):
    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]{0,31}$")
    name_zh: Text120
    name_en: Text160
    kind: Literal["bonded", "overseas"]
    country_code: Code3
    area_code: str | None = Field(None, pattern=r"^[0-9A-Z]{1,10}$")
    ems_no: str | None = Field(None, pattern=r"^[0-9A-Z]{1,30}$")


class WarehouseOut(BaseModel):
    id: int
    code: str
    name_zh: str
    name_en: str
    kind: str
    country_code: str
    area_code: str | None
    ems_no: str | None


class FxRateIn(Strict):
    rate_cny: FxAmount


class FxRateOut(BaseModel):
    currency: str
    rate_cny: Decimal
    set_at: datetime


class ProductIn(Strict):
    """A product as the merchant submits it; the CNY price is computed from the original
    price at the FX rate in force."""

    exhibitor_id: Id | None = None  # operators only; a merchant's own exhibitor otherwise
    sku: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
    name_zh: Text200
    name_en: Text200
    description: LongText = ""
    hs_code: str = Field(pattern=r"^[0-9]{10}$")
    origin_country: Code3
    trading_unit: Code3
    legal_unit: Code3
    legal_qty: Quantity
    net_content: Content | None = None
    net_content_unit: NetUnit | None = None
    tax_class: str = Field(pattern=r"^[a-z_]{1,24}$")
    original_currency: Currency
    original_amount: Price
    gross_weight_kg: Weight
    net_weight_kg: Weight
    barcode: str | None = Field(None, pattern=r"^[0-9]{8,14}$")
    image_url: str | None = Field(None, max_length=500, pattern=r"^(https://|/)[^\s\x00-\x1f]*$")

    def draft(self) -> ProductDraft:
        return ProductDraft(**self.model_dump(exclude={"exhibitor_id"}))


class ProductOut(BaseModel):
    id: int
    exhibitor_id: int
    pavilion_id: int
    sku: str
    name_zh: str
    name_en: str
    description: str
    hs_code: str
    origin_country: str
    origin_country_name_zh: str
    origin_country_name_en: str
    trading_unit: str
    legal_unit: str
    legal_qty: Decimal
    net_content: Decimal | None
    net_content_unit: str | None
    tax_class: str
    vat_rate: Decimal
    ct_rule: str
    ct_rate: Decimal
    ct_min_per_ml_g: Decimal | None
    ct_min_per_sheet: Decimal | None
    price_cny: Decimal
    currency: Literal["CNY"] = "CNY"
    original_currency: str
    original_amount: Decimal
    fx_rate: Decimal
    fx_rate_at: datetime
    gross_weight_kg: Decimal
    net_weight_kg: Decimal
    barcode: str | None
    image_url: str | None
    available: int


class StockIn(Strict):
    on_hand: int = Field(ge=0, le=2_000_000_000)


class StockOut(BaseModel):
    product_id: int
    warehouse_id: int
    warehouse_code: str
    warehouse_kind: str
    on_hand: int
    reserved: int
    available: int
