"""The double-entry ledger's rules (issue 7): which journal each money movement makes. Pure.

A journal is a list of postings (account, amount) that sums to zero; positive = debit, negative
= credit. Accounts:
  provider:<name>         what the payment provider owes us (its settlement account)
  escrow                  buyers' money held by the platform until it is split
  exhibitor:<id>          the overseas exhibitor's proceeds
  host:<user id>          a host's commission
  platform_fee            the platform's fee
  tax_withheld            the comprehensive tax withheld for customs (cross-border.md §2)
A payment makes two journals: provider → escrow, then escrow → its shares. A full refund is
the exact reversal of both. A partial (goodwill) refund comes out of the exhibitor's share.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from liveport.core.money import round_fen

ZERO = Decimal(0)
ESCROW = "escrow"
PLATFORM_FEE = "platform_fee"
TAX_WITHHELD = "tax_withheld"


def provider_account(provider: str) -> str:
    return f"provider:{provider}"


def exhibitor_account(exhibitor_id: int) -> str:
    return f"exhibitor:{exhibitor_id}"


def host_account(user_id: int) -> str:
    return f"host:{user_id}"


Posting = tuple[str, Decimal]


@dataclass(frozen=True, slots=True)
class Journal:
    kind: str  # payment | split | refund | reversal
    postings: tuple[Posting, ...]

    def __post_init__(self) -> None:
        if sum((amount for _, amount in self.postings), ZERO) != ZERO:
            raise ValueError(f"unbalanced journal {self.kind}: {self.postings}")
        if any(amount != round_fen(amount) for _, amount in self.postings):
            raise ValueError(f"journal {self.kind} has amounts below a fen: {self.postings}")

    def reversed(self, kind: str = "reversal") -> Journal:
        return Journal(kind, tuple((account, -amount) for account, amount in self.postings))


@dataclass(frozen=True, slots=True)
class SaleFacts:
    """What a paid order's split needs, read from the order and its show."""

    provider: str
    paid: Decimal  # actural_paid
    goods_value: Decimal
    tax_total: Decimal
    exhibitor_id: int
    host_rates: Mapping[int, Decimal]  # host user id → commission rate on the goods value
    platform_fee_rate: Decimal


def payment_journal(provider: str, amount: Decimal) -> Journal:
    return Journal("payment", ((provider_account(provider), amount), (ESCROW, -amount)))


def split_journal(sale: SaleFacts) -> Journal:
    """Escrow → tax withheld, host commissions and platform fee (each on the goods value,
    rounded to the fen), the exhibitor taking the rest (goods net of those, plus freight)."""
    postings: list[Posting] = [(ESCROW, sale.paid), (TAX_WITHHELD, -sale.tax_total)]
    shares = ZERO
    for host_id in sorted(sale.host_rates):
        commission = round_fen(sale.goods_value * sale.host_rates[host_id])
        if commission:
            postings.append((host_account(host_id), -commission))
            shares += commission
    fee = round_fen(sale.goods_value * sale.platform_fee_rate)
    if fee:
        postings.append((PLATFORM_FEE, -fee))
    rest = sale.paid - sale.tax_total - shares - fee
    if rest < 0:
        raise ValueError(f"commissions and fee exceed the exhibitor's proceeds: {sale}")
    postings.append((exhibitor_account(sale.exhibitor_id), -rest))
    return Journal("split", tuple(postings))


def full_refund_journals(earlier: Sequence[Journal]) -> list[Journal]:
    """The exact reversal of a payment's journals, newest first (reversals already written
    are not reversed again)."""
    return [journal.reversed(f"reversal:{journal.kind}") for journal in reversed(earlier)
            if not journal.kind.startswith("reversal:")]


def partial_refund_journal(provider: str, exhibitor_id: int, amount: Decimal) -> Journal:
    """A goodwill refund: the exhibitor gives part of its proceeds back through the provider."""
    return Journal("refund", ((exhibitor_account(exhibitor_id), amount), (provider_account(provider), -amount)))
