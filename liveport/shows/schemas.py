from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field

from liveport.catalog.schemas import Code3, Id, LongText, Strict, Text80, Text200
from liveport.shows.domain import MAX_LINEUP, HostSpec


def _plausible(value: datetime) -> datetime:
    # Far-off years overflow when converted to UTC; no show is planned outside this range.
    if not 2000 <= value.year <= 2100:
        raise ValueError("must be between the years 2000 and 2100")
    return value


When = Annotated[AwareDatetime, AfterValidator(_plausible)]


class HostIn(Strict):
    user_id: Id
    role_label: Text80
    role_label_en: Text80
    country_code: Code3 | None = None
    commission_rate: Decimal = Field(Decimal(0), ge=0, le=Decimal("0.5"), decimal_places=4,
                                     description="Share of the goods value of the show's sales.")

    def spec(self) -> HostSpec:
        return HostSpec(self.user_id, self.role_label, self.role_label_en, self.country_code, self.commission_rate)


class ShowIn(Strict):
    title: Text200
    title_en: Text200
    description: LongText = ""
    scheduled_start: When
    scheduled_end: When
    main_host: HostIn


class LineupIn(Strict):
    product_ids: list[Id] = Field(max_length=MAX_LINEUP)


class HostOut(BaseModel):
    user_id: int
    display_name: str
    role_label: str
    role_label_en: str
    is_main: bool
    country_code: str | None


class ShowSummaryOut(BaseModel):
    id: int
    title: str
    title_en: str
    status: str
    scheduled_start: datetime
    scheduled_end: datetime
    started_at: datetime | None
    ended_at: datetime | None
    hosts: list[HostOut]
    product_count: int


class LineupItemOut(BaseModel):
    position: int
    product_id: int
    exhibitor_id: int
    sku: str
    name_zh: str
    name_en: str
    price_cny: Decimal


class ShowOut(ShowSummaryOut):
    description: str
    lineup: list[LineupItemOut]
