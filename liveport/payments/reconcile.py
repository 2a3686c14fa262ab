"""``liveport payments reconcile``: the ledger against each provider's statement of a day.

Both sides are keyed by the provider's own reference (a payment's transaction id, a refund's
id) and compared by amount; every key present on one side only, and every amount that
differs, is a difference. A day is a China-time calendar day, as statements are.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from liveport.core.clock import CHINA
from liveport.core.db import Database
from liveport.payments import ledger
from liveport.payments.ports import PaymentProvider


@dataclass(frozen=True, slots=True)
class Difference:
    provider: str
    reference: str
    kind: str  # missing_in_ledger | missing_in_statement | amount_differs
    ledger_amount: Decimal | None
    statement_amount: Decimal | None


def china_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=CHINA)
    return start, start + timedelta(days=1)


def compare(provider: str, ours: Mapping[str, Decimal], theirs: Mapping[str, Decimal]) -> list[Difference]:
    found: list[Difference] = []
    for reference in sorted(set(ours) | set(theirs)):
        mine, other = ours.get(reference), theirs.get(reference)
        if mine is None:
            found.append(Difference(provider, reference, "missing_in_ledger", None, other))
        elif other is None:
            found.append(Difference(provider, reference, "missing_in_statement", mine, None))
        elif mine != other:
            found.append(Difference(provider, reference, "amount_differs", mine, other))
    return found


def reconcile_day(db: Database, providers: Mapping[str, PaymentProvider], day: date) -> list[Difference]:
    start, end = china_day_bounds(day)
    differences: list[Difference] = []
    for name, provider in sorted(providers.items()):
        statement = provider.statement(day)
        theirs: dict[str, Decimal] = {}
        for entry in statement.entries:
            if entry.kind == "payment":
                theirs[entry.transaction_id] = theirs.get(entry.transaction_id, Decimal(0)) + entry.amount.amount
            else:
                key = entry.refund_id or entry.out_refund_no or ""
                theirs[key] = theirs.get(key, Decimal(0)) - entry.amount.amount
        with db.reader() as session:
            movements = ledger.provider_movements(session, name, start, end)
        ours: dict[str, Decimal] = {}
        for _kind, reference, amount in movements:
            ours[reference] = ours.get(reference, Decimal(0)) + amount
        differences.extend(compare(name, ours, theirs))
    return differences
