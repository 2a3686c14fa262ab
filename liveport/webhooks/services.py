"""Use cases of webhook endpoints: register, list, remove, rotate the secret; and the
deliveries an exhibitor's merchants and the operator may read and retry.

Who: the operator, or a merchant whose account belongs to the exhibitor in the path. Another
exhibitor's merchant is refused (403) before anything is read.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from liveport.accounts.domain import Principal, Role
from liveport.catalog.models import Exhibitor
from liveport.core.db import Database
from liveport.core.errors import Conflict, Forbidden, NotFound
from liveport.webhooks.domain import DeliveryStatus, check_events, check_url, new_secret
from liveport.webhooks.models import WebhookDelivery, WebhookEndpoint
from liveport.webhooks.ports import SecretCipher

MAX_ENDPOINTS = 10


@dataclass(frozen=True)
class EndpointView:
    id: int
    exhibitor_id: int
    url: str
    events: tuple[str, ...]
    created_at: datetime
    secret_rotated_at: datetime | None


@dataclass(frozen=True)
class WithSecret:
    """An endpoint and its secret: answered once, when made or rotated, never again."""
    endpoint: EndpointView
    secret: str


@dataclass(frozen=True)
class DeliveryView:
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


def check_scope(actor: Principal, exhibitor_id: int) -> None:
    if actor.role is Role.OPERATOR:
        return
    if actor.role is Role.MERCHANT and actor.exhibitor_id == exhibitor_id:
        return
    raise Forbidden("Only this exhibitor's merchants may manage its webhooks.", code="not_your_exhibitor")


def _view(row: WebhookEndpoint) -> EndpointView:
    return EndpointView(row.id, row.exhibitor_id, row.url, tuple(row.events.split(",")),
                        row.created_at, row.secret_rotated_at)


def _delivery_view(row: WebhookDelivery) -> DeliveryView:
    return DeliveryView(row.id, row.endpoint_id, row.event_type, row.order_no, row.status, row.attempts,
                        row.next_attempt_at, row.last_attempt_at, row.last_status_code, row.last_error,
                        row.created_at, row.delivered_at)


def register(db: Database, cipher: SecretCipher, actor: Principal, exhibitor_id: int, url: str,
             events: list[str], *, production: bool, now: datetime) -> WithSecret:
    check_scope(actor, exhibitor_id)
    url = check_url(url, production)
    chosen = check_events(events)
    secret = new_secret()
    with db.transaction() as session:
        if session.get(Exhibitor, exhibitor_id) is None:
            raise NotFound("No such exhibitor.", code="exhibitor_not_found")
        count = session.execute(select(func.count()).select_from(WebhookEndpoint).where(
            WebhookEndpoint.exhibitor_id == exhibitor_id, WebhookEndpoint.deleted_at.is_(None))).scalar_one()
        if count >= MAX_ENDPOINTS:
            raise Conflict(f"An exhibitor may have at most {MAX_ENDPOINTS} webhook endpoints.",
                           code="too_many_webhooks")
        row = WebhookEndpoint(exhibitor_id=exhibitor_id, url=url, events=",".join(chosen),
                              secret_cipher=cipher.encrypt_text(secret), created_by=actor.user_id,
                              created_at=now)
        session.add(row)
        session.flush()
        return WithSecret(_view(row), secret)


def list_endpoints(db: Database, actor: Principal, exhibitor_id: int) -> list[EndpointView]:
    check_scope(actor, exhibitor_id)
    with db.reader() as session:
        rows = session.execute(select(WebhookEndpoint).where(
            WebhookEndpoint.exhibitor_id == exhibitor_id, WebhookEndpoint.deleted_at.is_(None))
            .order_by(WebhookEndpoint.id)).scalars()
        return [_view(r) for r in rows]


def _live_endpoint(session: Session, exhibitor_id: int, endpoint_id: int) -> WebhookEndpoint:
    row = session.get(WebhookEndpoint, endpoint_id)
    if row is None or row.exhibitor_id != exhibitor_id or row.deleted_at is not None:
        raise NotFound("No such webhook endpoint.", code="webhook_not_found")
    return row


def remove(db: Database, actor: Principal, exhibitor_id: int, endpoint_id: int, now: datetime) -> None:
    """The endpoint stops receiving; what it had not yet received is marked failed."""
    check_scope(actor, exhibitor_id)
    with db.transaction() as session:
        row = _live_endpoint(session, exhibitor_id, endpoint_id)
        row.deleted_at = now
        session.execute(update(WebhookDelivery).where(
            WebhookDelivery.endpoint_id == endpoint_id,
            WebhookDelivery.status == DeliveryStatus.PENDING.value,
        ).values(status=DeliveryStatus.FAILED.value, last_error="endpoint removed"))


def rotate_secret(db: Database, cipher: SecretCipher, actor: Principal, exhibitor_id: int,
                  endpoint_id: int, now: datetime) -> WithSecret:
    """A new secret at once (the old one stops signing): the receiver must switch too."""
    check_scope(actor, exhibitor_id)
    secret = new_secret()
    with db.transaction() as session:
        row = _live_endpoint(session, exhibitor_id, endpoint_id)
        row.secret_cipher = cipher.encrypt_text(secret)
        row.secret_rotated_at = now
        session.flush()
        return WithSecret(_view(row), secret)


def list_deliveries(db: Database, actor: Principal, exhibitor_id: int, status: DeliveryStatus | None,
                    limit: int = 100) -> list[DeliveryView]:
    check_scope(actor, exhibitor_id)
    query = select(WebhookDelivery).where(WebhookDelivery.exhibitor_id == exhibitor_id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status.value)
    with db.reader() as session:
        rows = session.execute(query.order_by(WebhookDelivery.id.desc()).limit(limit)).scalars()
        return [_delivery_view(r) for r in rows]


def retry(db: Database, actor: Principal, exhibitor_id: int, delivery_id: int, now: datetime) -> DeliveryView:
    """A failed delivery goes back in the queue, due now, with a fresh count of attempts."""
    check_scope(actor, exhibitor_id)
    with db.transaction() as session:
        row = session.get(WebhookDelivery, delivery_id)
        if row is None or row.exhibitor_id != exhibitor_id:
            raise NotFound("No such webhook delivery.", code="webhook_delivery_not_found")
        endpoint = session.get(WebhookEndpoint, row.endpoint_id)
        if endpoint is None or endpoint.deleted_at is not None:
            raise Conflict("Its endpoint was removed.", code="webhook_removed")
        moved = session.execute(update(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.status == DeliveryStatus.FAILED.value,
        ).values(status=DeliveryStatus.PENDING.value, attempts=0, next_attempt_at=now)).rowcount
        if moved != 1:
            raise Conflict("Only a failed delivery can be retried.", code="webhook_delivery_not_failed",
                           details={"status": row.status})
        session.refresh(row)
        return _delivery_view(row)
