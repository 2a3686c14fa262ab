"""Moderation use cases: mutes and bans, removing messages, blocked words. Each is one
unit of work and leaves an entry in the audit log.

A sanction binds the person, not just the account: it matches the target account, any
account with the same verified identity hash, and (because the target may verify after
the ban) any account whose hash equals the target account's current one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from liveport.accounts.domain import STAFF_ROLES, Principal, Role
from liveport.accounts.models import User
from liveport.accounts.services import record_audit
from liveport.core.db import Database
from liveport.core.errors import Conflict, Forbidden, NotFound
from liveport.realtime.access import check_moderator, check_platform_moderator, load_show
from liveport.realtime.domain import (
    ActiveSanction,
    RoomRules,
    SanctionKind,
    Standing,
    normalise_blocked_word,
    sanction_end,
)
from liveport.realtime.models import BlockedWord, ChatMessage, RoomSanction


def _active(now: datetime):  # type: ignore[no-untyped-def]
    return and_(RoomSanction.lifted_at.is_(None),
                or_(RoomSanction.expires_at.is_(None), RoomSanction.expires_at > now))


def standing_in(session: Session, user_id: int, identity_hash: str | None, show_id: int,
                now: datetime) -> Standing:
    target = aliased(User)
    person = [RoomSanction.user_id == user_id]
    if identity_hash is not None:
        person += [RoomSanction.identity_hash == identity_hash, target.identity_hash == identity_hash]
    rows = session.execute(
        select(RoomSanction.kind, RoomSanction.expires_at)
        .join(target, target.id == RoomSanction.user_id)
        .where(_active(now), or_(RoomSanction.show_id == show_id, RoomSanction.show_id.is_(None)),
               or_(*person))).all()
    banned = any(kind == SanctionKind.BAN.value for kind, _ in rows)
    mutes = [until for kind, until in rows if kind == SanctionKind.MUTE.value]
    forever = any(until is None for until in mutes)
    until = max((u for u in mutes if u is not None), default=None)
    return Standing(banned=banned, muted_until=None if forever else until, muted_forever=forever)


def standing(db: Database, user_id: int, identity_hash: str | None, show_id: int,
             now: datetime) -> Standing:
    with db.reader() as session:
        return standing_in(session, user_id, identity_hash, show_id, now)


def active_sanctions(db: Database, show_id: int, now: datetime) -> list[ActiveSanction]:
    """Every sanction in force in this room (its own and the platform-wide ones)."""
    with db.reader() as session:
        rows = session.execute(
            select(RoomSanction, User.identity_hash).join(User, User.id == RoomSanction.user_id)
            .where(_active(now), or_(RoomSanction.show_id == show_id, RoomSanction.show_id.is_(None)))).all()
    return [ActiveSanction(SanctionKind(s.kind), s.user_id,
                           frozenset(h for h in (s.identity_hash, current) if h), s.expires_at)
            for s, current in rows]


def _same_person(session: Session, user: User) -> list[int]:
    if user.identity_hash is None:
        return [user.id]
    others = session.scalars(select(User.id).where(User.identity_hash == user.identity_hash))
    return sorted({user.id, *others})


@dataclass(frozen=True, slots=True)
class SanctionOutcome:
    sanction_id: int
    kind: SanctionKind
    user_id: int
    display_name: str
    until: datetime | None
    affected_user_ids: list[int]  # the accounts of the same person (never published)
    removed_message_ids: list[int]


def sanction(db: Database, actor: Principal, show_id: int, user_id: int, kind: SanctionKind,
             *, minutes: int | None, reason: str, everywhere: bool, now: datetime,
             rules: RoomRules) -> SanctionOutcome:
    """Mute or ban a person in this show's room (or every room). A ban also takes the
    person's messages in this room off the chat."""
    until = sanction_end(now, minutes, rules)
    with db.transaction() as session:
        load_show(session, show_id)
        check_moderator(session, actor, show_id)
        if everywhere:
            check_platform_moderator(actor)
        target = session.get(User, user_id)
        if target is None:
            raise NotFound("No such account.", code="user_not_found")
        if Role(target.role) in STAFF_ROLES or target.id == actor.user_id:
            raise Forbidden("Staff accounts are not muted or banned here.", code="cannot_sanction_staff")
        row = RoomSanction(show_id=None if everywhere else show_id, user_id=target.id,
                           identity_hash=target.identity_hash, kind=kind.value, reason=reason,
                           created_by=actor.user_id, created_at=now, expires_at=until)
        session.add(row)
        session.flush()
        accounts = _same_person(session, target)
        removed: list[int] = []
        if kind is SanctionKind.BAN:
            removed = sorted(session.scalars(
                update(ChatMessage)
                .where(ChatMessage.show_id == show_id, ChatMessage.user_id.in_(accounts),
                       ChatMessage.removed_at.is_(None))
                .values(removed_at=now, removed_by=actor.user_id)
                .returning(ChatMessage.id)).all())
        record_audit(session, actor, f"room.{kind.value}", "user", target.id,
                     {"show_id": show_id, "everywhere": everywhere, "minutes": minutes,
                      "reason": reason, "accounts": len(accounts), "removed_messages": len(removed)})
        return SanctionOutcome(row.id, kind, target.id, target.display_name, until, accounts, removed)


def lift_sanction(db: Database, actor: Principal, show_id: int, sanction_id: int,
                  now: datetime) -> SanctionOutcome:
    with db.transaction() as session:
        load_show(session, show_id)
        check_moderator(session, actor, show_id)
        row = session.get(RoomSanction, sanction_id)
        if row is None or row.show_id not in (show_id, None):
            raise NotFound("No such sanction in this room.", code="sanction_not_found")
        if row.show_id is None:
            check_platform_moderator(actor)
        if row.lifted_at is None:
            row.lifted_at, row.lifted_by = now, actor.user_id
            record_audit(session, actor, "room.lift", "user", row.user_id,
                         {"show_id": show_id, "sanction_id": sanction_id, "kind": row.kind})
        target = session.get(User, row.user_id)
        assert target is not None
        return SanctionOutcome(row.id, SanctionKind(row.kind), target.id, target.display_name,
                               row.expires_at, _same_person(session, target), [])


@dataclass(frozen=True, slots=True)
class SanctionView:
    id: int
    user_id: int
    display_name: str
    kind: str
    everywhere: bool
    reason: str
    created_at: datetime
    expires_at: datetime | None


def list_sanctions(db: Database, actor: Principal, show_id: int, now: datetime) -> list[SanctionView]:
    """Sanctions in force in this room (its own and the platform-wide ones)."""
    with db.reader() as session:
        load_show(session, show_id)
        check_moderator(session, actor, show_id)
        rows = session.execute(
            select(RoomSanction, User.display_name).join(User, User.id == RoomSanction.user_id)
            .where(_active(now), or_(RoomSanction.show_id == show_id, RoomSanction.show_id.is_(None)))
            .order_by(RoomSanction.id)).all()
    return [SanctionView(s.id, s.user_id, name, s.kind, s.show_id is None, s.reason, s.created_at,
                         s.expires_at) for s, name in rows]


def remove_message(db: Database, actor: Principal, show_id: int, message_id: int,
                   now: datetime) -> None:
    with db.transaction() as session:
        load_show(session, show_id)
        check_moderator(session, actor, show_id)
        message = session.get(ChatMessage, message_id)
        if message is None or message.show_id != show_id:
            raise NotFound("No such message in this room.", code="message_not_found")
        if message.removed_at is None:
            message.removed_at, message.removed_by = now, actor.user_id
            record_audit(session, actor, "room.remove_message", "chat_message", message_id,
                         {"show_id": show_id, "user_id": message.user_id})


# ---- blocked words ----------------------------------------------------------------------------


def _check_scope(session: Session, actor: Principal, show_id: int | None) -> None:
    if show_id is None:
        check_platform_moderator(actor)
    else:
        load_show(session, show_id)
        check_moderator(session, actor, show_id)


def add_blocked_word(db: Database, actor: Principal, show_id: int | None, word: str) -> BlockedWord:
    """Block a word in one room, or in every room (show_id None)."""
    folded = normalise_blocked_word(word)
    with db.transaction() as session:
        _check_scope(session, actor, show_id)
        row = BlockedWord(show_id=show_id, word=folded, created_by=actor.user_id)
        session.add(row)
        try:
            session.flush()
        except IntegrityError as exc:
            raise Conflict("That word is blocked already.", code="blocked_word_exists") from exc
        record_audit(session, actor, "room.block_word", "show" if show_id else "platform",
                     show_id or "-", {"word": folded})
        return row


def remove_blocked_word(db: Database, actor: Principal, show_id: int | None, word_id: int) -> None:
    with db.transaction() as session:
        _check_scope(session, actor, show_id)
        row = session.get(BlockedWord, word_id)
        if row is None or row.show_id != show_id:
            raise NotFound("No such blocked word here.", code="blocked_word_not_found")
        session.execute(delete(BlockedWord).where(BlockedWord.id == word_id))
        record_audit(session, actor, "room.unblock_word", "show" if show_id else "platform",
                     show_id or "-", {"word": row.word})


def list_blocked_words(db: Database, actor: Principal, show_id: int | None) -> list[BlockedWord]:
    with db.reader() as session:
        _check_scope(session, actor, show_id)
        where = BlockedWord.show_id.is_(None) if show_id is None else BlockedWord.show_id == show_id
        return list(session.scalars(select(BlockedWord).where(where).order_by(BlockedWord.word)))


def blocked_words_for(db: Database, show_id: int) -> list[str]:
    """The words chat refuses in this room: its own and the platform-wide ones."""
    with db.reader() as session:
        return sorted(set(session.scalars(select(BlockedWord.word).where(
            or_(BlockedWord.show_id == show_id, BlockedWord.show_id.is_(None))))))
