"""Pure outbox rules: back-off, payload normalisation, the handler registry."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from liveport.core.outbox.domain import (
    MAX_ERROR_LENGTH,
    OutboxMessage,
    backoff_delay,
    check_aggregate,
    describe_error,
    is_final,
    normalise_payload,
)
from liveport.core.outbox.registry import HandlerRegistry


def noop(_session, _message):
    return None


def other(_session, _message):
    return None


def test_backoff_doubles_from_the_base_up_to_the_cap():
    assert [backoff_delay(n, 1.0, 20.0, 1.0) for n in range(1, 7)] == [
        1.0,
        2.0,
        4.0,
        8.0,
        16.0,
        20.0,
    ]


def test_backoff_jitter_keeps_at_least_half_the_step():
    assert backoff_delay(3, 1.0, 300.0, 0.0) == 2.0
    assert backoff_delay(3, 1.0, 300.0, 0.5) == 3.0
    assert backoff_delay(3, 1.0, 300.0, 1.0) == 4.0


def test_backoff_stays_finite_after_very_many_attempts():
    assert backoff_delay(10_000, 1.0, 300.0, 1.0) == 300.0


@pytest.mark.parametrize("attempts, jitter", [(0, 0.5), (1, -0.1), (1, 1.5)])
def test_backoff_refuses_impossible_arguments(attempts, jitter):
    with pytest.raises(ValueError):
        backoff_delay(attempts, 1.0, 10.0, jitter)


def test_a_delivery_is_final_when_its_attempts_are_used_up():
    assert [is_final(n, 3) for n in (1, 2, 3, 4)] == [False, False, True, True]


def test_payload_is_stored_as_plain_json_with_exact_money():
    payload = normalise_payload(
        {
            "amount": Decimal("5000.10"),
            "at": datetime(2026, 11, 11, 4, 0, tzinfo=UTC),
            "guid": UUID("12345678-1234-5678-1234-567812345678"),
            "skus": ("A", "B"),
            "nested": {"qty": 2},
        }
    )
    assert payload == {
        "amount": "5000.10",
        "at": "2026-11-11T04:00:00.000Z",
        "guid": "12345678-1234-5678-1234-567812345678",
        "skus": ["A", "B"],
        "nested": {"qty": 2},
    }


@pytest.mark.parametrize("bad", [{"f": 1.5e400}, {"obj": object()}, ["not", "a", "mapping"]])
def test_payload_that_cannot_be_stored_is_refused_when_written(bad):
    with pytest.raises((TypeError, ValueError)):
        normalise_payload(bad)


def test_error_text_is_bounded():
    text = describe_error(RuntimeError("x" * 5000))
    assert len(text) == MAX_ERROR_LENGTH
    assert text.startswith("RuntimeError: xxx")
    assert describe_error(KeyError("sku")) == "KeyError: 'sku'"


def test_the_idempotency_key_names_the_delivery():
    message = OutboxMessage(
        event_id=3,
        type="order.paid",
        payload={},
        created_at=datetime.now(UTC),
        aggregate_type=None,
        aggregate_id=None,
        delivery_id=42,
        handler="h",
        attempt=2,
    )
    assert message.idempotency_key == "outbox-42"


def test_registry_keeps_registration_order_per_type():
    registry = HandlerRegistry()
    registry.register_handler("order.paid", "customs", noop)
    registry.register_handler("order.paid", "fulfilment", other)
    registry.register_handler("order.cancelled", "customs", noop)
    assert registry.handlers_for("order.paid") == ("customs", "fulfilment")
    assert registry.handlers_for("order.cancelled") == ("customs",)
    assert registry.handlers_for("show.ended") == ()
    assert registry.names() == frozenset({"customs", "fulfilment"})
    assert registry.event_types() == frozenset({"order.paid", "order.cancelled"})
    assert registry.handler("customs") is noop


def test_registry_refuses_a_name_taken_by_another_function_or_twice_for_one_type():
    registry = HandlerRegistry()
    registry.register_handler("order.paid", "customs", noop)
    with pytest.raises(ValueError, match="already taken"):
        registry.register_handler("order.cancelled", "customs", other)
    with pytest.raises(ValueError, match="already registered"):
        registry.register_handler("order.paid", "customs", noop)
    assert registry.handlers_for("order.cancelled") == ()


@pytest.mark.parametrize(
    "event_type, name",
    [
        ("", "h"),
        ("t" * 65, "h"),
        ("order.paid", ""),
        (" order.paid", "h"),
        ("order.paid", "h" * 101),
    ],
)
def test_registry_refuses_malformed_types_and_names(event_type, name):
    with pytest.raises(ValueError):
        HandlerRegistry().register_handler(event_type, name, noop)


@pytest.mark.parametrize(
    "aggregate_type, aggregate_id", [("", "1"), ("o" * 33, "1"), ("order", "9" * 65)]
)
def test_aggregates_longer_than_their_columns_are_refused(aggregate_type, aggregate_id):
    with pytest.raises(ValueError):
        check_aggregate(aggregate_type, aggregate_id)
