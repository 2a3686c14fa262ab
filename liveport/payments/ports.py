"""The outside world of payments: a payment provider (e-CNY operator, card acquirer).

Every method is synchronous and CPU-bound besides the HTTP call (SM2 signing ≈ 2 ms,
verifying ≈ 3 ms): call it from a sync route or service (FastAPI runs those in its thread
pool) or through ``asyncio.to_thread``, never straight on the event loop.

Errors, for every method: ``PaymentProviderUnavailable`` (503: refused connection, timeout,
5xx) and ``PaymentProviderBadAnswer`` (502: an answer not well signed or not well formed)
— both UpstreamError; ``PaymentRefused`` (409) when the provider said no, with the
provider's code (``out_trade_no_used``, ``order_not_found``, ``order_not_paid``,
``refund_exceeds_payment``, ``card_declined``, ``payer_mismatch``, …) and ``details``.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from liveport.core.money import Money
from liveport.payments.domain import (
    Authorization,
    CardDetails,
    CustomsDeclaration,
    DeclarationReceipt,
    PaymentLink,
    PaymentNotice,
    PaymentState,
    PreOrder,
    Provider,
    Refund,
    Statement,
)


class PaymentProvider(Protocol):
    provider: Provider

    def pre_order(self, order: PreOrder) -> PaymentLink:
        """Registers the payment; the same PreOrder again returns the same link."""
        ...

    def query(self, out_trade_no: str) -> PaymentState: ...

    def refund(self, out_trade_no: str, out_refund_no: str, amount: Money, reason: str | None = None) -> Refund:
        """Full or partial; the same out_refund_no again returns the same refund."""
        ...

    def parse_notification(self, body: bytes) -> PaymentNotice:
        """Verifies the provider's signature and freshness, then parses. Raises
        ``NotificationRefused`` (details.reason: malformed | bad_signature | stale |
        wrong_merchant) — the caller logs and answers 4xx; it never touches the order."""
        ...

    def notification_ack(self) -> bytes:
        """The body to answer (HTTP 200, JSON) once a notification is applied or known."""
        ...

    def statement(self, day: date) -> Statement:
        """Payments and refunds of a China-time day, as the provider recorded them."""
        ...

    def declare_to_customs(self, declaration: CustomsDeclaration) -> DeclarationReceipt:
        """Asks the payment company to send CEB411 for a paid order."""
        ...

    def declarations(self, out_trade_no: str) -> list[DeclarationReceipt]: ...


class CardAcquirer(PaymentProvider, Protocol):
    """Server-to-server card payments (the hosted page of ``pre_order`` needs neither)."""

    def authorize(self, order: PreOrder, card: CardDetails) -> Authorization:
        """``PaymentRefused`` ``card_declined`` (details.decline_reason), ``invalid_card``,
        ``payer_mismatch``; a slow issuer is ``PaymentProviderUnavailable`` (timeout)."""
        ...

    def capture(self, out_trade_no: str, amount: Money) -> PaymentState: ...
