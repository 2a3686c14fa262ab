"""Money back for orders customs will not clear: rejected ones (then ``refunded``) and those
cancelled before release. Run by the customs loop until every such payment is refunded, so a
provider that is down at the moment only delays the refund."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from liveport.core.db import Database
from liveport.customs.operations import mark_refunded
from liveport.orders.domain import OrderStatus
from liveport.orders.models import Order
from liveport.payments import flows
from liveport.payments.models import Payment
from liveport.payments.ports import PaymentProvider

log = logging.getLogger("liveport.customs")
# A returned order is refunded in full too (no tax is due on a return in time: §5).
NOT_CLEARED = (OrderStatus.CUSTOMS_REJECTED.value, OrderStatus.CANCELLED.value, OrderStatus.RETURNED.value)


def owed(db: Database, limit: int = 100) -> list[tuple[int, str]]:
    """(order id, status) of orders not cleared whose payment is not refunded in full."""
    with db.reader() as session:
        return [(order_id, status) for order_id, status in session.execute(
            select(Order.id, Order.status).join(Payment, Payment.order_id == Order.id)
            .where(Order.status.in_(NOT_CLEARED), Payment.status.in_(["paid", "partly_refunded"]),
                   Payment.refunded < Payment.amount)
            .order_by(Order.id).limit(limit))]


async def settle(db: Database, provider_for: Callable[[str], PaymentProvider], now: datetime) -> int:
    done = 0
    for order_id, status in await asyncio.to_thread(owed, db):
        reason = {OrderStatus.CUSTOMS_REJECTED.value: "customs rejected the order",
                  OrderStatus.RETURNED.value: "returned within 45 days of release: no tax due"}.get(status, "order cancelled")
        try:
            await flows.refund(db, provider_for, order_id, None, reason, f"customs:{order_id}", now)
        except Exception:  # the provider is down or refused: the next round tries again
            log.exception("refund of order %s failed; will retry", order_id)
            continue
        done += 1
    for order_id, status in await asyncio.to_thread(_rejected_and_refunded, db):
        await asyncio.to_thread(mark_refunded, db, order_id, OrderStatus.REFUNDED, now)
    return done


def _rejected_and_refunded(db: Database) -> list[tuple[int, str]]:
    with db.reader() as session:
        return [(order_id, status) for order_id, status in session.execute(
            select(Order.id, Order.status).join(Payment, Payment.order_id == Order.id)
            .where(Order.status == OrderStatus.CUSTOMS_REJECTED.value, Payment.status == "refunded"))]
