"""The dispatcher: routes committed events to handlers and runs each delivery exactly once.

Every attempt is one transaction that claims one due delivery (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so worker processes never take the same row; SQLite writers queue behind
``BEGIN IMMEDIATE``), runs the handler in that same transaction and marks the delivery done.
The handler's database effects and the done-mark therefore commit together or not at all: a
crash anywhere before commit leaves the delivery pending and its effects unwritten, and the
next attempt starts clean. A handler that raises has its transaction rolled back, and the
failure is recorded in a second, short transaction (attempts, back-off, dead letter).
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from liveport.core.clock import utcnow
from liveport.core.db import Database
from liveport.core.outbox.domain import (
    DeliveryStatus,
    OutboxMessage,
    backoff_delay,
    describe_error,
    is_final,
)
from liveport.core.outbox.models import OutboxDelivery, OutboxEvent
from liveport.core.outbox.registry import HandlerRegistry
from liveport.core.outbox.services import WAKE_KEY

log = logging.getLogger("liveport.outbox")

PENDING = DeliveryStatus.PENDING.value


class OutboxDispatcher:
    def __init__(
        self,
        db: Database,
        registry: HandlerRegistry,
        poll_s: float = 0.5,
        max_attempts: int = 8,
        backoff_base_s: float = 1.0,
        *,
        max_backoff_s: float = 300.0,
        batch: int = 100,
        clock: Callable[[], datetime] = utcnow,
        jitter: Callable[[], float] = random.random,
        name: str = "outbox-dispatcher",
    ) -> None:
        if max_attempts < 1 or poll_s <= 0 or backoff_base_s <= 0 or batch < 1:
            raise ValueError("max_attempts and batch ≥ 1, poll_s and backoff_base_s > 0")
        self.db = db
        self.registry = registry
        self.poll_s = poll_s
        self.max_attempts = max_attempts
        self.backoff_base_s = backoff_base_s
        self.max_backoff_s = max_backoff_s
        self.batch = batch
        self._route_limit = batch * 5
        self._clock = clock
        self._jitter = jitter
        self._name = name
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lifecycle = threading.Lock()
        # Kept so the very same object can be removed from SQLAlchemy's listeners on stop.
        self._commit_listener = self._after_commit

    # -- one pass ---------------------------------------------------------------------------

    def run_once(self) -> int:
        """Route new events, then attempt due deliveries (up to ``batch``); returns attempts."""
        return self._pass()[0]

    def _pass(self) -> tuple[int, bool]:
        """(attempts made, whether a limit was hit so more work is probably waiting)."""
        routed = self.route_new_events()
        attempts = 0
        while attempts < self.batch and self._attempt_next():
            attempts += 1
        return attempts, routed >= self._route_limit or attempts >= self.batch

    def route_new_events(self) -> int:
        """One pending delivery per (new event, handler registered now); returns events routed.

        Routing happens once per event (``routed_at``), so a handler registered later gets
        only the events routed after it registered, and the unique (event, handler) key
        forbids a second delivery even if two routers overlap.
        """
        if not self.registry.names():
            # A process without handlers must not route: it would route events to nobody.
            return 0
        now = self._clock()
        with self.db.transaction() as session:
            events = session.execute(
                select(OutboxEvent.id, OutboxEvent.type)
                .where(OutboxEvent.routed_at.is_(None))
                .order_by(OutboxEvent.id)
                .limit(self._route_limit)
                .with_for_update(skip_locked=True)
            ).all()
            if not events:
                return 0
            rows = [
                {
                    "event_id": event_id,
                    "handler": name,
                    "status": PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for event_id, event_type in events
                for name in self.registry.handlers_for(event_type)
            ]
            if rows:
                session.execute(insert(OutboxDelivery), rows)
            session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id.in_([event_id for event_id, _ in events]))
                .values(routed_at=now)
            )
        return len(events)

    def _attempt_next(self) -> bool:
        """Claim one due delivery and run it; False when nothing is due for our handlers."""
        names = self.registry.names()
        if not names:
            return False
        now = self._clock()
        claimed: tuple[int, int, str] | None = None
        try:
            with self.db.transaction() as session:
                row = session.execute(
                    select(OutboxDelivery, OutboxEvent)
                    .join(OutboxEvent, OutboxEvent.id == OutboxDelivery.event_id)
                    .where(
                        OutboxDelivery.status == PENDING,
                        OutboxDelivery.next_attempt_at <= now,
                        OutboxDelivery.handler.in_(sorted(names)),
                    )
                    # Oldest due first: deliveries of one routing pass share their due
                    # time, so a handler sees events in id order unless a retry intervenes.
                    .order_by(OutboxDelivery.next_attempt_at, OutboxDelivery.id)
                    .limit(1)
                    .with_for_update(skip_locked=True, of=OutboxDelivery)
                ).first()
                if row is None:
                    return False
                delivery, event = row
                claimed = (delivery.id, delivery.attempts, delivery.handler)
                fn = self.registry.handler(delivery.handler)
                assert fn is not None  # the claim only selects names we have
                fn(session, _message(delivery, event))
                # Flush here so a handler's bad write fails this attempt, not a later one.
                session.flush()
                session.execute(
                    update(OutboxDelivery)
                    .where(OutboxDelivery.id == delivery.id)
                    .values(
                        status=DeliveryStatus.DONE.value,
                        attempts=delivery.attempts + 1,
                        last_attempt_at=now,
                        done_at=now,
                    )
                )
        except Exception as exc:
            if claimed is None:
                raise
            self._record_failure(*claimed, exc)
        return True

    def _record_failure(
        self, delivery_id: int, seen_attempts: int, handler: str, exc: Exception
    ) -> None:
        attempts = seen_attempts + 1
        now = self._clock()
        dead = is_final(attempts, self.max_attempts)
        delay = (
            0.0
            if dead
            else backoff_delay(
                attempts,
                self.backoff_base_s,
                self.max_backoff_s,
                min(max(self._jitter(), 0.0), 1.0),
            )
        )
        with self.db.transaction() as session:
            # Conditional on what we claimed: if another worker took the row meanwhile and
            # finished or failed it, its outcome stands and this record is dropped.
            session.execute(
                update(OutboxDelivery)
                .where(
                    OutboxDelivery.id == delivery_id,
                    OutboxDelivery.status == PENDING,
                    OutboxDelivery.attempts == seen_attempts,
                )
                .values(
                    attempts=attempts,
                    status=DeliveryStatus.DEAD.value if dead else PENDING,
                    next_attempt_at=now + timedelta(seconds=delay),
                    last_error=describe_error(exc),
                    last_attempt_at=now,
                )
            )
        if dead:
            log.error(
                "outbox delivery %s (%s) is a dead letter after %d attempts",
                delivery_id,
                handler,
                attempts,
                exc_info=exc,
            )
        else:
            log.warning(
                "outbox delivery %s (%s) failed, attempt %d of %d; next in %.1fs",
                delivery_id,
                handler,
                attempts,
                self.max_attempts,
                delay,
                exc_info=exc,
            )

    # -- background thread ------------------------------------------------------------------

    def notify(self) -> None:
        """Wake the background thread now (new events were committed)."""
        self._wake.set()

    def start(self) -> None:
        with self._lifecycle:
            if self._thread is not None or self._stopping.is_set():
                return
            sa_event.listen(Session, "after_commit", self._commit_listener)
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop after the attempt under way (its transaction commits or rolls back whole)."""
        with self._lifecycle:
            self._stopping.set()
            self._wake.set()
            thread, self._thread = self._thread, None
            if thread is None:
                return
            if sa_event.contains(Session, "after_commit", self._commit_listener):
                sa_event.remove(Session, "after_commit", self._commit_listener)
        thread.join(timeout_s)
        if thread.is_alive():
            log.warning("outbox dispatcher did not stop within %.1fs", timeout_s)

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def _after_commit(self, session: Session) -> None:
        if session.info.get(WAKE_KEY) and session.bind is self.db.engine:
            self._wake.set()

    def _run(self) -> None:
        errors = 0
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                _, more = self._pass()
                errors = 0
            except Exception:
                # The database is away or refusing: wait longer each time, up to a minute.
                errors += 1
                more = False
                log.exception("outbox dispatcher pass failed (%d in a row)", errors)
            if more:
                continue
            self._wake.wait(min(self.poll_s * 2 ** min(errors, 8), 60.0) if errors else self.poll_s)


def _message(delivery: OutboxDelivery, event: OutboxEvent) -> OutboxMessage:
    payload: dict[str, Any] = dict(event.payload)
    return OutboxMessage(
        event_id=event.id,
        type=event.type,
        payload=payload,
        created_at=event.created_at,
        aggregate_type=event.aggregate_type,
        aggregate_id=event.aggregate_id,
        delivery_id=delivery.id,
        handler=delivery.handler,
        attempt=delivery.attempts + 1,
    )
