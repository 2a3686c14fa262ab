from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from liveport.core.outbox.domain import DeliveryView, OutboxStats


class DeliveryOut(BaseModel):
    delivery_id: int
    event_id: int
    event_type: str
    handler: str
    status: Literal["pending", "done", "dead"]
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    last_attempt_at: datetime | None
    done_at: datetime | None
    event_created_at: datetime
    aggregate_type: str | None
    aggregate_id: str | None
    payload: dict[str, Any]

    @classmethod
    def of(cls, view: DeliveryView) -> DeliveryOut:
        return cls.model_validate(view, from_attributes=True)


class HandlerStatsOut(BaseModel):
    handler: str
    pending: int
    due: int
    done: int
    dead: int
    oldest_pending_at: datetime | None


class StatsOut(BaseModel):
    unrouted_events: int
    oldest_unrouted_at: datetime | None
    pending: int
    done: int
    dead: int
    handlers: list[HandlerStatsOut]

    @classmethod
    def of(cls, stats: OutboxStats) -> StatsOut:
        return cls(
            unrouted_events=stats.unrouted_events,
            oldest_unrouted_at=stats.oldest_unrouted_at,
            pending=stats.pending,
            done=stats.done,
            dead=stats.dead,
            handlers=[
                HandlerStatsOut.model_validate(h, from_attributes=True) for h in stats.handlers
            ],
        )
