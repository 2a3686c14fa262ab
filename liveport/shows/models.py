from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from liveport.core.clock import utcnow
from liveport.core.db import Base, UTCDateTime


class Show(Base):
    __tablename__ = "shows"
    __table_args__ = (
        CheckConstraint("status IN ('scheduled', 'live', 'ended')", name="status"),
        Index("ix_shows_status_start", "status", "scheduled_start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))  # Chinese, the expo's language
    title_en: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    scheduled_start: Mapped[datetime] = mapped_column(UTCDateTime)
    scheduled_end: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ShowHost(Base):
    __tablename__ = "show_hosts"
    __table_args__ = (
        UniqueConstraint("show_id", "user_id", name="uq_show_hosts_show_user"),
        # One main host per show, kept by the database even under concurrent requests.
        Index(
            "uq_show_hosts_main",
            "show_id",
            unique=True,
            sqlite_where=text("is_main = 1"),
            postgresql_where=text("is_main"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[int] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role_label: Mapped[str] = mapped_column(String(80))  # e.g. 阿富汗驻华大使
    role_label_en: Mapped[str] = mapped_column(String(80))  # e.g. Ambassador of Afghanistan
    is_main: Mapped[bool] = mapped_column(Boolean, default=False)
    country_code: Mapped[str | None] = mapped_column(String(3), nullable=True)
    # This host's commission on the goods value of the show's sales (payments' ledger).
    commission_rate: Mapped[Decimal] = mapped_column(Numeric(6, 4, asdecimal=True), default=Decimal(0))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ShowProduct(Base):
    """The lineup: products presented in the show, in order."""

    __tablename__ = "show_products"
    __table_args__ = (UniqueConstraint("show_id", "position", name="uq_show_products_position"),)

    show_id: Mapped[int] = mapped_column(
        ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)
