"""Reading the night's figures out of the database, and recording the room's audience.

``figures`` reads only facts that are written once and never drift: the ledger's journals
(money, see ``domain``), the orders and their lines as quoted (what was sold, whose, from
where), the flash-sale reservations (who claimed), the declarations (their status), and the
audience the real-time plane persisted (``models``). One read-only session: one consistent
snapshot on PostgreSQL.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from liveport.analytics import domain
from liveport.analytics.models import PresenceSample, RoomVisitor
from liveport.catalog.models import Exhibitor, Pavilion, Product
from liveport.catalog.reference import code_tables
from liveport.core.db import Database
from liveport.customs.models import Declaration
from liveport.flashsale.models import Drop, GateReservation
from liveport.orders.models import Order, OrderLine
from liveport.payments.models import LedgerJournal, LedgerPosting
from liveport.shows.models import Show

CHUNK = 500  # orders read per IN (...) list


def figures(db: Database, *, show_id: int | None = None, exhibitor_id: int | None = None,
            since: datetime | None = None, until: datetime | None = None) -> domain.Figures:
    """The figures of the orders in scope (one show's, one exhibitor's, or all), money moved
    in ``[since, until)`` (None: unbounded)."""
    with db.reader() as session:
        movements = _movements(session, show_id, exhibitor_id, since, until)
        orders = _order_facts(session, sorted({m.order_id for m in movements}))
        shows = _shows_in_scope(session, show_id, exhibitor_id)
        viewers = _viewer_keys(session, shows, since, until)
        claimers = _claimer_keys(session, show_id, exhibitor_id, since, until)
        samples = _samples(session, shows, since, until)
        statuses = _declaration_statuses(session, show_id, exhibitor_id, since, until)
    return domain.figures(movements, orders, viewer_keys=viewers, claimer_keys=claimers,
                          samples=samples, declaration_statuses=statuses)


def _window(column, since: datetime | None, until: datetime | None) -> list:
    clauses = []
    if since is not None:
        clauses.append(column >= since)
    if until is not None:
        clauses.append(column < until)
    return clauses


def _order_scope(show_id: int | None, exhibitor_id: int | None) -> list:
    clauses = []
    if show_id is not None:
        clauses.append(Order.show_id == show_id)
    if exhibitor_id is not None:
        clauses.append(Order.exhibitor_id == exhibitor_id)
    return clauses


def _movements(session: Session, show_id: int | None, exhibitor_id: int | None,
               since: datetime | None, until: datetime | None) -> list[domain.Movement]:
    """Per journal of an order: the sum of its postings on provider accounts (what the
    buyer's money did: + paid, − given back)."""
    query = (select(LedgerJournal.order_id, LedgerJournal.at, func.sum(LedgerPosting.amount))
             .join(LedgerPosting, LedgerPosting.journal_id == LedgerJournal.id)
             .join(Order, Order.id == LedgerJournal.order_id)
             .where(LedgerPosting.account.like("provider:%"), *_order_scope(show_id, exhibitor_id),
                    *_window(LedgerJournal.at, since, until))
             .group_by(LedgerJournal.id, LedgerJournal.order_id, LedgerJournal.at))
    return [domain.Movement(order_id, at, Decimal(amount)) for order_id, at, amount in session.execute(query)
            if amount]


def _order_facts(session: Session, order_ids: Sequence[int]) -> dict[int, domain.OrderFacts]:
    facts: dict[int, domain.OrderFacts] = {}
    countries = code_tables().countries
    for start in range(0, len(order_ids), CHUNK):
        chunk = order_ids[start:start + CHUNK]
        lines: dict[int, list[domain.SoldLine]] = {}
        for row in session.execute(
            select(OrderLine.order_id, OrderLine.product_id, OrderLine.name_zh, OrderLine.name_en,
                   OrderLine.origin_country, OrderLine.qty, OrderLine.goods_value)
            .where(OrderLine.order_id.in_(chunk)).order_by(OrderLine.order_id, OrderLine.gnum)
        ):
            label = f"{row.name_zh} / {row.name_en}" if row.name_en and row.name_en != row.name_zh else row.name_zh
            country = countries.get(row.origin_country)
            lines.setdefault(row.order_id, []).append(domain.SoldLine(
                row.product_id, label, row.origin_country, row.qty, Decimal(row.goods_value),
                f"{country.name_zh} / {country.name_en}" if country is not None else ""))
        for row in session.execute(
            select(Order.id, Order.show_id, Order.id_hash, Show.title, Show.title_en,
                   Pavilion.id.label("pavilion_id"), Pavilion.name_zh, Pavilion.name_en)
            .join(Exhibitor, Exhibitor.id == Order.exhibitor_id)
            .join(Pavilion, Pavilion.id == Exhibitor.pavilion_id)
            .outerjoin(Show, Show.id == Order.show_id)
            .where(Order.id.in_(chunk))
        ):
            show_key = str(row.show_id) if row.show_id is not None else domain.NO_SHOW
            show_label = f"{row.title} / {row.title_en}" if row.title else "—"
            facts[row.id] = domain.OrderFacts(
                row.id, show_key, show_label, str(row.pavilion_id), f"{row.name_zh} / {row.name_en}",
                tuple(lines.get(row.id, ())), buyer_key=row.id_hash)
    return facts


def _shows_in_scope(session: Session, show_id: int | None, exhibitor_id: int | None) -> list[int] | None:
    """The shows whose audience counts: one, an exhibitor's (those with its drops), or all (None)."""
    if show_id is not None:
        return [show_id]
    if exhibitor_id is None:
        return None
    return list(session.scalars(select(Drop.show_id).join(Product, Product.id == Drop.product_id)
                                .where(Product.exhibitor_id == exhibitor_id).distinct()))


def _viewer_keys(session: Session, shows: list[int] | None, since: datetime | None,
                 until: datetime | None) -> list[str]:
    query = select(RoomVisitor.viewer_key).where(*_window(RoomVisitor.first_seen_at, since, until))
    if shows is not None:
        query = query.where(RoomVisitor.show_id.in_(shows))
    return list(session.scalars(query))


def _claimer_keys(session: Session, show_id: int | None, exhibitor_id: int | None,
                  since: datetime | None, until: datetime | None) -> list[str]:
    query = (select(GateReservation.buyer_key).join(Drop, Drop.id == GateReservation.drop_id)
             .where(*_window(GateReservation.created_at, since, until)))
    if show_id is not None:
        query = query.where(Drop.show_id == show_id)
    if exhibitor_id is not None:
        query = query.join(Product, Product.id == Drop.product_id).where(Product.exhibitor_id == exhibitor_id)
    return list(session.scalars(query.distinct()))


def _samples(session: Session, shows: list[int] | None, since: datetime | None,
             until: datetime | None) -> list[domain.PresenceSample]:
    query = select(PresenceSample.show_id, PresenceSample.at, PresenceSample.viewers).where(
        *_window(PresenceSample.at, since, until))
    if shows is not None:
        query = query.where(PresenceSample.show_id.in_(shows))
    return [domain.PresenceSample(*row) for row in session.execute(query)]


def _declaration_statuses(session: Session, show_id: int | None, exhibitor_id: int | None,
                          since: datetime | None, until: datetime | None) -> list[str]:
    query = (select(Declaration.status).join(Order, Order.id == Declaration.order_id)
             .where(*_order_scope(show_id, exhibitor_id), *_window(Declaration.created_at, since, until)))
    return list(session.scalars(query))


def record_audience(db: Database, samples: Iterable[domain.PresenceSample],
                    visitors: Iterable[tuple[int, str, datetime]]) -> None:
    """One unit of work: presence samples, and (show, viewer key, first seen) rows; a visitor
    already recorded (by this or another process) is left as it is."""
    sample_rows = [{"show_id": s.show_id, "at": s.at, "viewers": s.viewers} for s in samples]
    visitor_rows = [{"show_id": show, "viewer_key": key, "first_seen_at": at} for show, key, at in visitors]
    if not sample_rows and not visitor_rows:
        return
    with db.transaction() as session:
        if sample_rows:
            session.execute(PresenceSample.__table__.insert(), sample_rows)
        insert = pg_insert if db.dialect == "postgresql" else sqlite_insert
        # in slices: one statement's bound parameters are limited (SQLite: 32,766)
        for start in range(0, len(visitor_rows), CHUNK):
            session.execute(insert(RoomVisitor.__table__).values(visitor_rows[start:start + CHUNK])
                            .on_conflict_do_nothing())
