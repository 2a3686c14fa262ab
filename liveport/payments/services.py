"""Paying for orders: pre-orders, notifications, refunds (issue 7). Each step one unit of work.

A notification is verified by the provider's adapter (its signature, off the event loop),
then checked against our own records (amount, currency, order), then applied once: the
payment row moves pending → paid with a conditional UPDATE, and only the transaction that
moved it writes the ledger and pays the order. A flash-sale order's reservation is confirmed
in the gate BEFORE the order is marked paid, so a paid order always owns its units; a
payment that comes too late (the order expired, or its reservation lapsed) is refunded.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from liveport.catalog.domain import PositiveList
from liveport.core.db import Database
from liveport.core.errors import Conflict
from liveport.core.settings import Settings
from liveport.logging_setup import mask_id_numbers
from liveport.orders.domain import OrderStatus
from liveport.orders.errors import OrderNotFound
from liveport.orders.models import Order, OrderLine
from liveport.orders.services import mark_paid, move, release_holds
from liveport.payments import ledger
from liveport.payments.domain import PaymentNotice, PaymentStatus
from liveport.payments.models import NotificationLog, Payment, Refund
from liveport.payments.settlement import (
    SaleFacts,
    full_refund_journals,
    partial_refund_journal,
    payment_journal,
    split_journal,
)
from liveport.shows.models import ShowHost

log = logging.getLogger("liveport.payments")


class OrderNotPayable(Conflict):
    code = "order_not_payable"
    message = "This order cannot be paid: it is paid already, expired or cancelled."
    message_zh = "该订单无法付款：已付款、已过期或已取消。"


class RefundTooLarge(Conflict):
    code = "refund_exceeds_payment"
    message = "Refunds would exceed what was paid."
    message_zh = "退款总额不能超过实付金额。"


class NothingToRefund(Conflict):
    code = "payment_not_refundable"
    message = "This order has no payment that can be refunded."
    message_zh = "该订单没有可退款的付款。"


# ---- pre-order ----


def payable_order(db: Database, order_no: str, buyer_user_id: int, now: datetime) -> Order:
    with db.reader() as session:
        order = session.execute(select(Order).where(Order.order_no == order_no)).scalar_one_or_none()
    if order is None or order.buyer_user_id != buyer_user_id:
        raise OrderNotFound(details={"order_no": order_no})
    if order.status != OrderStatus.PENDING_PAYMENT.value or order.expires_at <= now:
        raise OrderNotPayable(details={"order_no": order_no, "status": order.status})
    return order


def record_payment_link(db: Database, order: Order, provider: str, code_url: str | None, cashier_url: str,
                        now: datetime) -> Payment:
    """The pre-order's link, kept (one payment per provider per order: ``out_trade_no`` is
    the order number, so asking again returns the same)."""
    with db.transaction() as session:
        payment = session.execute(select(Payment).where(
            Payment.provider == provider, Payment.out_trade_no == order.order_no)).scalar_one_or_none()
        if payment is None:
            payment = Payment(order_id=order.id, provider=provider, out_trade_no=order.order_no,
                              amount=order.actural_paid, currency=order.currency, created_at=now)
            session.add(payment)
        payment.code_url, payment.cashier_url = code_url, cashier_url
    return payment


# ---- notifications ----


@dataclass(frozen=True, slots=True)
class NoticeTarget:
    payment_id: int
    payment_status: str
    order_id: int
    order_status: str
    order_expires_at: datetime
    reservation_id: str | None
    expected: Decimal


def notice_target(db: Database, notice: PaymentNotice) -> NoticeTarget | None:
    with db.reader() as session:
        row = session.execute(
            select(Payment, Order).join(Order, Order.id == Payment.order_id)
            .where(Payment.provider == notice.provider.value, Payment.out_trade_no == notice.out_trade_no)
        ).one_or_none()
    if row is None:
        return None
    payment, order = row
    return NoticeTarget(payment.id, payment.status, order.id, order.status, order.expires_at,
                        order.reservation_id, order.actural_paid)


def log_notice(db: Database, provider: str, out_trade_no: str | None, outcome: str, body: bytes, now: datetime) -> None:
    with db.transaction() as session:
        session.add(NotificationLog(provider=provider, out_trade_no=out_trade_no, outcome=outcome[:32],
                                    body=mask_id_numbers(body.decode("utf-8", "replace"))[:8000],
                                    received_at=now))


def _host_rates(session: Session, show_id: int | None) -> dict[int, Decimal]:
    if show_id is None:
        return {}
    rows = session.execute(select(ShowHost.user_id, ShowHost.commission_rate).where(ShowHost.show_id == show_id))
    return {user_id: Decimal(rate) for user_id, rate in rows if rate}


def record_paid(db: Database, settings: Settings, plist: PositiveList, notice: PaymentNotice, *,
                payable: bool, now: datetime) -> str:
    """The notice's one unit of work: 'applied' (order paid), 'late' (money in, order not
    payable: the caller refunds it) or 'duplicate' (applied before: nothing changes)."""
    provider = notice.provider.value
    with db.transaction() as session:
        payment = session.execute(select(Payment).where(
            Payment.provider == provider, Payment.out_trade_no == notice.out_trade_no)).scalar_one()
        moved = session.execute(
            update(Payment).where(Payment.id == payment.id, Payment.status == PaymentStatus.PENDING.value)
            .values(status=PaymentStatus.PAID.value, transaction_id=notice.transaction_id,
                    paid_at=notice.paid_at or now).execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:
            return "duplicate"
        order = session.get(Order, payment.order_id)
        assert order is not None
        ledger.write_journal(session, f"payment:{provider}:{notice.transaction_id}",
                             payment_journal(provider, notice.amount), order_id=order.id, provider=provider,
                             reference=notice.transaction_id, at=notice.paid_at or now)
        if payable and order.expires_at > now and mark_paid(session, order, plist, f"paid by {provider}", now):
            sale = SaleFacts(provider=provider, paid=order.actural_paid, goods_value=order.goods_value,
                             tax_total=order.tax_total, exhibitor_id=order.exhibitor_id,
                             host_rates=_host_rates(session, order.show_id),
                             platform_fee_rate=settings.platform_fee_rate)
            ledger.write_journal(session, f"split:{order.order_no}", split_journal(sale), order_id=order.id,
                                 provider=None, reference=notice.transaction_id, at=now)
            return "applied"
        if order.status == OrderStatus.PENDING_PAYMENT.value and move(
                session, order, OrderStatus.EXPIRED, "paid after its time ran out", now):
            lines = list(session.execute(select(OrderLine).where(OrderLine.order_id == order.id)).scalars())
            release_holds(session, order, lines, plist)
        return "late"


# ---- refunds ----


@dataclass(frozen=True, slots=True)
class RefundPlan:
    refund_id: int
    out_trade_no: str
    out_refund_no: str
    provider: str
    amount: Decimal
    replayed: bool
    done: bool


def out_refund_no(out_trade_no: str, request_key: str) -> str:
    return "R" + hashlib.sha256(f"{out_trade_no}:{request_key}".encode()).hexdigest()[:24].upper()


def plan_refund(db: Database, order_id: int, amount: Decimal | None, reason: str, request_key: str,
                now: datetime) -> RefundPlan:
    """Reserve ``amount`` (None: everything not yet refunded) on the order's paid payment
    with a conditional UPDATE, and record the refund request; the same key → the same plan."""
    with db.transaction() as session:
        payment = session.execute(select(Payment).where(
            Payment.order_id == order_id, Payment.status.in_(["paid", "partly_refunded", "refunded"]))
            .order_by(Payment.id)).scalars().first()
        if payment is None:
            raise NothingToRefund(details={"order_id": order_id})
        number = out_refund_no(payment.out_trade_no, request_key)
        existing = session.execute(select(Refund).where(Refund.out_refund_no == number)).scalar_one_or_none()
        if existing is not None:
            return RefundPlan(existing.id, payment.out_trade_no, number, payment.provider, existing.amount,
                              True, existing.status == "done")
        wanted = amount if amount is not None else payment.amount - payment.refunded
        if wanted <= 0:
            raise RefundTooLarge(details={"refunded": str(payment.refunded)})
        taken = session.execute(
            update(Payment).where(Payment.id == payment.id, Payment.refunded + wanted <= Payment.amount)
            .values(refunded=Payment.refunded + wanted).execution_options(synchronize_session=False)
        ).rowcount
        if taken != 1:
            raise RefundTooLarge(details={"refunded": str(payment.refunded), "asked": str(wanted)})
        row = Refund(payment_id=payment.id, out_refund_no=number, amount=wanted, reason=reason[:200], created_at=now)
        session.add(row)
        session.flush()
        return RefundPlan(row.id, payment.out_trade_no, number, payment.provider, wanted, False, False)


def record_refund(db: Database, plan: RefundPlan, provider_refund_id: str, now: datetime) -> None:
    """The provider refunded: the ledger reverses exactly (in full) or takes the amount out
    of the exhibitor's share (in part). Written once per refund, even when two callers (the
    return route and the customs loop) record the same refund at the same moment: the
    conditional UPDATE lets exactly one of them through. ``now`` is when the provider
    refunded (its statement lists the refund at that time)."""
    with db.transaction() as session:
        claimed = session.execute(
            update(Refund).where(Refund.id == plan.refund_id, Refund.status != "done")
            .values(status="done", provider_refund_id=provider_refund_id)
            .execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            return
        refund = session.get(Refund, plan.refund_id)
        assert refund is not None
        payment = session.get(Payment, refund.payment_id)
        assert payment is not None
        order = session.get(Order, payment.order_id)
        assert order is not None
        payment.status = "refunded" if payment.refunded >= payment.amount else "partly_refunded"
        key = f"refund:{plan.out_refund_no}"
        if plan.amount == payment.amount:
            for n, journal in enumerate(full_refund_journals(ledger.journals_of_order(session, order.id))):
                ledger.write_journal(session, f"{key}:{n}", journal, order_id=order.id,
                                     provider=plan.provider if journal.kind == "reversal:payment" else None,
                                     reference=provider_refund_id, at=now)
        else:
            ledger.write_journal(session, key, partial_refund_journal(plan.provider, order.exhibitor_id, plan.amount),
                                 order_id=order.id, provider=plan.provider, reference=provider_refund_id, at=now)


def release_refund(db: Database, plan: RefundPlan) -> None:
    """The provider refused the refund: give the reserved amount back and mark it failed."""
    with db.transaction() as session:
        refund = session.get(Refund, plan.refund_id)
        if refund is None or refund.status != "requested":
            return
        refund.status = "failed"
        session.execute(update(Payment).where(Payment.id == refund.payment_id)
                        .values(refunded=Payment.refunded - refund.amount).execution_options(synchronize_session=False))


def payments_of(db: Database, order_id: int) -> list[Payment]:
    with db.reader() as session:
        return list(session.execute(select(Payment).where(Payment.order_id == order_id).order_by(Payment.id)).scalars())
