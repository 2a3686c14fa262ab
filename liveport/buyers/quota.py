"""The per-identity yearly ledgers: the annual quota (CNY) and the positive list's yearly caps
(legal quantity per tariff line). cross-border.md §2–3, §5.

Every change runs inside the caller's unit of work (placing, paying, expiring, cancelling an
order) and is one conditional UPDATE, so two orders racing for the last of a buyer's quota
cannot both win: the database decides, whatever the interleaving. A change is made at most
once per order because the caller moves the order's state with a conditional UPDATE in the
same transaction, and only the transaction that moved it touches the ledger.

held  = placed, unpaid orders;  used = paid orders (until a cancellation before release or
an accepted return gives it back).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from liveport.buyers.models import QuotaYear, TariffLineYear
from liveport.core.clock import utcnow

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class YearUsage:
    used: Decimal
    held: Decimal

    @property
    def taken(self) -> Decimal:
        return self.used + self.held


def _ensure_row(session: Session, model: type[Any], **key: Any) -> None:
    """Create the year's row if it is missing, without racing another transaction doing it."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(model).values(**key, used=ZERO, held=ZERO, updated_at=utcnow())
    session.execute(statement.on_conflict_do_nothing())


def _change(session: Session, model: type[Any], key: dict[str, Any], *, held: Decimal,
            used: Decimal, within: Decimal | None = None) -> bool:
    conditions = [getattr(model, name) == value for name, value in key.items()]
    # Never below zero on either side (a bug elsewhere must not turn into negative usage).
    if held < 0:
        conditions.append(model.held >= -held)
    if used < 0:
        conditions.append(model.used >= -used)
    if within is not None:
        conditions.append(model.used + model.held + held + used <= within)
    result = session.execute(
        update(model).where(*conditions)
        .values(held=model.held + held, used=model.used + used, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


# ---- the annual quota (CNY) ----


def quota_usage(session: Session, id_hash: str, year: int) -> YearUsage:
    row = session.execute(
        select(QuotaYear.used, QuotaYear.held).where(QuotaYear.id_hash == id_hash, QuotaYear.year == year)
    ).one_or_none()
    return YearUsage(ZERO, ZERO) if row is None else YearUsage(Decimal(row.used), Decimal(row.held))


def hold_quota(session: Session, id_hash: str, year: int, amount: Decimal, quota: Decimal) -> bool:
    """Hold ``amount`` if used + held + amount stays within ``quota``; False changes nothing."""
    key = {"id_hash": id_hash, "year": year}
    _ensure_row(session, QuotaYear, **key)
    return _change(session, QuotaYear, key, held=amount, used=ZERO, within=quota)


def consume_quota_hold(session: Session, id_hash: str, year: int, amount: Decimal) -> bool:
    """The order was paid: its hold becomes use."""
    return _change(session, QuotaYear, {"id_hash": id_hash, "year": year}, held=-amount, used=amount)


def release_quota_hold(session: Session, id_hash: str, year: int, amount: Decimal) -> bool:
    """The order expired unpaid: its hold goes back."""
    return _change(session, QuotaYear, {"id_hash": id_hash, "year": year}, held=-amount, used=ZERO)


def give_back_quota(session: Session, id_hash: str, year: int, amount: Decimal) -> bool:
    """A paid order was cancelled before release, or its return accepted."""
    return _change(session, QuotaYear, {"id_hash": id_hash, "year": year}, held=ZERO, used=-amount)


# ---- the positive list's yearly caps (legal quantity per tariff line) ----


def tariff_line_usage(session: Session, id_hash: str, year: int, hs8s: list[str]) -> dict[str, YearUsage]:
    if not hs8s:
        return {}
    rows = session.execute(
        select(TariffLineYear.hs8, TariffLineYear.used, TariffLineYear.held).where(
            TariffLineYear.id_hash == id_hash, TariffLineYear.year == year, TariffLineYear.hs8.in_(hs8s))
    ).all()
    return {row.hs8: YearUsage(Decimal(row.used), Decimal(row.held)) for row in rows}


def hold_tariff_line(session: Session, id_hash: str, year: int, hs8: str, qty: Decimal,
                     cap: Decimal | None) -> bool:
    key = {"id_hash": id_hash, "year": year, "hs8": hs8}
    _ensure_row(session, TariffLineYear, **key)
    return _change(session, TariffLineYear, key, held=qty, used=ZERO, within=cap)


def consume_tariff_line_hold(session: Session, id_hash: str, year: int, hs8: str, qty: Decimal) -> bool:
    return _change(session, TariffLineYear, {"id_hash": id_hash, "year": year, "hs8": hs8}, held=-qty, used=qty)


def release_tariff_line_hold(session: Session, id_hash: str, year: int, hs8: str, qty: Decimal) -> bool:
    return _change(session, TariffLineYear, {"id_hash": id_hash, "year": year, "hs8": hs8}, held=-qty, used=ZERO)


def give_back_tariff_line(session: Session, id_hash: str, year: int, hs8: str, qty: Decimal) -> bool:
    return _change(session, TariffLineYear, {"id_hash": id_hash, "year": year, "hs8": hs8}, held=ZERO, used=-qty)
