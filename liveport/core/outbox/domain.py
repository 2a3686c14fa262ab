"""Pure outbox rules: delivery states, back-off, the message a handler receives. No I/O."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from liveport.core.clock import iso_z

MAX_EVENT_TYPE_LENGTH = 64
MAX_HANDLER_NAME_LENGTH = 100
MAX_ERROR_LENGTH = 2000
# 2**60 seconds is already far beyond any cap; stopping there keeps the float finite.
_MAX_EXPONENT = 60


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """What a handler receives: the event, plus which delivery (and attempt) this is."""

    event_id: int
    type: str
    payload: dict[str, Any]
    created_at: datetime
    aggregate_type: str | None
    aggregate_id: str | None
    delivery_id: int
    handler: str
    attempt: int

    @property
    def idempotency_key(self) -> str:
        """Stable across retries of this delivery: send it to outside systems so that a
        retry after a lost answer is recognised there instead of acted on twice."""
        return f"outbox-{self.delivery_id}"


def backoff_delay(failed_attempts: int, base_s: float, cap_s: float, jitter: float) -> float:
    """Seconds to wait after the ``failed_attempts``-th failure: exponential, capped, jittered.

    "Equal jitter": half the exponential step is kept, the other half scaled by ``jitter``
    in [0, 1], so retries of many deliveries that failed together spread out while each
    still waits at least half its step.
    """
    if failed_attempts < 1:
        raise ValueError("failed_attempts starts at 1")
    if not 0.0 <= jitter <= 1.0:
        raise ValueError("jitter is a fraction in [0, 1]")
    step = min(cap_s, base_s * 2.0 ** min(failed_attempts - 1, _MAX_EXPONENT))
    return step / 2 + step / 2 * jitter


def is_final(attempts: int, max_attempts: int) -> bool:
    """After this many failed attempts the delivery becomes a dead letter."""
    return attempts >= max_attempts


def describe_error(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Money stays exact: a string, never a float.
        return str(value)
    if isinstance(value, datetime):
        return iso_z(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"an outbox payload cannot hold {type(value).__name__}: {value!r}")


def normalise_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload as the handler will read it back: plain JSON, Decimals as strings.

    Done when the event is written, so a payload that cannot be stored fails the service's
    transaction at once rather than at commit, and the handler sees exactly what was stored.
    """
    if not isinstance(payload, Mapping):
        raise TypeError("an outbox payload is a mapping of field names to values")
    return json.loads(json.dumps(dict(payload), default=_json_default, allow_nan=False))


def check_event_type(event_type: str) -> str:
    if (
        not event_type
        or len(event_type) > MAX_EVENT_TYPE_LENGTH
        or event_type.strip() != event_type
    ):
        raise ValueError(f"an event type is 1-{MAX_EVENT_TYPE_LENGTH} characters: {event_type!r}")
    return event_type


def check_aggregate(aggregate_type: str | None, aggregate_id: str | None) -> None:
    # The column sizes: PostgreSQL refuses longer values at commit, SQLite would keep them.
    if aggregate_type is not None and not 1 <= len(aggregate_type) <= 32:
        raise ValueError(f"an aggregate type is 1-32 characters: {aggregate_type!r}")
    if aggregate_id is not None and not 1 <= len(aggregate_id) <= 64:
        raise ValueError(f"an aggregate id is 1-64 characters: {aggregate_id!r}")


def check_handler_name(name: str) -> str:
    if not name or len(name) > MAX_HANDLER_NAME_LENGTH or name.strip() != name:
        raise ValueError(f"a handler name is 1-{MAX_HANDLER_NAME_LENGTH} characters: {name!r}")
    return name


@dataclass(frozen=True, slots=True)
class DeliveryView:
    """A delivery with its event, as the operator sees it."""

    delivery_id: int
    event_id: int
    event_type: str
    handler: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    last_attempt_at: datetime | None
    done_at: datetime | None
    event_created_at: datetime
    aggregate_type: str | None
    aggregate_id: str | None
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class HandlerStats:
    handler: str
    pending: int = 0
    due: int = 0
    done: int = 0
    dead: int = 0
    oldest_pending_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OutboxStats:
    unrouted_events: int
    oldest_unrouted_at: datetime | None
    handlers: tuple[HandlerStats, ...]

    @property
    def pending(self) -> int:
        return sum(h.pending for h in self.handlers)

    @property
    def dead(self) -> int:
        return sum(h.dead for h in self.handlers)

    @property
    def done(self) -> int:
        return sum(h.done for h in self.handlers)
