"""Request and response bodies of the fulfilment routes."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class PickLineOut(BaseModel):
    gnum: int
    sku: str
    name_zh: str
    name_en: str
    qty: int


class PickOrderOut(BaseModel):
    order_no: str
    exhibitor_id: int
    trade_mode: str
    logistics_no: str | None
    released_at: datetime
    lines: list[PickLineOut]


class PickListOut(BaseModel):
    warehouse_id: int
    orders: list[PickOrderOut]


class PackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weight_kg: Decimal = Field(gt=0, le=1000, max_digits=7, decimal_places=3, description="the parcel's gross weight")


class ParcelOut(BaseModel):
    order_no: str
    logistics_no: str
    weight_kg: Decimal
    packed_at: datetime
    handed_over_at: datetime | None
    replayed: bool = Field(description="true when the order had been packed already: nothing changed")
