"""The dispatcher on a real database: order, retries, dead letters, races, wake-up."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from liveport.accounts.domain import Principal, Role
from liveport.accounts.models import AuditEntry
from liveport.core.errors import Conflict, NotFound
from liveport.core.outbox.dispatch import OutboxDispatcher
from liveport.core.outbox.models import OutboxDelivery
from liveport.core.outbox.registry import HandlerRegistry
from liveport.core.outbox.services import (
    add_event,
    list_dead_letters,
    outbox_stats,
    retry_dead_letter,
)
from tests.integration.core.outbox_support import (
    commit_orders,
    delivery_states,
    drain,
    effect_counts,
    effects,
    event_ids,
    prepare_test_tables,
    record_effect,
    two_handlers,
    wait_until,
)

T0 = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)
OPERATOR = Principal(user_id=7, role=Role.OPERATOR, display_name="Operator")


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def db(database):
    prepare_test_tables(database)
    return database


def flaky(name: str, failures: int, seen: list | None = None):
    """A handler that raises on its first ``failures`` calls, then records its effect."""
    calls = []
    effect = record_effect(name)

    def handler(session, message):
        calls.append(message)
        if seen is not None:
            seen.append((message.attempt, message.idempotency_key))
        if len(calls) <= failures:
            raise RuntimeError(f"{name} down ({len(calls)})")
        effect(session, message)

    return handler


def delivery(db, delivery_id=1) -> OutboxDelivery:
    with db.reader() as session:
        found = session.get(OutboxDelivery, delivery_id)
        assert found is not None
        return found


def test_each_handler_gets_events_in_commit_order(db):
    # given three paid orders and two handlers that note what they see
    seen: list[tuple[str, int]] = []
    registry = HandlerRegistry()
    for name in ("ledger", "mailer"):
        registry.register_handler(
            "order.paid", name, lambda s, m, n=name: seen.append((n, m.event_id))
        )
    e1, e2, e3 = commit_orders(db, 3)
    # when one pass runs
    made = OutboxDispatcher(db, registry).run_once()
    # then every delivery ran once, event by event
    assert made == 6
    assert seen == [
        ("ledger", e1),
        ("mailer", e1),
        ("ledger", e2),
        ("mailer", e2),
        ("ledger", e3),
        ("mailer", e3),
    ]
    assert {state for *_, state, _ in delivery_states(db)} == {"done"}
    assert OutboxDispatcher(db, registry).run_once() == 0


def test_an_event_rolled_back_with_its_change_is_never_delivered(db):
    with pytest.raises(RuntimeError), db.transaction() as session:
        add_event(session, "order.paid", {"order_id": 1})
        raise RuntimeError("the service failed after writing the event")
    assert event_ids(db) == []
    assert OutboxDispatcher(db, two_handlers()).run_once() == 0


def test_a_failing_handler_is_retried_with_backoff_then_succeeds(db):
    # given a ledger that fails twice, back-off base 2 s and the jitter at its top
    clock = FakeClock()
    keys: list[tuple[int, str]] = []
    registry = HandlerRegistry()
    registry.register_handler("order.paid", "ledger", flaky("ledger", 2, keys))
    dispatcher = OutboxDispatcher(
        db, registry, max_attempts=5, backoff_base_s=2.0, clock=clock, jitter=lambda: 1.0
    )
    [event] = commit_orders(db, 1)
    # when the first attempt fails
    assert dispatcher.run_once() == 1
    first = delivery(db)
    # then it waits 2 s, and nothing runs before that
    assert (first.status, first.attempts, first.next_attempt_at) == (
        "pending",
        1,
        T0 + timedelta(seconds=2),
    )
    assert first.last_error == "RuntimeError: ledger down (1)"
    clock.advance(1.9)
    assert dispatcher.run_once() == 0
    # when the second attempt fails, the wait doubles
    clock.advance(0.1)
    assert dispatcher.run_once() == 1
    second = delivery(db)
    assert (second.attempts, second.next_attempt_at) == (2, T0 + timedelta(seconds=2 + 4))
    clock.advance(3.9)
    assert dispatcher.run_once() == 0
    # when the third attempt succeeds
    clock.advance(0.1)
    assert dispatcher.run_once() == 1
    done = delivery(db)
    assert (done.status, done.attempts, done.done_at) == ("done", 3, T0 + timedelta(seconds=6))
    assert effect_counts(db) == {(event, "ledger"): 1}
    # and every attempt carried the same idempotency key
    assert keys == [(1, "outbox-1"), (2, "outbox-1"), (3, "outbox-1")]


def test_a_failed_attempt_rolls_back_only_its_own_effects(db):
    registry = HandlerRegistry()

    def broken(session, message):
        record_effect("ledger")(session, message)  # written, then undone by the failure
        raise ValueError("ledger rejected the entry")

    registry.register_handler("order.paid", "ledger", broken)
    registry.register_handler("order.paid", "mailer", record_effect("mailer"))
    [event] = commit_orders(db, 1)
    assert OutboxDispatcher(db, registry).run_once() == 2
    assert effect_counts(db) == {(event, "mailer"): 1}
    assert delivery_states(db) == [(event, "ledger", "pending", 1), (event, "mailer", "done", 1)]


def test_a_handler_whose_write_fails_in_the_database_fails_only_that_attempt(db):
    registry = HandlerRegistry()

    def bad_write(session, _message):
        session.execute(insert(effects).values(event_id=None, handler="ledger", pid=0))

    registry.register_handler("order.paid", "ledger", bad_write)
    registry.register_handler("order.paid", "mailer", record_effect("mailer"))
    [event] = commit_orders(db, 1)
    assert OutboxDispatcher(db, registry).run_once() == 2
    assert delivery_states(db) == [(event, "ledger", "pending", 1), (event, "mailer", "done", 1)]
    assert delivery(db).last_error.startswith("IntegrityError: ")
    assert effect_counts(db) == {(event, "mailer"): 1}


def test_after_max_attempts_a_delivery_is_a_dead_letter_and_an_operator_can_retry_it(db):
    # given a ledger that is down for its first three calls and three attempts allowed
    clock = FakeClock()
    registry = HandlerRegistry()
    registry.register_handler("order.paid", "ledger", flaky("ledger", 3))
    dispatcher = OutboxDispatcher(
        db, registry, max_attempts=3, backoff_base_s=1.0, clock=clock, jitter=lambda: 0.0
    )
    [event] = commit_orders(db, 1)
    # when three attempts fail
    made = 0
    for _ in range(3):
        made += dispatcher.run_once()
        clock.advance(60)
    # then the delivery is dead, listed, and no longer attempted
    assert made == 3
    [dead] = list_dead_letters(db)
    assert (dead.delivery_id, dead.event_id, dead.handler, dead.status, dead.attempts) == (
        1,
        event,
        "ledger",
        "dead",
        3,
    )
    assert dead.last_error == "RuntimeError: ledger down (3)"
    assert dead.payload == {"order_id": 1, "ref": "order-0"}
    clock.advance(3600)
    assert dispatcher.run_once() == 0
    # when an operator retries it (the ledger is back)
    retried = retry_dead_letter(db, 1, actor=OPERATOR)
    # then it is pending with fresh attempts, audited, and delivered once
    assert (retried.status, retried.attempts) == ("pending", 0)
    with db.reader() as session:
        [audit] = session.scalars(select(AuditEntry)).all()
    assert (audit.action, audit.target_type, audit.target_id, audit.actor_user_id) == (
        "outbox.retry",
        "outbox_delivery",
        "1",
        7,
    )
    assert audit.details["attempts"] == 3
    assert audit.details["last_error"] == "RuntimeError: ledger down (3)"
    clock.now = datetime.now(UTC)
    assert dispatcher.run_once() == 1
    assert list_dead_letters(db) == []
    assert delivery_states(db) == [(event, "ledger", "done", 1)]
    assert effect_counts(db) == {(event, "ledger"): 1}


def test_only_a_dead_letter_can_be_retried(db):
    commit_orders(db, 1)
    OutboxDispatcher(db, two_handlers()).run_once()
    with pytest.raises(Conflict) as not_dead:
        retry_dead_letter(db, 1, actor=OPERATOR)
    with pytest.raises(NotFound) as missing:
        retry_dead_letter(db, 999, actor=OPERATOR)
    assert (not_dead.value.code, not_dead.value.details) == ("not_dead_letter", {"status": "done"})
    assert missing.value.code == "delivery_not_found"


def test_a_handler_registered_later_gets_only_events_routed_after_it(db):
    registry = HandlerRegistry()
    registry.register_handler("order.paid", "ledger", record_effect("ledger"))
    dispatcher = OutboxDispatcher(db, registry)
    [early] = commit_orders(db, 1)
    assert dispatcher.run_once() == 1
    # when a second handler registers and another order is paid
    registry.register_handler("order.paid", "mailer", record_effect("mailer"))
    [late] = commit_orders(db, 1)
    dispatcher.run_once()
    dispatcher.run_once()
    # then the new handler has the new event only, and nobody got anything twice
    assert effect_counts(db) == {(early, "ledger"): 1, (late, "ledger"): 1, (late, "mailer"): 1}


def test_a_process_without_handlers_leaves_events_for_one_that_has_them(db):
    [event] = commit_orders(db, 1)
    assert OutboxDispatcher(db, HandlerRegistry()).run_once() == 0
    assert outbox_stats(db).unrouted_events == 1
    assert OutboxDispatcher(db, two_handlers()).run_once() == 2
    assert effect_counts(db) == {(event, "ledger"): 1, (event, "mailer"): 1}


def test_events_of_a_type_nobody_handles_are_routed_to_nobody(db):
    with db.transaction() as session:
        add_event(session, "show.ended", {"show_id": 3})
    assert OutboxDispatcher(db, two_handlers()).run_once() == 0
    stats = outbox_stats(db)
    assert (stats.unrouted_events, stats.handlers) == (0, ())


def test_stats_show_the_backlog_per_handler(db):
    clock = FakeClock()
    registry = HandlerRegistry()
    registry.register_handler("order.paid", "ledger", flaky("ledger", 99))
    registry.register_handler("order.paid", "mailer", record_effect("mailer"))
    commit_orders(db, 2)
    assert outbox_stats(db).unrouted_events == 2
    OutboxDispatcher(db, registry, clock=clock, backoff_base_s=10).run_once()
    stats = outbox_stats(db, now=clock.now)
    assert (stats.unrouted_events, stats.pending, stats.done, stats.dead) == (0, 2, 2, 0)
    ledger, mailer = stats.handlers
    assert (ledger.handler, ledger.pending, ledger.due, ledger.done, ledger.dead) == (
        "ledger",
        2,
        0,
        0,
        0,
    )
    assert ledger.oldest_pending_at == T0
    assert (mailer.handler, mailer.pending, mailer.done, mailer.oldest_pending_at) == (
        "mailer",
        0,
        2,
        None,
    )


def test_two_dispatcher_threads_never_deliver_the_same_event_twice(db):
    # given 30 orders and two dispatchers of one process draining them at the same time
    events = commit_orders(db, 30)
    registry = two_handlers(then_mailer=lambda: time.sleep(0.001))
    dispatchers = [OutboxDispatcher(db, registry, batch=5) for _ in range(2)]
    made = [0, 0]
    go = threading.Barrier(2)

    def work(n: int) -> None:
        go.wait(timeout=10)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            attempts = dispatchers[n].run_once()
            made[n] += attempts
            if attempts == 0:
                return

    threads = [threading.Thread(target=work, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    # then each delivery ran exactly once between them
    assert sum(made) == 60
    assert effect_counts(db) == {(e, h): 1 for e in events for h in ("ledger", "mailer")}


def test_a_commit_with_an_event_wakes_the_background_dispatcher_at_once(db):
    # given a running dispatcher that would otherwise poll only every 30 s
    dispatcher = OutboxDispatcher(db, two_handlers(), poll_s=30)
    dispatcher.start()
    try:
        time.sleep(0.2)  # let its first (empty) pass finish and the thread go to sleep
        # when an order is paid
        [event] = commit_orders(db, 1)
        # then it is delivered well before the next poll
        assert wait_until(lambda: len(effect_counts(db)) == 2, timeout_s=5)
    finally:
        dispatcher.stop()
    assert not dispatcher.running
    assert effect_counts(db) == {(event, "ledger"): 1, (event, "mailer"): 1}


def test_drain_helper_stops_when_all_is_delivered(db):
    events = commit_orders(db, 2)
    assert drain(OutboxDispatcher(db, two_handlers()), timeout_s=10)
    assert effect_counts(db) == {(e, h): 1 for e in events for h in ("ledger", "mailer")}
