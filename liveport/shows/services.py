"""Show use cases: schedule a show, its hosts and lineup, go live, end; list for pages.

Host actions (start, end) belong to the show's hosts or an operator; changing who hosts and
what is presented belongs to the main host or an operator. Shows are public, so a refusal
answers 403 (nothing to hide about a show's existence).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liveport.accounts.domain import Principal, Role
from liveport.accounts.models import User
from liveport.accounts.services import record_audit
from liveport.catalog.models import Product
from liveport.catalog.reference import code_tables
from liveport.core.clock import utcnow
from liveport.core.db import Database
from liveport.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from liveport.core.outbox.services import add_event
from liveport.shows.domain import (
    STATUS_RANK,
    HostSpec,
    ShowAction,
    ShowStatus,
    can_change,
    check_lineup,
    check_schedule,
    transition,
)
from liveport.shows.models import Show, ShowHost, ShowProduct

HOST_ACCOUNT_ROLES = (Role.HOST.value, Role.OPERATOR.value)


@dataclass(frozen=True, slots=True)
class HostSummary:
    user_id: int
    display_name: str
    role_label: str
    role_label_en: str
    is_main: bool
    country_code: str | None


@dataclass(frozen=True, slots=True)
class ShowSummary:
    id: int
    title: str
    title_en: str
    status: ShowStatus
    scheduled_start: datetime
    scheduled_end: datetime
    started_at: datetime | None
    ended_at: datetime | None
    hosts: tuple[HostSummary, ...]  # main host first
    product_count: int


@dataclass(frozen=True, slots=True)
class LineupItem:
    position: int
    product_id: int
    exhibitor_id: int
    sku: str
    name_zh: str
    name_en: str
    price_cny: Decimal


@dataclass(frozen=True, slots=True)
class ShowDetail:
    summary: ShowSummary
    description: str
    lineup: tuple[LineupItem, ...]


# --- reading --------------------------------------------------------------------------------


def _hosts_by_show(session: Session, show_ids: Sequence[int]) -> dict[int, list[HostSummary]]:
    rows = session.execute(
        select(ShowHost, User.display_name)
        .join(User, User.id == ShowHost.user_id)
        .where(ShowHost.show_id.in_(list(show_ids)))
        .order_by(ShowHost.show_id, ShowHost.is_main.desc(), ShowHost.id)
    ).all()
    found: dict[int, list[HostSummary]] = {sid: [] for sid in show_ids}
    for host, name in rows:
        found[host.show_id].append(
            HostSummary(
                host.user_id,
                name,
                host.role_label,
                host.role_label_en,
                host.is_main,
                host.country_code,
            )
        )
    return found


def _summaries(session: Session, shows: Sequence[Show]) -> list[ShowSummary]:
    ids = [s.id for s in shows]
    hosts = _hosts_by_show(session, ids)
    counts = dict(
        session.execute(
            select(ShowProduct.show_id, func.count())
            .where(ShowProduct.show_id.in_(ids))
            .group_by(ShowProduct.show_id)
        ).all()
    )
    return [
        ShowSummary(
            s.id,
            s.title,
            s.title_en,
            ShowStatus(s.status),
            s.scheduled_start,
            s.scheduled_end,
            s.started_at,
            s.ended_at,
            tuple(hosts[s.id]),
            int(counts.get(s.id, 0)),
        )
        for s in shows
    ]


def _load(session: Session, show_id: int, *, fresh: bool = False) -> Show:
    query = select(Show).where(Show.id == show_id)
    if fresh:
        query = query.execution_options(populate_existing=True)
    show = session.scalar(query)
    if show is None:
        raise NotFound("No such show.", code="show_not_found")
    return show


def _detail(session: Session, show_id: int) -> ShowDetail:
    show = _load(session, show_id, fresh=True)
    rows = session.execute(
        select(ShowProduct.position, Product)
        .join(Product, Product.id == ShowProduct.product_id)
        .where(ShowProduct.show_id == show_id)
        .order_by(ShowProduct.position)
    ).all()
    lineup = tuple(
        LineupItem(pos, p.id, p.exhibitor_id, p.sku, p.name_zh, p.name_en, p.price_cny)
        for pos, p in rows
    )
    return ShowDetail(_summaries(session, [show])[0], show.description, lineup)


def list_shows(db: Database) -> list[ShowSummary]:
    """Live shows first, then scheduled ones by start time, then ended ones, latest first."""
    with db.reader() as session:
        shows = list(session.scalars(select(Show)))
        summaries = _summaries(session, shows)

    def order(s: ShowSummary) -> tuple[int, float, int]:
        stamp = s.scheduled_start.timestamp()
        return (STATUS_RANK[s.status], -stamp if s.status is ShowStatus.ENDED else stamp, s.id)

    return sorted(summaries, key=order)


def get_show(db: Database, show_id: int) -> ShowDetail:
    with db.reader() as session:
        return _detail(session, show_id)


def lineup_product_ids(db: Database, show_id: int) -> list[int]:
    with db.reader() as session:
        _load(session, show_id)
        return list(
            session.scalars(
                select(ShowProduct.product_id)
                .where(ShowProduct.show_id == show_id)
                .order_by(ShowProduct.position)
            )
        )


# --- who may ---------------------------------------------------------------------------------


def _host_row(session: Session, show_id: int, user_id: int) -> ShowHost | None:
    return session.scalar(
        select(ShowHost).where(ShowHost.show_id == show_id, ShowHost.user_id == user_id)
    )


def _require_host(session: Session, actor: Principal, show_id: int) -> None:
    if actor.role is not Role.OPERATOR and _host_row(session, show_id, actor.user_id) is None:
        raise Forbidden(
            "Only the show's hosts or an operator may do that.", code="not_a_host_of_this_show"
        )


def _require_main_host(session: Session, actor: Principal, show_id: int) -> None:
    if actor.role is Role.OPERATOR:
        return
    row = _host_row(session, show_id, actor.user_id)
    if row is None or not row.is_main:
        raise Forbidden(
            "Only the show's main host or an operator may do that.", code="not_the_main_host"
        )


def _host(session: Session, show_id: int, spec: HostSpec, *, is_main: bool) -> ShowHost:
    user = session.get(User, spec.user_id)
    if user is None or not user.is_active or user.role not in HOST_ACCOUNT_ROLES:
        raise ValidationFailed(
            "A host is an active host or operator account.",
            code="not_a_host_account",
            details={"user_id": spec.user_id},
        )
    if spec.country_code is not None and code_tables().active_country(spec.country_code) is None:
        raise ValidationFailed(
            f"{spec.country_code!r} is not a customs country code.", code="unknown_country"
        )
    return ShowHost(
        show_id=show_id,
        user_id=user.id,
        role_label=spec.role_label,
        role_label_en=spec.role_label_en,
        is_main=is_main,
        country_code=spec.country_code,
        commission_rate=spec.commission_rate,
        added_at=utcnow(),
    )


# --- changing --------------------------------------------------------------------------------


def create_show(
    db: Database,
    actor: Principal,
    *,
    title: str,
    title_en: str,
    description: str,
    scheduled_start: datetime,
    scheduled_end: datetime,
    main_host: HostSpec,
) -> ShowDetail:
    check_schedule(scheduled_start, scheduled_end)
    with db.transaction() as session:
        show = Show(
            title=title,
            title_en=title_en,
            description=description,
            scheduled_start=scheduled_start,
            scheduled_end=scheduled_end,
            status=ShowStatus.SCHEDULED.value,
            created_at=utcnow(),
        )
        session.add(show)
        session.flush()
        session.add(_host(session, show.id, main_host, is_main=True))
        session.flush()
        record_audit(
            session, actor, "show.create", "show", show.id, {"main_host": main_host.user_id}
        )
        return _detail(session, show.id)


def add_host(db: Database, actor: Principal, show_id: int, spec: HostSpec) -> ShowDetail:
    """Adds a co-host (an ambassador, a guest); the main host is set when the show is made."""
    with db.transaction() as session:
        show = _load(session, show_id)
        _require_main_host(session, actor, show_id)
        if spec.commission_rate and not actor.is_operator:
            raise Forbidden("Only the operator sets a host's commission.", code="commission_operator_only")
        if not can_change(ShowStatus(show.status)):
            raise Conflict("The show has ended.", code="show_ended")
        if _host_row(session, show_id, spec.user_id) is not None:
            raise Conflict("That account hosts this show already.", code="already_a_host")
        session.add(_host(session, show_id, spec, is_main=False))
        try:
            session.flush()
        except IntegrityError as exc:
            raise Conflict("That account hosts this show already.", code="already_a_host") from exc
        record_audit(
            session,
            actor,
            "show.add_host",
            "show",
            show_id,
            {"user_id": spec.user_id, "role_label_en": spec.role_label_en,
             "commission_rate": str(spec.commission_rate)},
        )
        return _detail(session, show_id)


def set_lineup(
    db: Database, actor: Principal, show_id: int, product_ids: Sequence[int]
) -> ShowDetail:
    """Replaces the lineup with these products, in this order."""
    check_lineup(product_ids)
    with db.transaction() as session:
        show = _load(session, show_id)
        _require_main_host(session, actor, show_id)
        if not can_change(ShowStatus(show.status)):
            raise Conflict("The show has ended.", code="show_ended")
        known = set(session.scalars(select(Product.id).where(Product.id.in_(list(product_ids)))))
        if missing := [pid for pid in product_ids if pid not in known]:
            raise ValidationFailed(
                "Some products do not exist.",
                code="unknown_product",
                details={"product_ids": missing},
            )
        session.execute(delete(ShowProduct).where(ShowProduct.show_id == show_id))
        session.add_all(
            ShowProduct(show_id=show_id, product_id=pid, position=i)
            for i, pid in enumerate(product_ids, start=1)
        )
        session.flush()
        record_audit(
            session, actor, "show.set_lineup", "show", show_id, {"product_ids": list(product_ids)}
        )
        return _detail(session, show_id)


def _move(db: Database, actor: Principal, show_id: int, action: ShowAction) -> ShowDetail:
    with db.transaction() as session:
        show = _load(session, show_id)
        _require_host(session, actor, show_id)
        current = ShowStatus(show.status)
        target = transition(current, action)
        now = utcnow()
        stamp = {"started_at": now} if action is ShowAction.START else {"ended_at": now}
        # Conditional on the status just read: of two hosts pressing "start" at once, one wins
        # and the other gets the same invalid_transition as if it had come later.
        moved = session.execute(
            update(Show)
            .where(Show.id == show_id, Show.status == current.value)
            .values(status=target.value, **stamp)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:
            transition(ShowStatus(_load(session, show_id, fresh=True).status), action)
            raise Conflict("The show changed meanwhile; try again.")
        record_audit(
            session, actor, f"show.{action.value}", "show", show_id, {"from": current.value}
        )
        add_event(
            session,
            "show.started" if action is ShowAction.START else "show.ended",
            {"show_id": show_id, "status": target.value, "at": now.isoformat()},
            aggregate_type="show",
            aggregate_id=show_id,
        )
        return _detail(session, show_id)


def start_show(db: Database, actor: Principal, show_id: int) -> ShowDetail:
    return _move(db, actor, show_id, ShowAction.START)


def end_show(db: Database, actor: Principal, show_id: int) -> ShowDetail:
    return _move(db, actor, show_id, ShowAction.END)
