"""Tables of fulfilment: one parcel per packed order."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from liveport.core.clock import utcnow
from liveport.core.db import Base, UTCDateTime


class Parcel(Base):
    """A packed order: its units left the warehouse's stock when this row was written (same
    unit of work). ``handed_over_at`` is the carrier's acknowledgement; ``last_event`` the
    newest tracking step seen."""

    __tablename__ = "parcels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    logistics_no: Mapped[str] = mapped_column(String(60))
    weight_kg: Mapped[Decimal] = mapped_column(Numeric(10, 3, asdecimal=True))
    packed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    packed_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: auto-packed
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_event: Mapped[str | None] = mapped_column(String(20), nullable=True)
