"""The asynchronous side of payments: a notification arriving, a refund going out.

Provider calls (HTTP + SM2) and database work run in threads; the event loop only awaits
them and the flash-sale gate.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from liveport.catalog.domain import PositiveList
from liveport.core.db import Database
from liveport.core.money import Money
from liveport.core.settings import Settings
from liveport.flashsale.domain import DropClosed, ReservationNotFound, ReservationReleased
from liveport.flashsale.ports import FlashSaleGate
from liveport.payments import services
from liveport.payments.domain import NotificationRefused, PaymentRefused, PaymentStatus
from liveport.payments.ports import PaymentProvider

log = logging.getLogger("liveport.payments")


async def handle_notification(db: Database, settings: Settings, plist: PositiveList, gate: FlashSaleGate | None,
                              provider: PaymentProvider, body: bytes, now: datetime,
                              provider_for: Callable[[str], PaymentProvider]) -> bytes:
    """Verify, check and apply one notification; answers the provider's ack. A refused
    notification is logged and raised (the route answers 4xx; the order is untouched)."""
    name = provider.provider.value
    try:
        notice = await asyncio.to_thread(provider.parse_notification, body)
    except NotificationRefused as refused:
        await asyncio.to_thread(services.log_notice, db, name, None, f"refused:{refused.details.get('reason', refused.code)}", body, now)
        log.warning("payment notification refused (%s): %s", name, refused.details.get("reason", refused.code))
        raise
    target = await asyncio.to_thread(services.notice_target, db, notice)
    problem = None
    if target is None:
        problem = "unknown_trade"
    elif notice.currency != "CNY" or notice.amount != target.expected:
        problem = "amount_mismatch"
    if problem is not None:
        await asyncio.to_thread(services.log_notice, db, name, notice.out_trade_no, f"refused:{problem}", body, now)
        log.warning("payment notification for %s refused: %s", notice.out_trade_no, problem)
        raise NotificationRefused(code=problem, details={"reason": problem, "out_trade_no": notice.out_trade_no})
    assert target is not None
    if notice.status is not PaymentStatus.PAID or target.payment_status != PaymentStatus.PENDING.value:
        outcome = "duplicate" if target.payment_status != PaymentStatus.PENDING.value else f"ignored:{notice.status.value}"
        await asyncio.to_thread(services.log_notice, db, name, notice.out_trade_no, outcome, body, now)
        return provider.notification_ack()
    payable = target.order_status == "pending_payment" and target.order_expires_at > now
    if payable and target.reservation_id is not None:
        payable = await _confirm_reservation(gate, target.reservation_id, now)
    outcome = await asyncio.to_thread(services.record_paid, db, settings, plist, notice, payable=payable, now=now)
    if outcome == "late":
        # Logged before the refund is asked for: if the provider is down now, the retried
        # notification finds the payment paid and the refund is for an operator to replay.
        await asyncio.to_thread(services.log_notice, db, name, notice.out_trade_no, "late", body, now)
        await refund(db, provider_for, target.order_id, None, "paid after the order expired", "late-payment", now)
        outcome = "refunded_late"
    await asyncio.to_thread(services.log_notice, db, name, notice.out_trade_no, outcome, body, now)
    return provider.notification_ack()


async def _confirm_reservation(gate: FlashSaleGate | None, reservation_id: str, now: datetime) -> bool:
    """The units become the buyer's before the order is marked paid; a lapsed reservation
    (its units may be someone else's by now) makes the payment late."""
    if gate is None:
        return False
    try:
        await gate.confirm(reservation_id, now)
    except (ReservationReleased, ReservationNotFound, DropClosed):
        return False
    return True


async def refund(db: Database, provider_for: Callable[[str], PaymentProvider], order_id: int, amount: Decimal | None,
                 reason: str, request_key: str, now: datetime) -> services.RefundPlan:
    """Refund ``amount`` (None: all that is left) of an order's payment; the same
    ``request_key`` never refunds twice."""
    plan = await asyncio.to_thread(services.plan_refund, db, order_id, amount, reason, request_key, now)
    if plan.done:
        return plan
    provider = provider_for(plan.provider)
    try:
        # Providers take a short printable reason (128 characters): the full story stays ours.
        wire_reason = " ".join(reason.split())[:128] or "refund"
        made = await asyncio.to_thread(provider.refund, plan.out_trade_no, plan.out_refund_no,
                                       Money(plan.amount, "CNY"), wire_reason)
    except PaymentRefused:
        await asyncio.to_thread(services.release_refund, db, plan)
        raise
    await asyncio.to_thread(services.record_refund, db, plan, made.refund_id, made.refunded_at)
    return plan
