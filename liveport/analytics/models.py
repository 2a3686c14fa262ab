"""Tables analytics keeps itself: what the real-time plane saw of its audience.

Nothing else persisted who watched: the broker's viewer counter is live state that drifts and
vanishes with a restart. So each room process writes, every few seconds and in one unit of
work (never per connection or per message):
- a presence sample per open show: the viewer count the broker summed over every process
  (several processes writing the same instant is harmless: peaks take the maximum);
- the signed-in viewers who joined since its last write (once per show and person).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from liveport.core.db import Base, UTCDateTime


class PresenceSample(Base):
    __tablename__ = "analytics_presence_samples"
    __table_args__ = (Index("ix_analytics_presence_samples_show_at", "show_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[int] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    viewers: Mapped[int] = mapped_column(Integer)


class RoomVisitor(Base):
    """A person who joined a show's room signed in: the funnel's first step. ``viewer_key`` is
    the verified identity's keyed hash when there is one (the same key the flash-sale gate
    and orders use, so one person counts once at every step), else ``user:<id>``."""

    __tablename__ = "analytics_room_visitors"

    show_id: Mapped[int] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True)
    viewer_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
