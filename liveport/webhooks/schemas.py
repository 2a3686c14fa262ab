"""Request and answer bodies of the webhook routes."""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class EndpointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=1, max_length=500)
    events: list[str] = Field(min_length=1, max_length=10)


class EndpointOut(BaseModel):
    id: int
    exhibitor_id: int
    url: str
    events: list[str]
    created_at: datetime
    secret_rotated_at: datetime | None


class EndpointWithSecretOut(EndpointOut):
    secret: str = Field(description="shown only in this answer: keep it to verify Liveport-Signature")


class DeliveryOut(BaseModel):
    id: int
    endpoint_id: int
    event_type: str
    order_no: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
