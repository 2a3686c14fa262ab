"""What a rehearsal saw, as plain records: the buyers' own answers (claims, cashier
confirmations) and what the server said afterwards (drops' counters, orders with their
payments and trails). The invariant checker reads nothing else."""
from __future__ import annotations

from dataclasses import dataclass, field

# An order in one of these has been paid (a refund or a return comes later, not tonight).
PAID_OR_LATER = frozenset({"paid", "declared", "released", "shipped", "delivered"})
RELEASED_OR_LATER = frozenset({"released", "shipped", "delivered"})


@dataclass(frozen=True)
class DropFact:
    drop_id: int
    quantity: int
    per_buyer_limit: int
    on_sale: int
    reserved: int
    sold: int


@dataclass(frozen=True)
class ClaimFact:
    buyer_id: int
    drop_id: int
    qty: int
    outcome: str  # reserved | sold_out | limit_reached | not_open | closed | error
    reservation_id: str | None = None


@dataclass(frozen=True)
class OrderFact:
    order_no: str
    buyer_id: int
    drop_id: int | None
    qty: int  # units over all lines
    status: str
    trail: tuple[str, ...]  # the statuses it went through, oldest first
    paid_trades: tuple[str, ...]  # out_trade_no of its payments the server holds as paid


@dataclass(frozen=True)
class PaymentFact:
    """A cashier's confirmation as the buyer got it: this trade of this order was paid."""

    order_no: str
    out_trade_no: str


@dataclass
class Outcome:
    drops: list[DropFact] = field(default_factory=list)
    claims: list[ClaimFact] = field(default_factory=list)
    orders: list[OrderFact] = field(default_factory=list)
    payments: list[PaymentFact] = field(default_factory=list)
    created_orders: list[str] = field(default_factory=list)  # order numbers the crowd was given
