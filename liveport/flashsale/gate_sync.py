"""Use cases that keep the database level with the gate: one unit of work each.

The gate's change feed carries full snapshots, so copying is an upsert per reservation and
per drop; the feed position moves in the same transaction with a compare-and-set, which
makes two reconcilers racing over the same feed harmless (the loser copies nothing).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liveport.core.clock import utcnow
from liveport.core.db import Database
from liveport.flashsale.domain import (
    DropChanged,
    DropSpec,
    DropState,
    DropStatus,
    GateCounts,
    Reservation,
    ReservationStatus,
    from_ms,
    to_ms,
)
from liveport.flashsale.models import GateDrop, GateFeedPosition, GateReservation
from liveport.flashsale.ports import ChangeBatch

START = "0"
_CHUNK = 500


def _dt(ms: int | None) -> datetime | None:
    return None if ms is None else from_ms(ms)


def _ms(moment: datetime | None) -> int | None:
    return None if moment is None else to_ms(moment)


def feed_position(db: Database, source: str) -> str:
    with db.reader() as session:
        return session.scalar(select(GateFeedPosition.position).where(GateFeedPosition.source == source)) or START


def reset_feed_position(db: Database, source: str) -> None:
    """After a gate was restored its feed starts afresh."""
    with db.transaction() as session:
        row = session.get(GateFeedPosition, source)
        if row is None:
            session.add(GateFeedPosition(source=source, position=START))
        else:
            row.position, row.updated_at = START, utcnow()


def apply_gate_changes(db: Database, source: str, after: str, batch: ChangeBatch) -> bool:
    """Copy one batch of the feed read from ``after``. False when another reconciler moved
    the position first (this batch then copies nothing)."""
    try:
        with db.transaction() as session:
            if not _move_position(session, source, after, batch.position):
                return False
            reservations: dict[str, Reservation] = {}
            drops: dict[int, DropStatus] = {}
            for change in batch.changes:
                if isinstance(change, DropChanged):
                    drops[change.status.drop_id] = change.status
                else:
                    reservations[change.reservation.id] = change.reservation
            _upsert_drops(session, source, drops.values())
            _upsert_reservations(session, list(reservations.values()))
            return True
    except IntegrityError:  # a racing reconciler created the position row first
        return False


def _move_position(session: Session, source: str, after: str, to: str) -> bool:
    moved = session.execute(
        update(GateFeedPosition)
        .where(GateFeedPosition.source == source, GateFeedPosition.position == after)
        .values(position=to, updated_at=utcnow())
    ).rowcount
    if moved:
        return True
    if after != START or session.get(GateFeedPosition, source) is not None:
        return False
    session.add(GateFeedPosition(source=source, position=to))
    session.flush()
    return True


def _upsert_drops(session: Session, source: str, drops: Iterable[DropStatus]) -> None:
    for status in drops:
        spec = status.spec
        values = {"source": source, "quantity": spec.quantity, "per_buyer_limit": spec.per_buyer_limit,
                  "hold_s": spec.hold_s, "closes_at": _dt(spec.closes_at_ms), "state": status.state.value,
                  "opens_at": _dt(status.opens_at_ms), "updated_at": utcnow()}
        row = session.get(GateDrop, spec.drop_id)
        if row is None:
            session.add(GateDrop(drop_id=spec.drop_id, **values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
    session.flush()


def _upsert_reservations(session: Session, reservations: list[Reservation]) -> None:
    """One INSERT .. ON CONFLICT (id) DO UPDATE per chunk: a reservation seen for the first
    time is inserted, a known one takes its new status (SQLite and PostgreSQL alike)."""
    dialect = session.get_bind().dialect.name
    make = sqlite_insert if dialect == "sqlite" else pg_insert
    for n in range(0, len(reservations), _CHUNK):
        statement = make(GateReservation)
        statement = statement.on_conflict_do_update(
            index_elements=[GateReservation.id],
            set_={"status": statement.excluded.status, "settled_at": statement.excluded.settled_at})
        session.execute(statement, [_row(r) for r in reservations[n:n + _CHUNK]])


def _row(r: Reservation) -> dict[str, object]:
    return {"id": r.id, "drop_id": r.drop_id, "buyer_key": r.buyer_key, "qty": r.qty,
            "idempotency_key": r.idempotency_key, "status": r.status.value,
            "created_at": from_ms(r.created_ms), "expires_at": from_ms(r.expires_ms),
            "settled_at": _dt(r.settled_ms)}


def gate_snapshot(db: Database) -> tuple[list[DropStatus], list[Reservation]]:
    """Everything a gate needs to be rebuilt: the drops it held and all their reservations."""
    with db.reader() as session:
        drops = [
            DropStatus(DropSpec(d.drop_id, d.quantity, d.per_buyer_limit, d.hold_s, _ms(d.closes_at)),
                       DropState(d.state), _ms(d.opens_at), GateCounts(d.quantity, 0, 0))
            for d in session.scalars(select(GateDrop).order_by(GateDrop.drop_id))
        ]
        rows = session.execute(select(
            GateReservation.id, GateReservation.drop_id, GateReservation.buyer_key, GateReservation.qty,
            GateReservation.idempotency_key, GateReservation.created_at, GateReservation.expires_at,
            GateReservation.status, GateReservation.settled_at,
        ).where(GateReservation.drop_id.in_([d.drop_id for d in drops]))).all()
    reservations = [
        Reservation(rid, drop_id, buyer, qty, key, to_ms(created), to_ms(expires),
                    ReservationStatus(status), _ms(settled))
        for rid, drop_id, buyer, qty, key, created, expires, status, settled in rows
    ]
    return drops, reservations


def forget_gate_drop(db: Database, drop_id: int) -> None:
    """The gate no longer holds the drop: a rebuild must not bring it back."""
    with db.transaction() as session:
        row = session.get(GateDrop, drop_id)
        if row is not None:
            session.delete(row)
