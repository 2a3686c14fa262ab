"""Tables of the buyers domain: verified real-name identities and consents.

No column holds a resident ID number in clear: ``id_cipher`` is Fernet ciphertext,
``id_hash`` the keyed hash that limits count by, ``id_masked`` what pages show.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from liveport.core.clock import utcnow
from liveport.core.db import Base, UTCDateTime


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
