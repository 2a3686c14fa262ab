"""Tables of the buyers domain: verified real-name identities, consents, consignee
addresses, and the per-identity yearly ledgers (the ¥26,000 quota and positive-list caps).

No column holds a resident ID number in clear: ``id_cipher`` is Fernet ciphertext,
``id_hash`` the keyed hash that limits count by, ``id_masked`` what pages show.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from liveport.core.clock import utcnow
from liveport.core.db import Base, MoneyAmount, UTCDateTime


class Identity(Base):
    __tablename__ = "identities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    full_name: Mapped[str] = mapped_column(String(50))
    id_cipher: Mapped[str] = mapped_column(String(512))
    # Not unique: one person may hold several accounts; per-person limits count by it.
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_masked: Mapped[str] = mapped_column(String(18))
    phone: Mapped[str] = mapped_column(String(11))
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verification_method: Mapped[str] = mapped_column(String(16))
    # The verifier's reference for its check, kept to answer "who verified this, when".
    verification_reference: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Consent(Base):
    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_user_purpose", "user_id", "purpose"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(40))
    text_version: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Consignee(Base):
    """Where a buyer's parcels go; an order copies it, so editing one never rewrites history."""

    __tablename__ = "consignees"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str] = mapped_column(String(11))
    address: Mapped[str] = mapped_column(String(200))
    district_code: Mapped[str] = mapped_column(String(6))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class QuotaYear(Base):
    """One identity's annual cross-border quota in one China calendar year.

    ``held`` belongs to placed, unpaid orders; ``used`` to paid ones. Changed only by
    conditional UPDATEs (liveport.buyers.quota), never read-then-written.
    """

    __tablename__ = "quota_years"
    __table_args__ = (
        CheckConstraint("used >= 0 AND held >= 0", name="not_negative"),
    )

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    used: Mapped[Decimal] = mapped_column(MoneyAmount(), default=Decimal(0))
    held: Mapped[Decimal] = mapped_column(MoneyAmount(), default=Decimal(0))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TariffLineYear(Base):
    """Legal quantity of one positive-list line bought by one identity in one China year,
    for the list's yearly caps (sugar ≤ 2 kg); held and used as for the quota."""

    __tablename__ = "tariff_line_years"
    __table_args__ = (
        CheckConstraint("used >= 0 AND held >= 0", name="not_negative"),
    )

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hs8: Mapped[str] = mapped_column(String(8), primary_key=True)
    used: Mapped[Decimal] = mapped_column(Numeric(18, 5, asdecimal=True), default=Decimal(0))
    held: Mapped[Decimal] = mapped_column(Numeric(18, 5, asdecimal=True), default=Decimal(0))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
