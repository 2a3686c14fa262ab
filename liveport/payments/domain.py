"""What Liveport knows of a payment at a provider: pure values, no I/O.

Amounts are Decimal yuan with a currency (the wire's fen stay in liveport.protocols).
``PaymentNotice`` is what a verified notification says; the order side decides what it
means (amount and currency against the order, idempotency by ``out_trade_no``/``notice_id``).
Payer fields are carried whole, as payment messages do (DESIGN.md §6): never log them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from liveport.core.errors import AppError, Conflict, UpstreamError
from liveport.core.money import Money


class Provider(StrEnum):
    ECNY = "ecny"
    CARD = "card"


class PaymentStatus(StrEnum):
    PENDING = "pending"  # pre-ordered, not paid
    PAID = "paid"
    REFUNDED = "refunded"  # paid, then refunded in part or in full (see refunded_amount)
    CLOSED = "closed"  # expired or closed unpaid


_STATES = {"NOTPAY": PaymentStatus.PENDING, "SUCCESS": PaymentStatus.PAID,
           "REFUND": PaymentStatus.REFUNDED, "CLOSED": PaymentStatus.CLOSED}


def status_of_trade_state(trade_state: str) -> PaymentStatus:
    return _STATES[trade_state]


@dataclass(frozen=True, slots=True)
class Buyer:
    """The order's buyer, for a cross-border order: the payer must be this person."""

    full_name: str
    id_number: str

    def __repr__(self) -> str:
        return f"Buyer(id_number={self.id_number[:4]}…{self.id_number[-4:]})"


@dataclass(frozen=True, slots=True)
class PreOrder:
    out_trade_no: str  # Liveport's payment reference for the order, 6-32 of [A-Za-z0-9_-]
    amount: Money  # CNY, whole fen
    description: str
    notify_url: str
    expires_at: datetime | None = None
    buyer: Buyer | None = None


@dataclass(frozen=True, slots=True)
class PaymentLink:
    provider: Provider
    out_trade_no: str
    transaction_id: str
    amount: Money
    cashier_url: str  # the provider's page where the buyer pays
    code_url: str | None  # QR payload (e-CNY); None for cards
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Payer:
    name: str | None
    id_number: str | None
    account: str | None  # masked wallet number or card number

    def __repr__(self) -> str:
        return f"Payer(account={self.account!r})"


@dataclass(frozen=True, slots=True)
class PaymentNotice:
    """A verified notification of a paid trade."""

    provider: Provider
    notice_id: str  # the same for every retry of one notification
    out_trade_no: str
    transaction_id: str
    amount: Decimal
    currency: str
    status: PaymentStatus
    paid_at: datetime | None
    payer: Payer
    refunded_amount: Decimal = Decimal("0.00")

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


@dataclass(frozen=True, slots=True)
class PaymentState:
    """A provider's answer to a query."""

    provider: Provider
    out_trade_no: str
    transaction_id: str
    amount: Money
    status: PaymentStatus
    refunded_amount: Money
    paid_at: datetime | None
    payer: Payer


@dataclass(frozen=True, slots=True)
class Refund:
    provider: Provider
    out_trade_no: str
    out_refund_no: str
    refund_id: str
    amount: Money
    refunded_at: datetime


@dataclass(frozen=True, slots=True)
class StatementEntry:
    kind: str  # "payment" | "refund"
    out_trade_no: str
    transaction_id: str
    amount: Money
    at: datetime
    out_refund_no: str | None = None
    refund_id: str | None = None


@dataclass(frozen=True, slots=True)
class Statement:
    provider: Provider
    day: date  # China time
    entries: tuple[StatementEntry, ...] = field(default_factory=tuple)
    total_paid: Money = field(default_factory=lambda: Money(Decimal("0.00")))
    total_refunded: Money = field(default_factory=lambda: Money(Decimal("0.00")))


@dataclass(frozen=True, slots=True)
class CustomsDeclaration:
    """What Liveport asks the payment company to declare (it sends CEB411 itself)."""

    out_trade_no: str
    order_no: str  # the orderNo of the CEB311 order
    ebp_code: str
    ebp_name: str
    customs_code: str


@dataclass(frozen=True, slots=True)
class DeclarationReceipt:
    provider: Provider
    declaration_id: str
    out_trade_no: str
    order_no: str
    pay_code: str  # the payment company's customs code, as CEB411 carries it
    status: str
    received_at: datetime


@dataclass(frozen=True, slots=True)
class CardDetails:
    number: str
    expiry: str  # MMYY
    cvv: str
    holder_name: str | None = None
    holder_id_number: str | None = None

    def __repr__(self) -> str:
        return f"CardDetails(number=…{self.number[-4:]})"


@dataclass(frozen=True, slots=True)
class Authorization:
    out_trade_no: str
    authorization_id: str
    amount: Money


# -- errors ---------------------------------------------------------------------------------

class PaymentProviderUnavailable(UpstreamError):
    code = "payment_provider_unavailable"
    status = 503
    message = "The payment service is not answering; try again in a minute."


class PaymentProviderBadAnswer(PaymentProviderUnavailable):
    code = "payment_provider_bad_answer"
    status = 502
    message = "The payment service gave an answer we could not trust."


class PaymentRefused(Conflict):
    """The provider said no; ``code`` is the provider's (e.g. ``refund_exceeds_payment``,
    ``card_declined``, ``out_trade_no_used``)."""

    code = "payment_refused"
    message = "The payment service refused the request."


class NotificationRefused(AppError):
    """A notification that is not well formed, not fresh, or not signed by the provider."""

    code = "notification_refused"
    status = 400
    message = "The payment notification was refused."
