"""The start-up hook: the dispatcher thread runs with the app and starts after every hook."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import liveport.app as app_module
from liveport.app import create_app
from liveport.context import build_context
from liveport.core.outbox.lifecycle import EXTRAS_KEY, start_dispatcher
from tests.integration.core.outbox_support import (
    commit_orders,
    effect_counts,
    prepare_test_tables,
    record_effect,
    wait_until,
)


@pytest.fixture
def db(database):
    prepare_test_tables(database)
    return database


@pytest.fixture
def live_settings(settings):
    return settings.model_copy(update={"outbox_dispatcher": True, "outbox_poll_s": 0.05})


def test_the_hook_does_nothing_when_the_dispatcher_is_switched_off(db, app_context):
    assert app_context.settings.outbox_dispatcher is False
    assert start_dispatcher(app_context) is None
    assert EXTRAS_KEY not in app_context.extras


def test_outside_an_event_loop_the_hook_starts_the_thread_at_once(db, live_settings):
    ctx = build_context(live_settings)
    try:
        ctx.outbox.register_handler("order.paid", "ledger", record_effect("ledger"))
        stop = start_dispatcher(ctx)
        assert stop is not None
        [event] = commit_orders(db, 1)
        assert wait_until(lambda: effect_counts(db) == {(event, "ledger"): 1}, timeout_s=10)
        stop()
        assert not ctx.extras[EXTRAS_KEY].running
    finally:
        ctx.close()


def test_in_the_app_a_handler_registered_by_a_later_hook_still_gets_earlier_events(
    db, live_settings, monkeypatch
):
    # given an event committed while the app was down, and a hook after the dispatcher's
    [event] = commit_orders(db, 1)
    monkeypatch.setattr(
        app_module,
        "STARTUP_HOOKS",
        [
            "liveport.core.outbox.lifecycle:start_dispatcher",
            "tests.integration.core.outbox_support:register_late_handler",
        ],
    )
    ctx = build_context(live_settings)
    ctx.outbox.register_handler("order.paid", "ledger", record_effect("ledger"))
    expected = {(event, "ledger"): 1, (event, "late"): 1}
    try:
        # when the app starts
        with TestClient(create_app(live_settings, context=ctx)):
            delivered = wait_until(lambda: effect_counts(db) == expected, timeout_s=10)
        # then the event waited for the late handler, and the thread stopped with the app
        assert delivered
        assert not ctx.extras[EXTRAS_KEY].running
    finally:
        ctx.close()
