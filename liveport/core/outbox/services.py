"""Outbox use cases: write an event inside the caller's transaction; operate dead letters."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveport.accounts.domain import Principal
from liveport.accounts.services import record_audit
from liveport.core.clock import utcnow
from liveport.core.db import Database
from liveport.core.errors import Conflict, NotFound
from liveport.core.outbox.domain import (
    DeliveryStatus,
    DeliveryView,
    HandlerStats,
    OutboxStats,
    check_aggregate,
    check_event_type,
    normalise_payload,
)
from liveport.core.outbox.models import OutboxDelivery, OutboxEvent

# Set on a session that wrote outbox work; dispatchers of this process listen for commits of
# such sessions and wake up at once instead of at their next poll.
WAKE_KEY = "liveport.outbox.wake"


def add_event(
    session: Session,
    event_type: str,
    payload: Mapping[str, Any],
    *,
    aggregate_type: str | None = None,
    aggregate_id: object | None = None,
) -> OutboxEvent:
    """Write an event in the caller's unit of work: it exists if and only if the change commits.

    No deliveries are made here: the dispatcher routes the event after commit to the handlers
    registered at that moment (so a process that registers no handlers, like a CLI command,
    still emits events that every handler will get).
    """
    key = None if aggregate_id is None else str(aggregate_id)
    check_aggregate(aggregate_type, key)
    event = OutboxEvent(
        type=check_event_type(event_type),
        payload=normalise_payload(payload),
        aggregate_type=aggregate_type,
        aggregate_id=key,
        created_at=utcnow(),
    )
    session.add(event)
    session.flush()
    session.info[WAKE_KEY] = True
    return event


def _view(delivery: OutboxDelivery, event: OutboxEvent) -> DeliveryView:
    return DeliveryView(
        delivery_id=delivery.id,
        event_id=event.id,
        event_type=event.type,
        handler=delivery.handler,
        status=DeliveryStatus(delivery.status),
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
        last_error=delivery.last_error,
        last_attempt_at=delivery.last_attempt_at,
        done_at=delivery.done_at,
        event_created_at=event.created_at,
        aggregate_type=event.aggregate_type,
        aggregate_id=event.aggregate_id,
        payload=dict(event.payload),
    )


def list_dead_letters(
    db: Database, *, limit: int = 100, before_id: int | None = None
) -> list[DeliveryView]:
    """Deliveries that used up their attempts, newest first (page with ``before_id``)."""
    with db.reader() as session:
        query = (
            select(OutboxDelivery, OutboxEvent)
            .join(OutboxEvent, OutboxEvent.id == OutboxDelivery.event_id)
            .where(OutboxDelivery.status == DeliveryStatus.DEAD.value)
            .order_by(OutboxDelivery.id.desc())
            .limit(limit)
        )
        if before_id is not None:
            query = query.where(OutboxDelivery.id < before_id)
        return [_view(d, e) for d, e in session.execute(query).all()]


def retry_dead_letter(db: Database, delivery_id: int, *, actor: Principal) -> DeliveryView:
    """Give a dead letter a fresh set of attempts, due now; audited."""
    with db.transaction() as session:
        row = session.execute(
            select(OutboxDelivery, OutboxEvent)
            .join(OutboxEvent, OutboxEvent.id == OutboxDelivery.event_id)
            .where(OutboxDelivery.id == delivery_id)
            .with_for_update(of=OutboxDelivery)
        ).first()
        if row is None:
            raise NotFound("There is no such outbox delivery.", code="delivery_not_found")
        delivery, event = row
        if delivery.status != DeliveryStatus.DEAD.value:
            raise Conflict(
                "Only a dead letter can be retried.",
                code="not_dead_letter",
                details={"status": delivery.status},
            )
        record_audit(
            session,
            actor,
            "outbox.retry",
            "outbox_delivery",
            delivery.id,
            {
                "event_id": event.id,
                "event_type": event.type,
                "handler": delivery.handler,
                "attempts": delivery.attempts,
                "last_error": delivery.last_error,
            },
        )
        delivery.status = DeliveryStatus.PENDING.value
        delivery.attempts = 0
        delivery.next_attempt_at = utcnow()
        session.flush()
        session.info[WAKE_KEY] = True
        return _view(delivery, event)


def outbox_stats(db: Database, *, now: datetime | None = None) -> OutboxStats:
    """Backlog per handler and status, plus events not yet routed: what an operator watches."""
    now = now or utcnow()
    with db.reader() as session:
        unrouted, oldest_unrouted = session.execute(
            select(func.count(), func.min(OutboxEvent.created_at)).where(
                OutboxEvent.routed_at.is_(None)
            )
        ).one()
        grouped = session.execute(
            select(
                OutboxDelivery.handler,
                OutboxDelivery.status,
                func.count(),
                func.min(OutboxDelivery.created_at),
            ).group_by(OutboxDelivery.handler, OutboxDelivery.status)
        ).all()
        due = dict(
            session.execute(
                select(OutboxDelivery.handler, func.count())
                .where(
                    OutboxDelivery.status == DeliveryStatus.PENDING.value,
                    OutboxDelivery.next_attempt_at <= now,
                )
                .group_by(OutboxDelivery.handler)
            ).all()
        )
    counts: dict[str, dict[str, Any]] = {}
    for handler, status, count, oldest in grouped:
        entry = counts.setdefault(handler, {"handler": handler, "due": int(due.get(handler, 0))})
        entry[status] = int(count)
        if status == DeliveryStatus.PENDING.value:
            entry["oldest_pending_at"] = oldest
    return OutboxStats(
        unrouted_events=int(unrouted),
        oldest_unrouted_at=oldest_unrouted,
        handlers=tuple(HandlerStats(**counts[name]) for name in sorted(counts)),
    )
