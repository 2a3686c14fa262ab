"""Writing and reading the double-entry ledger (rules in ``settlement``).

A journal is written inside the unit of work of the movement it records (the payment
notice, the refund), under a unique key: written once, whatever the replays.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveport.payments.models import LedgerJournal, LedgerPosting
from liveport.payments.settlement import Journal


def write_journal(session: Session, key: str, journal: Journal, *, order_id: int | None, provider: str | None,
                  reference: str | None, at: datetime) -> bool:
    """False when a journal with this key exists already (nothing written)."""
    if session.execute(select(LedgerJournal.id).where(LedgerJournal.key == key)).first() is not None:
        return False
    row = LedgerJournal(key=key, kind=journal.kind, order_id=order_id, provider=provider,
                        reference=reference, at=at)
    session.add(row)
    session.flush()
    session.add_all(LedgerPosting(journal_id=row.id, account=account, amount=amount)
                    for account, amount in journal.postings)
    return True


def journals_of_order(session: Session, order_id: int) -> list[Journal]:
    rows = session.execute(
        select(LedgerJournal.id, LedgerJournal.kind).where(LedgerJournal.order_id == order_id).order_by(LedgerJournal.id)
    ).all()
    postings: dict[int, list[tuple[str, Decimal]]] = {}
    for journal_id, account, amount in session.execute(
        select(LedgerPosting.journal_id, LedgerPosting.account, LedgerPosting.amount)
        .where(LedgerPosting.journal_id.in_([r.id for r in rows])).order_by(LedgerPosting.id)
    ):
        postings.setdefault(journal_id, []).append((account, Decimal(amount)))
    return [Journal(kind, tuple(postings.get(journal_id, []))) for journal_id, kind in rows]


def balances(session: Session, accounts: Sequence[str] | None = None) -> dict[str, Decimal]:
    query = select(LedgerPosting.account, func.sum(LedgerPosting.amount)).group_by(LedgerPosting.account)
    if accounts is not None:
        query = query.where(LedgerPosting.account.in_(accounts))
    return {account: Decimal(total) for account, total in session.execute(query)}


def unbalanced_journals(session: Session) -> list[str]:
    """Keys of journals whose postings do not sum to zero (must always be empty)."""
    sums = (select(LedgerJournal.key, func.sum(LedgerPosting.amount).label("total"))
            .join(LedgerPosting, LedgerPosting.journal_id == LedgerJournal.id).group_by(LedgerJournal.key))
    return [key for key, total in session.execute(sums) if Decimal(total) != 0]


def provider_movements(session: Session, provider: str, start: datetime, end: datetime) -> list[tuple[str, str, Decimal]]:
    """(kind, reference, amount) of what the provider moved between ``start`` and ``end``:
    payments positive, refunds negative, as its statement lists them."""
    account = f"provider:{provider}"
    rows = session.execute(
        select(LedgerJournal.kind, LedgerJournal.reference, LedgerPosting.amount)
        .join(LedgerPosting, LedgerPosting.journal_id == LedgerJournal.id)
        .where(LedgerJournal.provider == provider, LedgerPosting.account == account,
               LedgerJournal.at >= start, LedgerJournal.at < end)
        .order_by(LedgerJournal.id)
    ).all()
    return [(kind, reference or "", Decimal(amount)) for kind, reference, amount in rows]
