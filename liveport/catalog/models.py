from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from liveport.core.clock import utcnow
from liveport.core.db import Base, MoneyAmount, UTCDateTime

# Exchange rates carry more places than money: 1 KRW is about 0.0052 CNY.
FX_RATE = Numeric(18, 8, asdecimal=True)
QUANTITY = Numeric(18, 5, asdecimal=True)  # CEB qty1 allows 5 decimal places
WEIGHT = Numeric(12, 4, asdecimal=True)
RATE = Numeric(6, 4, asdecimal=True)


class Pavilion(Base):
    """One per country at the expo this deployment serves."""

    __tablename__ = "pavilions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    country_code: Mapped[str] = mapped_column(String(3), unique=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))
    hall: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Exhibitor(Base):
    __tablename__ = "exhibitors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pavilion_id: Mapped[int] = mapped_column(ForeignKey("pavilions.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(160))
    country_code: Mapped[str] = mapped_column(String(3), index=True)
    # The seller of record in customs messages (ebcCode / ebcName).
    customs_code: Mapped[str] = mapped_column(String(18))
    customs_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Warehouse(Base):
    __tablename__ = "warehouses"
    __table_args__ = (CheckConstraint("kind IN ('bonded', 'overseas')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(16))
    country_code: Mapped[str] = mapped_column(String(3))
    # Bonded (1210) inventory lists need the zone's area code and the bonded ledger number.
    area_code: Mapped[str | None] = mapped_column(String(10), nullable=True)
    ems_no: Mapped[str | None] = mapped_column(String(30), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FxRate(Base):
    """Every rate ever set is kept; the newest row per currency is the one in force."""

    __tablename__ = "fx_rates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), index=True)
    rate_cny: Mapped[Decimal] = mapped_column(FX_RATE)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    set_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("exhibitor_id", "sku", name="uq_products_exhibitor_sku"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exhibitor_id: Mapped[int] = mapped_column(ForeignKey("exhibitors.id"), index=True)
    sku: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    hs_code: Mapped[str] = mapped_column(String(10), index=True)
    origin_country: Mapped[str] = mapped_column(String(3), index=True)
    trading_unit: Mapped[str] = mapped_column(String(3))
    legal_unit: Mapped[str] = mapped_column(String(3))
    legal_qty: Mapped[Decimal] = mapped_column(QUANTITY)  # legal units in one trading unit
    net_content: Mapped[Decimal | None] = mapped_column(
        Numeric(12, 3, asdecimal=True), nullable=True
    )
    net_content_unit: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # The tax class as data, copied from the class when set: a later change of the classes
    # does not silently re-tax listed goods.
    tax_class: Mapped[str] = mapped_column(String(24))
    vat_rate: Mapped[Decimal] = mapped_column(RATE)
    ct_rule: Mapped[str] = mapped_column(String(24))
    ct_rate: Mapped[Decimal] = mapped_column(RATE)
    ct_min_per_ml_g: Mapped[Decimal | None] = mapped_column(MoneyAmount(), nullable=True)
    ct_min_per_sheet: Mapped[Decimal | None] = mapped_column(MoneyAmount(), nullable=True)
    price_cny: Mapped[Decimal] = mapped_column(MoneyAmount())
    original_currency: Mapped[str] = mapped_column(String(3))
    original_amount: Mapped[Decimal] = mapped_column(Numeric(18, 4, asdecimal=True))
    fx_rate: Mapped[Decimal] = mapped_column(FX_RATE)
    fx_rate_at: Mapped[datetime] = mapped_column(UTCDateTime)
    gross_weight_kg: Mapped[Decimal] = mapped_column(WEIGHT)
    net_weight_kg: Mapped[Decimal] = mapped_column(WEIGHT)
    barcode: Mapped[str | None] = mapped_column(String(14), nullable=True)
    image_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Stock(Base):
    """Units of a product in a warehouse: on hand, and how many of those are reserved.

    Changed only by conditional UPDATEs (reserve/release/consume/set), never read-then-write.
    """

    __tablename__ = "stock"
    __table_args__ = (
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("on_hand >= reserved", name="reserved_within_on_hand"),
    )

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(
        ForeignKey("warehouses.id"), primary_key=True, index=True
    )
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
