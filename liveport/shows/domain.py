"""Show rules: the lifecycle, the schedule, who may do what on a show. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from liveport.core.errors import InvalidTransition, ValidationFailed

MAX_SHOW_LENGTH = timedelta(hours=24)
MAX_LINEUP = 200


class ShowStatus(StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"


class ShowAction(StrEnum):
    START = "start"
    END = "end"


_TRANSITIONS: dict[tuple[ShowStatus, ShowAction], ShowStatus] = {
    (ShowStatus.SCHEDULED, ShowAction.START): ShowStatus.LIVE,
    (ShowStatus.LIVE, ShowAction.END): ShowStatus.ENDED,
}

# Listing order: what is on now, then what comes next, then the past.
STATUS_RANK: dict[ShowStatus, int] = {
    ShowStatus.LIVE: 0,
    ShowStatus.SCHEDULED: 1,
    ShowStatus.ENDED: 2,
}


def transition(current: ShowStatus, action: ShowAction) -> ShowStatus:
    """scheduled → live → ended, and nothing else."""
    target = _TRANSITIONS.get((current, action))
    if target is None:
        raise InvalidTransition(
            f"A {current.value} show cannot {action.value}.",
            details={"status": current.value, "action": action.value},
        )
    return target


def check_schedule(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationFailed("Schedule times need a time zone.", code="invalid_schedule")
    if end <= start:
        raise ValidationFailed("A show ends after it starts.", code="invalid_schedule")
    if end - start > MAX_SHOW_LENGTH:
        raise ValidationFailed("A show lasts at most 24 hours.", code="invalid_schedule")


MAX_COMMISSION = Decimal("0.5")


def check_lineup(product_ids: Sequence[int]) -> None:
    if len(product_ids) > MAX_LINEUP:
        raise ValidationFailed(
            f"A lineup has at most {MAX_LINEUP} products.", code="lineup_too_long"
        )
    if len(set(product_ids)) != len(product_ids):
        raise ValidationFailed("A product appears in a lineup once.", code="duplicate_product")


def can_change(status: ShowStatus) -> bool:
    """Hosts and the lineup change until the show has ended (a live show may add a guest)."""
    return status is not ShowStatus.ENDED


@dataclass(frozen=True, slots=True)
class HostSpec:
    """A host to put on a show: the account, and the role shown under their name."""

    user_id: int
    role_label: str
    role_label_en: str
    country_code: str | None = None
    # The host's commission on the goods value of the show's sales (kept private: the
    # ledger reads it; the show's public pages never show it).
    commission_rate: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.commission_rate <= MAX_COMMISSION or self.commission_rate.as_tuple().exponent < -4:  # type: ignore[operator]
            raise ValidationFailed(f"A commission rate is from 0 to {MAX_COMMISSION} with at most 4 decimals.",
                                   code="invalid_commission_rate")
