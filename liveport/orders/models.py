"""Tables of the orders domain: orders, their lines (as quoted), and the trail of states."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from liveport.core.clock import utcnow
from liveport.core.db import Base, MoneyAmount, UTCDateTime

QUANTITY = Numeric(18, 5, asdecimal=True)
RATE = Numeric(6, 4, asdecimal=True)


class Order(Base):
    """One cross-border order: one seller (ebc), one warehouse, one buyer identity.

    The amounts are the quote's, fixed when it is placed. Holds it took (warehouse stock or
    a flash-sale reservation, the annual quota, tariff-line caps) are recorded here so that
    whoever moves the order out of ``pending_payment`` gives exactly those back.
    """

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("buyer_user_id", "idempotency_key", name="uq_orders_buyer_idempotency"),
        UniqueConstraint("reservation_id", name="uq_orders_reservation"),
        Index("ix_orders_status_expires", "status", "expires_at"),
        CheckConstraint("goods_value > 0 AND freight >= 0 AND tax_total >= 0", name="amounts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_no: Mapped[str] = mapped_column(String(60), unique=True)
    buyer_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(128))
    request_digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="pending_payment")
    source: Mapped[str] = mapped_column(String(8))
    exhibitor_id: Mapped[int] = mapped_column(ForeignKey("exhibitors.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    trade_mode: Mapped[str] = mapped_column(String(4))
    drop_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    reservation_id: Mapped[str | None] = mapped_column(String(96), nullable=True)
    show_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    regime: Mapped[str] = mapped_column(String(8))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    goods_value: Mapped[Decimal] = mapped_column(MoneyAmount())
    freight: Mapped[Decimal] = mapped_column(MoneyAmount())
    insurance: Mapped[Decimal] = mapped_column(MoneyAmount())
    discount: Mapped[Decimal] = mapped_column(MoneyAmount())
    tax_total: Mapped[Decimal] = mapped_column(MoneyAmount())
    actural_paid: Mapped[Decimal] = mapped_column(MoneyAmount())
    dutiable_value: Mapped[Decimal] = mapped_column(MoneyAmount())
    quota_year: Mapped[int] = mapped_column(Integer)
    # What the annual quota was charged with (the limit basis in force when it was placed):
    # exactly this goes back, whatever the settings say later.
    quota_amount: Mapped[Decimal] = mapped_column(MoneyAmount())
    # Consignee, copied: editing the address book never rewrites an order.
    consignee_name: Mapped[str] = mapped_column(String(60))
    consignee_phone: Mapped[str] = mapped_column(String(11))
    consignee_address: Mapped[str] = mapped_column(String(200))
    consignee_district: Mapped[str] = mapped_column(String(6))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "gnum", name="uq_order_lines_gnum"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    gnum: Mapped[int] = mapped_column(Integer)  # 1..n, as customs numbers lines
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    sku: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    hs_code: Mapped[str] = mapped_column(String(10))
    origin_country: Mapped[str] = mapped_column(String(3))
    trading_unit: Mapped[str] = mapped_column(String(3))
    legal_unit: Mapped[str] = mapped_column(String(3))
    legal_qty: Mapped[Decimal] = mapped_column(QUANTITY)  # per item
    qty: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(MoneyAmount())
    goods_value: Mapped[Decimal] = mapped_column(MoneyAmount())
    freight_share: Mapped[Decimal] = mapped_column(MoneyAmount())
    insurance_share: Mapped[Decimal] = mapped_column(MoneyAmount())
    discount_share: Mapped[Decimal] = mapped_column(MoneyAmount())
    dutiable_value: Mapped[Decimal] = mapped_column(MoneyAmount())
    vat_rate: Mapped[Decimal] = mapped_column(RATE)
    ct_rate: Mapped[Decimal] = mapped_column(RATE)
    consumption_tax: Mapped[Decimal] = mapped_column(MoneyAmount())
    vat: Mapped[Decimal] = mapped_column(MoneyAmount())
    tax_total: Mapped[Decimal] = mapped_column(MoneyAmount())


class OrderEvent(Base):
    """The order's trail: every state it entered, when, and why (shown to the buyer)."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
