"""From an order event to signed POSTs: rows written in the outbox handler's transaction,
sent later by a background loop, retried with back-off until a 2xx or the last attempt.

The outbox handler runs inside the dispatcher's transaction (on SQLite that holds the write
lock), so it only writes rows: no HTTP, no second transaction. Sending happens outside any
transaction: a delivery is claimed (its due time pushed past the send's timeout by a
conditional UPDATE, so two loops never send it at once), POSTed, then the outcome recorded
conditionally on the attempt it claimed. Delivery is at least once: a crash after the
receiver answered but before the record sends it again, with the same ``Liveport-Webhook-Id``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from liveport.core.db import Database
from liveport.core.outbox.domain import OutboxMessage
from liveport.orders.models import Order
from liveport.webhooks.domain import EVENT_TYPES, DeliveryStatus, is_exhausted, retry_delay_s
from liveport.webhooks.models import WebhookDelivery, WebhookEndpoint
from liveport.webhooks.ports import SecretCipher, SendOutcome, WebhookSender
from liveport.webhooks.signature import ID_HEADER, SIGNATURE_HEADER, sign

HANDLER_NAME = "webhooks.enqueue_order_event"
PENDING = DeliveryStatus.PENDING.value


def _body(delivery_id: int, message: OutboxMessage, order: Order) -> str:
    data = {
        "order_no": order.order_no,
        "status": message.type.removeprefix("order."),
        "exhibitor_id": order.exhibitor_id,
        "reason": message.payload.get("reason"),
        "currency": order.currency,
        "goods_value": str(order.goods_value),
        "freight": str(order.freight),
        "tax_total": str(order.tax_total),
        "actural_paid": str(order.actural_paid),
    }
    return json.dumps({"id": str(delivery_id), "type": message.type,
                       "created_at": message.created_at.isoformat(), "data": data},
                      ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def enqueue_order_event(session: Session, message: OutboxMessage) -> None:
    """Outbox handler of the order events: one pending delivery per subscribed endpoint."""
    if message.type not in EVENT_TYPES or message.aggregate_id is None:
        return
    order = session.get(Order, int(message.aggregate_id))
    if order is None:
        return
    endpoints = session.execute(select(WebhookEndpoint.id, WebhookEndpoint.events).where(
        WebhookEndpoint.exhibitor_id == order.exhibitor_id, WebhookEndpoint.deleted_at.is_(None))
        .order_by(WebhookEndpoint.id)).all()
    for endpoint_id, events in endpoints:
        if message.type not in events.split(","):
            continue
        row = WebhookDelivery(endpoint_id=endpoint_id, exhibitor_id=order.exhibitor_id, event_id=message.event_id,
                              event_type=message.type, order_no=order.order_no, body="", status=PENDING,
                              attempts=0, next_attempt_at=message.created_at)
        session.add(row)
        session.flush()  # the id goes into the body
        row.body = _body(row.id, message, order)


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    attempts: int
    url: str
    secret_cipher: str
    body: str


def due(db: Database, now: datetime, limit: int = 100) -> list[int]:
    with db.reader() as session:
        return list(session.execute(select(WebhookDelivery.id).where(
            WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)).scalars())


def claim(db: Database, delivery_id: int, now: datetime, lease_s: float) -> Claimed | None:
    with db.transaction() as session:
        found = session.execute(select(WebhookDelivery, WebhookEndpoint)
                                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                                .where(WebhookDelivery.id == delivery_id)).first()
        if found is None:
            return None
        delivery, endpoint = found
        if delivery.status != PENDING or delivery.next_attempt_at > now or endpoint.deleted_at is not None:
            return None
        taken = session.execute(update(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.status == PENDING,
            WebhookDelivery.attempts == delivery.attempts,
            WebhookDelivery.next_attempt_at == delivery.next_attempt_at,
        ).values(next_attempt_at=now + timedelta(seconds=lease_s))
            .execution_options(synchronize_session=False)).rowcount
        if taken != 1:
            return None
        return Claimed(delivery.id, delivery.attempts, endpoint.url, endpoint.secret_cipher, delivery.body)


def signed_headers(secret: str, delivery_id: int, body: bytes, timestamp: int) -> dict[str, str]:
    return {"Content-Type": "application/json", "User-Agent": "Liveport-Webhooks/1",
            ID_HEADER: str(delivery_id), SIGNATURE_HEADER: sign(secret, body, timestamp)}


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_s: float
    max_s: float


def record(db: Database, claimed: Claimed, outcome: SendOutcome, now: datetime, policy: RetryPolicy) -> str:
    """The status after this attempt (succeeded, pending for a retry, or failed)."""
    attempts = claimed.attempts + 1
    values: dict[str, object] = {"attempts": attempts, "last_attempt_at": now,
                                 "last_status_code": outcome.status_code,
                                 "last_error": None if outcome.ok else (outcome.error or "no answer")[:300]}
    if outcome.ok:
        values.update(status=DeliveryStatus.SUCCEEDED.value, delivered_at=now)
    elif is_exhausted(attempts, policy.max_attempts):
        values.update(status=DeliveryStatus.FAILED.value)
    else:
        values.update(next_attempt_at=now + timedelta(seconds=retry_delay_s(attempts, policy.base_s, policy.max_s)))
    status = str(values.get("status", PENDING))
    with db.transaction() as session:
        session.execute(update(WebhookDelivery).where(
            WebhookDelivery.id == claimed.delivery_id, WebhookDelivery.status == PENDING,
            WebhookDelivery.attempts == claimed.attempts).values(**values))
    return status


def send_one(db: Database, cipher: SecretCipher, sender: WebhookSender, delivery_id: int, now: datetime,
             policy: RetryPolicy, lease_s: float) -> str | None:
    """Claim, sign, POST and record one delivery; None when it was not ours to send."""
    claimed = claim(db, delivery_id, now, lease_s)
    if claimed is None:
        return None
    body = claimed.body.encode("utf-8")
    headers = signed_headers(cipher.decrypt_text(claimed.secret_cipher), claimed.delivery_id, body,
                             int(now.timestamp()))
    outcome = sender.send(claimed.url, body, headers)
    return record(db, claimed, outcome, now, policy)
