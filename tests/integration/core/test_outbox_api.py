"""Operator routes over the outbox: dead letters, retry (audited), stats."""

from __future__ import annotations

import pytest

from liveport.core.outbox.dispatch import OutboxDispatcher
from liveport.core.outbox.registry import HandlerRegistry
from tests.integration.core.outbox_support import commit_orders, prepare_test_tables, record_effect


@pytest.fixture
def dead_letter(app_context):
    """One order whose ledger delivery died at its only attempt; the mailer's went through."""
    prepare_test_tables(app_context.db)
    registry = HandlerRegistry()

    def down(_session, _message):
        raise ConnectionError("ledger unreachable")

    registry.register_handler("order.paid", "ledger", down)
    registry.register_handler("order.paid", "mailer", record_effect("mailer"))
    [event] = commit_orders(app_context.db, 1)
    OutboxDispatcher(app_context.db, registry, max_attempts=1).run_once()
    return event


def test_operator_lists_dead_letters(client, login_as, dead_letter):
    answer = client.get("/api/v1/outbox/dead-letters", headers=login_as("operator"))
    assert answer.status_code == 200
    [item] = answer.json()
    assert {
        k: item[k]
        for k in ("delivery_id", "event_id", "event_type", "handler", "status", "attempts")
    } == {
        "delivery_id": 1,
        "event_id": dead_letter,
        "event_type": "order.paid",
        "handler": "ledger",
        "status": "dead",
        "attempts": 1,
    }
    assert item["last_error"] == "ConnectionError: ledger unreachable"
    assert item["payload"] == {"order_id": 1, "ref": "order-0"}
    assert (item["aggregate_type"], item["aggregate_id"]) == ("order", "1")


def test_operator_retries_a_dead_letter_and_the_retry_is_audited(client, login_as, dead_letter):
    operator = login_as("operator")
    answer = client.post("/api/v1/outbox/dead-letters/1/retry", headers=operator)
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["attempts"]) == ("pending", 0)
    assert client.get("/api/v1/outbox/dead-letters", headers=operator).json() == []
    [audit] = client.get("/api/v1/audit", headers=operator).json()
    assert (audit["action"], audit["target_type"], audit["target_id"]) == (
        "outbox.retry",
        "outbox_delivery",
        "1",
    )
    assert audit["details"] == {
        "event_id": dead_letter,
        "event_type": "order.paid",
        "handler": "ledger",
        "attempts": 1,
        "last_error": "ConnectionError: ledger unreachable",
    }
    again = client.post("/api/v1/outbox/dead-letters/1/retry", headers=operator)
    assert again.status_code == 409
    assert again.json()["error"] == {
        "code": "not_dead_letter",
        "message": "Only a dead letter can be retried.",
        "details": {"status": "pending"},
    }


def test_retrying_an_unknown_or_impossible_delivery_is_a_client_error(client, login_as):
    operator = login_as("operator")
    missing = client.post("/api/v1/outbox/dead-letters/424242/retry", headers=operator)
    too_big = client.post(f"/api/v1/outbox/dead-letters/{2**63}/retry", headers=operator)
    zero = client.post("/api/v1/outbox/dead-letters/0/retry", headers=operator)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "delivery_not_found")
    assert (too_big.status_code, too_big.json()["error"]["code"]) == (422, "validation_error")
    assert (zero.status_code, zero.json()["error"]["code"]) == (422, "validation_error")


def test_operator_reads_the_backlog(client, login_as, dead_letter):
    answer = client.get("/api/v1/outbox/stats", headers=login_as("operator"))
    assert answer.status_code == 200
    body = answer.json()
    assert {k: body[k] for k in ("unrouted_events", "pending", "done", "dead")} == {
        "unrouted_events": 0,
        "pending": 0,
        "done": 1,
        "dead": 1,
    }
    assert [(h["handler"], h["dead"], h["done"]) for h in body["handlers"]] == [
        ("ledger", 1, 0),
        ("mailer", 0, 1),
    ]


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/api/v1/outbox/dead-letters"),
        ("POST", "/api/v1/outbox/dead-letters/1/retry"),
        ("GET", "/api/v1/outbox/stats"),
    ],
)
def test_only_an_operator_may_use_the_outbox_routes(client, login_as, method, path):
    assert client.request(method, path).status_code == 401
    assert (
        client.request(method, path, headers=login_as("merchant", exhibitor_id=1)).status_code
        == 403
    )
    assert client.request(method, path, headers=login_as("host")).status_code == 403
