"""Media tables: a show's stream (public id, key, state) and its publish sessions.

Kept apart from ``shows``: the show model knows nothing about video. The stream key is
stored twice, neither in the clear: a keyed hash to find the show when a media server asks
(``key_digest``) and an encrypted copy so the host console can show it again
(``key_cipher``); see ``liveport.media.protection``.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from liveport.core.clock import utcnow
from liveport.core.db import Base, UTCDateTime


class MediaStream(Base):
    __tablename__ = "media_streams"
    __table_args__ = (CheckConstraint("state IN ('offline', 'live')", name="state"),)

    show_id: Mapped[int] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    key_digest: Mapped[str] = mapped_column(String(64), unique=True)
    key_cipher: Mapped[str] = mapped_column(Text)
    key_rotated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(8), default="offline")
    state_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PublishSession(Base):
    """One encoder connection that was let in: from the accepted publish to its end."""

    __tablename__ = "media_publish_sessions"
    __table_args__ = (
        Index("ix_media_publish_sessions_show_started", "show_id", "started_at"),
        # At most one open session per show, kept by the database under races too.
        Index("uq_media_publish_sessions_open", "show_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[int] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"))
    ingest: Mapped[str] = mapped_column(String(16))
    client_addr: Mapped[str] = mapped_column(String(64), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
