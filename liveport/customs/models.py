"""Tables of the customs domain: each declaration of an order, and every receipt."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from liveport.core.clock import utcnow
from liveport.core.db import Base, UTCDateTime


class Declaration(Base):
    """One message of an order's declaration (311, 411, 511, 621, 623, 625), whoever sends it.

    ``status``: todo → prepared (the signed bytes are stored, not yet known to be sent) →
    sent → accepted | rejected | released; ``failed`` after the last retry (the operator's
    dead-letter list); ``cancelled`` when the order was cancelled before it went out.
    ``return_status`` is the last receipt's code. The bytes are kept so a retry sends exactly
    the same message (same guid), never a second one.
    """

    __tablename__ = "customs_declarations"
    __table_args__ = (
        UniqueConstraint("order_id", "kind", name="uq_customs_declarations_order_kind"),
        Index("ix_customs_declarations_key", "kind", "key"),
        Index("ix_customs_declarations_due", "status", "next_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(3))
    key: Mapped[str] = mapped_column(String(60))  # what its receipts carry: order no, transaction id, waybill, copNo
    guid: Mapped[str | None] = mapped_column(String(36), nullable=True)
    status: Mapped[str] = mapped_column(String(12), default="prepared")
    return_status: Mapped[str | None] = mapped_column(String(8), nullable=True)
    return_info: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    pre_no: Mapped[str | None] = mapped_column(String(18), nullable=True)
    invt_no: Mapped[str | None] = mapped_column(String(18), nullable=True)
    party_code: Mapped[str | None] = mapped_column(String(18), nullable=True)  # pay / logistics code
    party_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)  # the signed XML we send
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    note: Mapped[str | None] = mapped_column(String(1000), nullable=True)  # e.g. why a cancellation
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomsReceipt(Base):
    __tablename__ = "customs_receipts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("customs_declarations.id"), nullable=True, index=True)
    msg_type: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(60))
    return_status: Mapped[str] = mapped_column(String(8))
    return_info: Mapped[str] = mapped_column(String(1000), default="")
    return_time: Mapped[str] = mapped_column(String(17), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
