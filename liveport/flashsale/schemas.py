from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from liveport.flashsale.domain import MAX_CLAIM_QTY, MAX_DROP_QUANTITY, MAX_PRICE_CNY

Id = Annotated[int, Field(ge=1, le=2_147_483_647)]


def _plausible(value: datetime) -> datetime:
    # Far-off years overflow when converted to UTC; no drop is planned outside this range.
    if not 2000 <= value.year <= 2100:
        raise ValueError("must be between the years 2000 and 2100")
    return value


When = Annotated[AwareDatetime, AfterValidator(_plausible)]


class DropIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    show_id: Id
    product_id: Id
    warehouse_id: Id
    quantity: int = Field(ge=1, le=MAX_DROP_QUANTITY)
    price: Decimal = Field(gt=0, le=MAX_PRICE_CNY, max_digits=12, decimal_places=2, description="CNY")
    per_buyer_limit: int = Field(ge=1, le=MAX_CLAIM_QTY)
    opens_at: When
    closes_at: When | None = None


class OpenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    countdown_s: int = Field(0, ge=0, le=3600, description="claims are accepted once it ends")


class DropOut(BaseModel):
    id: int
    show_id: int
    product_id: int
    warehouse_id: int
    quantity: int
    price: Decimal
    currency: str
    per_buyer_limit: int
    hold_minutes: float
    opens_at: datetime
    closes_at: datetime | None
    status: str
    sales_start_at: datetime | None
    opened_at: datetime | None
    closed_at: datetime | None
    returned_qty: int
    # Live figures from the gate (None when the gate does not hold the drop).
    on_sale: int | None = None
    reserved: int | None = None
    sold: int | None = None
