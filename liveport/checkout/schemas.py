"""Shapes of the checkout and order routes. Amounts travel as strings ("1132.14"): JSON
numbers are floats in most clients, and money never passes through a float."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict, Field, model_validator

from liveport.checkout.errors import InvalidFreight
from liveport.checkout.services import ItemRequest

MAX_QTY = 999


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: str | None = Field(None, min_length=1, max_length=40)
    product_id: int | None = Field(None, ge=1, le=2**31 - 1)
    qty: int = Field(ge=1, le=MAX_QTY)

    @model_validator(mode="after")
    def _named(self) -> ItemIn:
        if self.sku is None and self.product_id is None:
            raise ValueError("name the product by sku or product_id")
        return self

    def request(self) -> ItemRequest:
        return ItemRequest(qty=self.qty, sku=self.sku, product_id=self.product_id)


class QuoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[ItemIn] = Field(min_length=1, max_length=99)
    freight: str = Field("0", max_length=20, description="Yuan, at most 2 decimal places, e.g. \"20.00\".")
    consignee_id: int | None = Field(None, ge=1, le=2**31 - 1)
    drop_id: int | None = Field(None, ge=1, le=2**31 - 1,
                                description="Quote at a flash-sale drop's price, from its warehouse "
                                            "(one item: the drop's product).")


class OrderIn(BaseModel):
    """A basket (``items``) or a flash-sale reservation (``reservation_id``), not both."""

    model_config = ConfigDict(extra="forbid")
    items: list[ItemIn] | None = Field(None, min_length=1, max_length=99)
    reservation_id: str | None = Field(None, min_length=1, max_length=96)
    freight: str = Field("0", max_length=20)
    consignee_id: int = Field(ge=1, le=2**31 - 1)

    @model_validator(mode="after")
    def _one_source(self) -> OrderIn:
        if (self.items is None) == (self.reservation_id is None):
            raise ValueError("give either items or reservation_id")
        return self


def parse_freight(raw: str, maximum: Decimal) -> Decimal:
    try:
        amount = Decimal(raw.strip())
    except InvalidOperation:
        raise InvalidFreight(details={"freight": raw}) from None
    if not amount.is_finite() or amount < 0 or amount > maximum or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise InvalidFreight(details={"freight": raw, "max": str(maximum)})
    return amount.quantize(Decimal("0.01"))


class LineOut(BaseModel):
    gnum: int
    product_id: int
    sku: str
    name: str
    qty: int
    unit_price: str
    goods_value: str
    freight_share: str
    dutiable_value: str
    consumption_tax: str
    vat: str
    tax_total: str


class AmountsOut(BaseModel):
    currency: str = "CNY"
    goods_value: str
    freight: str
    insurance: str
    discount: str
    tax_total: str
    actural_paid: str = Field(description="Spelled as in the customs standard (acturalPaid).")
    dutiable_value: str


class QuoteOut(AmountsOut):
    regime: str = Field(description="cbec (70% of VAT and consumption tax) or full_tax (single-item exception).")
    lines: list[LineOut]
    exhibitor_id: int
    warehouse_kind: str
    trade_mode: str
    remaining_quota: str | None = Field(description="This year's annual quota left; null unless signed in and verified.")
    quota_after_order: str | None


class ConsigneeCopy(BaseModel):
    name: str
    phone: str
    address: str
    district_code: str


class EventOut(BaseModel):
    status: str
    reason: str
    at: datetime


class OrderOut(AmountsOut):
    order_no: str
    status: str
    regime: str
    source: str
    trade_mode: str
    exhibitor_id: int
    drop_id: int | None
    reservation_id: str | None
    quota_year: int
    created_at: datetime
    expires_at: datetime
    consignee: ConsigneeCopy
    lines: list[LineOut]
    trail: list[EventOut]
