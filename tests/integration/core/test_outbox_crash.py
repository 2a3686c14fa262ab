"""Exactly once across crashes: worker processes are killed with SIGKILL at the worst moments.

Each case ends with a fresh dispatcher in this process draining the outbox, then counts the
effects: one per event per handler, never zero, never two.
"""

from __future__ import annotations

import pytest

from liveport.core.outbox.dispatch import OutboxDispatcher
from tests.integration.core.outbox_support import (
    Worker,
    commit_orders,
    delivery_states,
    drain,
    effect_counts,
    event_ids,
    prepare_test_tables,
    two_handlers,
)

HANDLERS = ("ledger", "mailer")


@pytest.fixture
def db(database):
    prepare_test_tables(database)
    return database


def test_events_committed_by_a_process_killed_before_dispatch_are_delivered_once(db):
    # given a process that committed three orders with their events and died at once after
    worker = Worker("commit-then-die", db.url, "3")
    try:
        line = worker.wait_for("committed")
    finally:
        worker.kill()
    committed = [int(n) for n in line.split()[1:]]
    assert worker.proc.returncode == -9
    assert event_ids(db) == committed
    assert (delivery_states(db), effect_counts(db)) == ([], {})
    # when a fresh dispatcher runs (twice, to show nothing repeats)
    dispatcher = OutboxDispatcher(db, two_handlers())
    assert drain(dispatcher)
    assert dispatcher.run_once() == 0
    # then each handler did each event's work exactly once
    assert effect_counts(db) == {(e, h): 1 for e in committed for h in HANDLERS}


def test_a_process_killed_inside_a_handler_loses_that_attempt_only(db):
    # given a dispatcher process whose mailer wrote its effect and hangs before commit
    worker = Worker("die-in-handler", db.url, "2")
    try:
        worker.wait_for("inside-handler")
        e1, e2 = event_ids(db)
    finally:
        worker.kill()
    assert worker.proc.returncode == -9
    # then the ledger's committed attempt stands and the mailer's written effect is gone
    assert effect_counts(db) == {(e1, "ledger"): 1}
    assert delivery_states(db)[:2] == [(e1, "ledger", "done", 1), (e1, "mailer", "pending", 0)]
    # when a fresh dispatcher takes over
    dispatcher = OutboxDispatcher(db, two_handlers())
    assert drain(dispatcher)
    assert dispatcher.run_once() == 0
    # then every event reached every handler exactly once
    assert effect_counts(db) == {(e, h): 1 for e in (e1, e2) for h in HANDLERS}
    assert delivery_states(db) == [(e, h, "done", 1) for e in (e1, e2) for h in HANDLERS]


def test_two_worker_processes_draining_together_deliver_each_event_once(db, tmp_path):
    # given 60 paid orders and two dispatcher processes started on one signal
    events = commit_orders(db, 60)
    gun = tmp_path / "go"
    workers = [Worker("race", db.url, str(gun)) for _ in range(2)]
    try:
        gun.touch()
        made = [int(w.wait_for("attempts", timeout_s=90).split()[1]) for w in workers]
    finally:
        for w in workers:
            w.kill()
    # then between them they made exactly one attempt per delivery, each effect once
    assert sum(made) == 120
    assert effect_counts(db) == {(e, h): 1 for e in events for h in HANDLERS}
