"""Helpers for the outbox tests, and the worker process the crash tests kill.

Run as ``python -m tests.integration.core.outbox_support MODE DATABASE_URL [N]`` from the
repository root. The effect table records every time a handler's work committed, so a test
can count effects per (event, handler).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select, text
from sqlalchemy.orm import Session

from liveport.core.db import Database
from liveport.core.outbox.dispatch import OutboxDispatcher
from liveport.core.outbox.domain import OutboxMessage
from liveport.core.outbox.models import OutboxDelivery, OutboxEvent
from liveport.core.outbox.registry import HandlerRegistry
from liveport.core.outbox.services import add_event
from tests.support.child_process import ChildProcess

ROOT = Path(__file__).resolve().parents[3]
HANG_S = 120  # a worker that is never killed still ends on its own

test_tables = MetaData()
effects = Table(
    "outbox_test_effects",
    test_tables,
    Column("id", Integer, primary_key=True),
    Column("event_id", Integer, nullable=False),
    Column("handler", String(100), nullable=False),
    Column("pid", Integer, nullable=False),
)
orders = Table(
    "outbox_test_orders",
    test_tables,
    Column("id", Integer, primary_key=True),
    Column("ref", String(40), nullable=False),
)


def prepare_test_tables(db: Database) -> None:
    test_tables.create_all(db.engine)
    with db.transaction() as session:
        if db.dialect == "postgresql":
            session.execute(text(f"TRUNCATE {effects.name}, {orders.name} RESTART IDENTITY"))
        else:  # SQLite reuses max(id) + 1, so an empty table starts at 1 again
            session.execute(effects.delete())
            session.execute(orders.delete())


def record_effect(
    name: str, then: Callable[[], None] | None = None
) -> Callable[[Session, OutboxMessage], None]:
    """A handler whose whole effect is one row in the effect table (plus ``then``)."""

    def handler(session: Session, message: OutboxMessage) -> None:
        session.execute(
            insert(effects).values(event_id=message.event_id, handler=name, pid=os.getpid())
        )
        if then is not None:
            then()

    handler.__name__ = f"record_{name}"
    return handler


def effect_counts(db: Database) -> dict[tuple[int, str], int]:
    with db.reader() as session:
        rows = session.execute(
            select(effects.c.event_id, effects.c.handler, func.count()).group_by(
                effects.c.event_id, effects.c.handler
            )
        ).all()
    return {(event_id, handler): count for event_id, handler, count in rows}


def event_ids(db: Database) -> list[int]:
    with db.reader() as session:
        return list(session.scalars(select(OutboxEvent.id).order_by(OutboxEvent.id)))


def delivery_states(db: Database) -> list[tuple[int, str, str, int]]:
    """(event id, handler, status, attempts) of every delivery, in delivery order."""
    with db.reader() as session:
        rows = session.execute(
            select(
                OutboxDelivery.event_id,
                OutboxDelivery.handler,
                OutboxDelivery.status,
                OutboxDelivery.attempts,
            ).order_by(OutboxDelivery.id)
        ).all()
    return [(e, h, s, a) for e, h, s, a in rows]


def all_delivered(db: Database) -> bool:
    with db.reader() as session:
        unrouted = session.scalar(select(func.count()).where(OutboxEvent.routed_at.is_(None)))
        pending = session.scalar(select(func.count()).where(OutboxDelivery.status != "done"))
    return unrouted == 0 and pending == 0


def wait_until(
    predicate: Callable[[], bool], timeout_s: float = 20.0, every_s: float = 0.05
) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every_s)
    return predicate()


def drain(dispatcher: OutboxDispatcher, timeout_s: float = 20.0) -> bool:
    """Run passes until everything is delivered; a crashed worker's lock may linger briefly."""
    return wait_until(
        lambda: dispatcher.run_once() >= 0 and all_delivered(dispatcher.db), timeout_s
    )


def commit_orders(db: Database, count: int, event_type: str = "order.paid") -> list[int]:
    """Each order and its event in one unit of work, as a service would write them."""
    ids = []
    for n in range(count):
        with db.transaction() as session:
            order_id = session.execute(
                insert(orders).values(ref=f"order-{n}")
            ).inserted_primary_key[0]
            ids.append(
                add_event(
                    session,
                    event_type,
                    {"order_id": order_id, "ref": f"order-{n}"},
                    aggregate_type="order",
                    aggregate_id=order_id,
                ).id
            )
    return ids


def two_handlers(then_mailer: Callable[[], None] | None = None) -> HandlerRegistry:
    registry = HandlerRegistry()
    registry.register_handler("order.paid", "ledger", record_effect("ledger"))
    registry.register_handler("order.paid", "mailer", record_effect("mailer", then_mailer))
    return registry


def register_late_handler(ctx: Any) -> None:
    """A slow start-up hook listed after the dispatcher's (see the lifecycle test): a
    dispatcher thread started at once would route the waiting event before this runs."""
    time.sleep(0.3)
    ctx.outbox.register_handler("order.paid", "late", record_effect("late"))


# -- the worker process -----------------------------------------------------------------------


class Worker(ChildProcess):
    def __init__(self, *args: str) -> None:
        super().__init__("tests.integration.core.outbox_support", *args)


def _hang() -> None:
    print("inside-handler", flush=True)
    time.sleep(HANG_S)


def main(argv: list[str]) -> int:
    mode, url = argv[0], argv[1]
    db = Database(url)
    if mode == "commit-then-die":
        # Commit changes with their events, then wait to be killed before any dispatch.
        ids = commit_orders(db, int(argv[2]))
        print("committed", *ids, flush=True)
        time.sleep(HANG_S)
    elif mode == "die-in-handler":
        # The ledger handler commits; the mailer writes its effect and hangs before commit.
        commit_orders(db, int(argv[2]))
        OutboxDispatcher(db, two_handlers(then_mailer=_hang)).run_once()
    elif mode == "race":
        # Wait for the starting gun, then drain the outbox alongside the other worker.
        gun = Path(argv[2])
        wait_until(gun.exists, timeout_s=30)
        dispatcher = OutboxDispatcher(
            db, two_handlers(then_mailer=lambda: time.sleep(0.002)), batch=10
        )
        made = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all_delivered(db):
            made += dispatcher.run_once()
        print("attempts", made, flush=True)
    else:
        print(f"unknown mode {mode}", file=sys.stderr)
        return 2
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
