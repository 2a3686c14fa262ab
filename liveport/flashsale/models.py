from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from liveport.core.clock import utcnow
from liveport.core.db import Base, MoneyAmount, UTCDateTime


class Drop(Base):
    """A product offered in a show with its own quantity, carved out of one warehouse's
    stock when the drop is created and given back (what did not sell) when it closes."""

    __tablename__ = "flash_drops"
    __table_args__ = (
        CheckConstraint("status IN ('scheduled', 'countdown', 'open', 'closed')", name="status"),
        CheckConstraint("quantity > 0 AND per_buyer_limit > 0 AND hold_s > 0", name="positive"),
        CheckConstraint("returned_qty >= 0 AND returned_qty <= quantity", name="returned"),
        Index("ix_flash_drops_show_status", "show_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[int] = mapped_column(ForeignKey("shows.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    price: Mapped[Decimal] = mapped_column(MoneyAmount())
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    per_buyer_limit: Mapped[int] = mapped_column(Integer)
    hold_s: Mapped[int] = mapped_column(Integer)  # fixed at creation: the gate's spec never moves
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)  # planned; the host opens it live
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    sales_start_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # after a countdown
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Units given back to the warehouse so far: those on sale at closing, then those of
    # reservations that lapse after it.
    returned_qty: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GateReservation(Base):
    """The database's copy of every reservation a gate acknowledged (filled by the
    reconciler from the gate's change feed; the gate is rebuilt from it after a loss)."""

    __tablename__ = "flash_reservations"
    __table_args__ = (
        UniqueConstraint("drop_id", "buyer_key", "idempotency_key", name="uq_flash_reservations_claim"),
        Index("ix_flash_reservations_drop_status", "drop_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(96), primary_key=True)
    drop_id: Mapped[int] = mapped_column(Integer)
    buyer_key: Mapped[str] = mapped_column(String(128), index=True)
    qty: Mapped[int] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class GateDrop(Base):
    """A drop as the gate holds it (spec and state), copied from the change feed."""

    __tablename__ = "flash_gate_drops"

    drop_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(160), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    per_buyer_limit: Mapped[int] = mapped_column(Integer)
    hold_s: Mapped[int] = mapped_column(Integer)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    state: Mapped[str] = mapped_column(String(16))
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GateFeedPosition(Base):
    """How far the database has copied a gate's change feed (one row per gate source)."""

    __tablename__ = "flash_gate_positions"

    source: Mapped[str] = mapped_column(String(160), primary_key=True)
    position: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
