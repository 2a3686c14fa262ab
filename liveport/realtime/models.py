"""The live room's records: chat, sanctions, blocked words, and the show's pin timeline.

The pin timeline lives here rather than in liveport.shows because pins are made in the
room (by the host, live) and read back for replay chapters; shows keeps the schedule and
lineup. A pin row is one product's time on screen: from ``pinned_at`` to ``unpinned_at``
in wall-clock time, and from ``stream_start_ms`` to ``stream_end_ms`` in stream time
(milliseconds since the show went live, or as the host console's player reported it).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from liveport.core.clock import utcnow
from liveport.core.db import Base, UTCDateTime


class ChatMessage(Base):
    __tablename__ = "room_chat_messages"
    __table_args__ = (Index("ix_room_chat_messages_show_id_id", "show_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[int] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The name and role as they were when the message was sent: the message reads the same later.
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    removed_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


class RoomSanction(Base):
    """A mute or a ban of a person in one show's room, or in every room (show_id NULL).

    It binds the account and, through the verified identity, the person's other accounts:
    ``identity_hash`` is the target's at the time, and the check also compares the
    target account's current one (an identity verified after the ban still counts)."""

    __tablename__ = "room_sanctions"
    __table_args__ = (
        CheckConstraint("kind IN ('mute', 'ban')", name="kind"),
        Index("ix_room_sanctions_identity", "identity_hash"),
        Index("ix_room_sanctions_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[int | None] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"),
                                                nullable=True, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    identity_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    kind: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # None: until lifted
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lifted_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


class BlockedWord(Base):
    """A word chat refuses: in one show's room, or everywhere (show_id NULL). Stored as
    ``domain.normalise_blocked_word`` leaves it."""

    __tablename__ = "room_blocked_words"
    __table_args__ = (
        UniqueConstraint("show_id", "word", name="uq_room_blocked_words_show_word"),
        # NULL never equals NULL in a unique constraint: platform-wide words get their own.
        Index("uq_room_blocked_words_platform", "word", unique=True,
              sqlite_where=text("show_id IS NULL"), postgresql_where=text("show_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[int | None] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"),
                                                nullable=True, index=True)
    word: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ShowPin(Base):
    """One product's time pinned on screen (see the module docstring)."""

    __tablename__ = "show_pins"
    __table_args__ = (
        Index("ix_show_pins_show_pinned", "show_id", "pinned_at"),
        # At most one product on screen per show, kept by the database under races too.
        Index("uq_show_pins_current", "show_id", unique=True,
              sqlite_where=text("unpinned_at IS NULL"), postgresql_where=text("unpinned_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[int] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    pinned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stream_start_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pinned_by: Mapped[int] = mapped_column(Integer)
    unpinned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    stream_end_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    unpinned_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
