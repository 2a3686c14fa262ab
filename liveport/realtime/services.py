"""Room use cases that touch the database: chat, pins and the pin timeline, announcements,
and the reads a room snapshot starts from. One unit of work each; moderation is in
``moderation.py``.

Room events are published by the caller (``room.Room``) after the commit, straight to
the broker rather than through the SQL outbox: they are hints for viewers, the stored
rows stay the truth, and a snapshot rebuilt from the stores repairs a lost event (ADR 0008).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liveport.accounts.domain import Principal
from liveport.accounts.services import record_audit
from liveport.catalog.models import Product
from liveport.core.clock import iso_z
from liveport.core.db import Database
from liveport.core.errors import Conflict, Forbidden, ValidationFailed
from liveport.realtime.access import check_host, load_show
from liveport.realtime.domain import CHAT_HISTORY
from liveport.realtime.models import ChatMessage, ShowPin
from liveport.realtime.moderation import standing_in
from liveport.shows.models import Show, ShowProduct

ENDED = "ended"


def chat_data(message: ChatMessage) -> dict[str, Any]:
    """``chat.message`` event data."""
    return {"id": message.id, "user": {"id": message.user_id, "name": message.display_name,
                                       "role": message.role},
            "text": message.text, "at": iso_z(message.created_at)}


def pin_data(pin: ShowPin, product: Product) -> dict[str, Any]:
    """``pin.set`` event data: what a viewer's product card shows."""
    return {"pin_id": pin.id, "product_id": product.id, "sku": product.sku,
            "name_zh": product.name_zh, "name_en": product.name_en,
            "price_cny": str(product.price_cny), "origin_country": product.origin_country,
            "image_url": product.image_url, "pinned_at": iso_z(pin.pinned_at),
            "stream_ms": pin.stream_start_ms}


def stream_ms(show: Show, now: datetime, given: int | None) -> int | None:
    """Stream time of a moment: as the host console's player gave it, else the time since
    the show went live (None before it did)."""
    if given is not None:
        return given
    if show.started_at is None:
        return None
    return max(0, int((now - show.started_at).total_seconds() * 1000))


# ---- chat -----------------------------------------------------------------------------------


def post_chat(db: Database, actor: Principal, show_id: int, text: str, now: datetime) -> dict[str, Any]:
    """Store a chat message (already cleaned and checked against blocked words) if the
    person may chat here now: the show has not ended, no ban or mute applies to the
    account or, through the verified identity, to the person."""
    with db.transaction() as session:
        show = load_show(session, show_id)
        if show.status == ENDED:
            raise Conflict("The show has ended; its chat is closed.", code="chat_closed")
        standing = standing_in(session, actor.user_id, actor.identity_hash, show_id, now)
        if standing.banned:
            raise Forbidden("You are banned from this room.", code="banned")
        if standing.muted(now):
            until = standing.muted_until
            raise Forbidden("You are muted in this room.", code="muted",
                            details={"until": iso_z(until) if until else None})
        message = ChatMessage(show_id=show_id, user_id=actor.user_id,
                              display_name=actor.display_name, role=actor.role.value,
                              text=text, created_at=now)
        session.add(message)
        session.flush()
        return chat_data(message)


def recent_chat(session: Session, show_id: int, limit: int = CHAT_HISTORY) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(ChatMessage).where(ChatMessage.show_id == show_id, ChatMessage.removed_at.is_(None))
        .order_by(ChatMessage.id.desc()).limit(limit))
    return [chat_data(m) for m in reversed(list(rows))]


# ---- pins -----------------------------------------------------------------------------------


def _current_pin(session: Session, show_id: int) -> ShowPin | None:
    return session.scalar(select(ShowPin).where(ShowPin.show_id == show_id,
                                                ShowPin.unpinned_at.is_(None)))


def _close_current(session: Session, actor: Principal, show_id: int, now: datetime,
                   end_ms: int | None) -> int:
    return session.execute(
        update(ShowPin).where(ShowPin.show_id == show_id, ShowPin.unpinned_at.is_(None))
        .values(unpinned_at=now, stream_end_ms=end_ms, unpinned_by=actor.user_id)
        .execution_options(synchronize_session=False)).rowcount


def pin_product(db: Database, actor: Principal, show_id: int, product_id: int, now: datetime,
                given_stream_ms: int | None = None) -> dict[str, Any]:
    """Put a product of the show's lineup on screen, ending the previous pin; both ends
    are kept on the show's timeline in wall-clock and stream time."""
    with db.transaction() as session:
        show = load_show(session, show_id)
        check_host(session, actor, show_id)
        if show.status == ENDED:
            raise Conflict("The show has ended.", code="show_ended")
        if session.get(ShowProduct, (show_id, product_id)) is None:
            raise ValidationFailed("Only a product of the show's lineup can be pinned.",
                                   code="product_not_in_lineup", details={"product_id": product_id})
        product = session.get(Product, product_id)
        assert product is not None  # the lineup's foreign key
        at_ms = stream_ms(show, now, given_stream_ms)
        _close_current(session, actor, show_id, now, at_ms)
        pin = ShowPin(show_id=show_id, product_id=product_id, pinned_at=now,
                      stream_start_ms=at_ms, pinned_by=actor.user_id)
        session.add(pin)
        try:
            session.flush()
        except IntegrityError as exc:  # another host pinned at the same moment
            raise Conflict("The pin changed meanwhile; try again.", code="pin_changed") from exc
        record_audit(session, actor, "room.pin", "show", show_id,
                     {"product_id": product_id, "stream_ms": at_ms})
        return pin_data(pin, product)


def unpin(db: Database, actor: Principal, show_id: int, now: datetime,
          given_stream_ms: int | None = None) -> bool:
    """Take the pinned product off screen; False when nothing was pinned."""
    with db.transaction() as session:
        show = load_show(session, show_id)
        check_host(session, actor, show_id)
        at_ms = stream_ms(show, now, given_stream_ms)
        if not _close_current(session, actor, show_id, now, at_ms):
            return False
        record_audit(session, actor, "room.unpin", "show", show_id, {"stream_ms": at_ms})
        return True


@dataclass(frozen=True, slots=True)
class PinEntry:
    """One chapter of a replay: a product and its time on screen."""

    pin_id: int
    product_id: int
    name_zh: str
    name_en: str
    pinned_at: datetime
    unpinned_at: datetime | None
    stream_start_ms: int | None
    stream_end_ms: int | None


def pin_timeline(db: Database, show_id: int) -> list[PinEntry]:
    with db.reader() as session:
        load_show(session, show_id)
        rows = session.execute(
            select(ShowPin, Product.name_zh, Product.name_en)
            .join(Product, Product.id == ShowPin.product_id)
            .where(ShowPin.show_id == show_id).order_by(ShowPin.pinned_at, ShowPin.id)).all()
    return [PinEntry(p.id, p.product_id, zh, en, p.pinned_at, p.unpinned_at, p.stream_start_ms,
                     p.stream_end_ms) for p, zh, en in rows]


# ---- announcements and reads ------------------------------------------------------------------


def record_announcement(db: Database, actor: Principal, show_id: int, text: str) -> dict[str, Any]:
    """A host's announcement is not stored as chat; the audit log keeps it."""
    with db.transaction() as session:
        show = load_show(session, show_id)
        check_host(session, actor, show_id)
        if show.status == ENDED:
            raise Conflict("The show has ended.", code="show_ended")
        record_audit(session, actor, "room.announce", "show", show_id, {"text": text})
    return {"text": text, "by": {"id": actor.user_id, "name": actor.display_name}}


@dataclass(frozen=True, slots=True)
class RoomRecords:
    status: str
    pinned: dict[str, Any] | None
    chat: list[dict[str, Any]]


def room_records(db: Database, show_id: int) -> RoomRecords:
    """What a snapshot takes from the database: the pinned product and the latest chat."""
    with db.reader() as session:
        show = load_show(session, show_id)
        pin = _current_pin(session, show_id)
        pinned = None
        if pin is not None:
            product = session.get(Product, pin.product_id)
            assert product is not None
            pinned = pin_data(pin, product)
        return RoomRecords(show.status, pinned, recent_chat(session, show_id))


def show_status(db: Database, show_id: int) -> str | None:
    with db.reader() as session:
        return session.scalar(select(Show.status).where(Show.id == show_id))
