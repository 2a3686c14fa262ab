"""The flash-sale gate's rules, pure: drop states, claim outcomes, reservations, accounting.

Every gate adapter answers a claim with ``decide()`` (the Redis Lua script mirrors it line
by line) and keeps, for every drop and at every instant, ``initial = on_sale + reserved +
sold``. A buyer is a ``buyer_key``: the keyed hash of a verified identity, never an account,
so one person with five accounts is one buyer. Times inside the gate are integer
milliseconds since the epoch (what Redis can store and compare cheaply).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from liveport.core.errors import AppError, Conflict, NotFound, ValidationFailed
from liveport.core.money import round_fen


class DropState(StrEnum):
    SCHEDULED = "scheduled"
    COUNTDOWN = "countdown"  # opened by the host, claims accepted from opens_at on
    OPEN = "open"
    CLOSED = "closed"


class ClaimOutcome(StrEnum):
    RESERVED = "reserved"
    SOLD_OUT = "sold_out"
    LIMIT_REACHED = "limit_reached"
    NOT_OPEN = "not_open"
    CLOSED = "closed"
    # Decided in front of the gate (the claim route), never by a gate adapter:
    IDENTITY_REQUIRED = "identity_required"
    RATE_LIMITED = "rate_limited"


GATE_REFUSALS = frozenset(
    {ClaimOutcome.SOLD_OUT, ClaimOutcome.LIMIT_REACHED, ClaimOutcome.NOT_OPEN, ClaimOutcome.CLOSED}
)


class ReservationStatus(StrEnum):
    RESERVED = "reserved"
    SOLD = "sold"
    RELEASED = "released"


# ---- errors ---------------------------------------------------------------------------

class DropNotLoaded(NotFound):
    code = "drop_not_found"
    message = "That drop is not on sale here."


class ReservationNotFound(NotFound):
    code = "reservation_not_found"
    message = "No such reservation."


class ReservationReleased(Conflict):
    code = "reservation_released"
    message = "The reservation has expired or was released; its units are back on sale."


class ReservationSold(Conflict):
    code = "reservation_sold"
    message = "The reservation is paid; it can no longer be released."


class DropClosed(Conflict):
    code = "drop_closed"
    message = "The drop is closed."


class DropSpecConflict(Conflict):
    code = "drop_spec_conflict"
    message = "The drop is already loaded with other settings."


class GateUnavailable(AppError):
    code = "gate_unavailable"
    status = 503
    message = "Sales are paused for a moment; try again shortly."


# ---- values ---------------------------------------------------------------------------

# Keys travel inside tab-separated records (journal rows, Redis values): printable ASCII
# without spaces keeps them safe there and in logs.
_KEY_RE = re.compile(r"^[\x21-\x7e]{1,128}$")
_RESERVATION_ID_RE = re.compile(r"^r(\d{1,18})-[A-Za-z0-9_-]{8,64}$")
MAX_CLAIM_QTY = 1000


def check_claim(buyer_key: str, qty: int, idempotency_key: str) -> None:
    if not isinstance(qty, int) or isinstance(qty, bool) or not 1 <= qty <= MAX_CLAIM_QTY:
        raise ValidationFailed(f"qty must be a whole number from 1 to {MAX_CLAIM_QTY}.",
                               code="invalid_quantity")
    if not _KEY_RE.match(idempotency_key):
        raise ValidationFailed("An Idempotency-Key is 1 to 128 printable ASCII characters, no spaces.",
                               code="invalid_idempotency_key")
    if not _KEY_RE.match(buyer_key):
        raise ValidationFailed("The buyer key is not valid.", code="invalid_buyer_key")


def reservation_id(drop_id: int, token: str) -> str:
    """The drop is part of the id so a gate finds a reservation's drop without a lookup."""
    return f"r{drop_id}-{token}"


def drop_of_reservation(rid: str) -> int:
    match = _RESERVATION_ID_RE.match(rid)
    if match is None:
        raise ReservationNotFound()
    return int(match.group(1))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def to_ms(moment: datetime) -> int:
    """Exact integer arithmetic: a time survives ms → datetime → database → ms unchanged."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _MS


def from_ms(ms: int) -> datetime:
    return _EPOCH + ms * _MS


@dataclass(frozen=True, slots=True)
class DropSpec:
    """What the gate needs to sell a drop; fixed once loaded."""

    drop_id: int
    quantity: int
    per_buyer_limit: int
    hold_s: int  # how long a reservation waits for payment
    closes_at_ms: int | None = None  # claims from then on are refused as closed

    def __post_init__(self) -> None:
        if self.quantity < 1 or self.per_buyer_limit < 1 or self.hold_s < 1 or self.drop_id < 1:
            raise ValidationFailed("A drop needs a quantity, a per-buyer limit and a hold time of at least 1.",
                                   code="invalid_drop")


@dataclass(frozen=True, slots=True)
class GateCounts:
    on_sale: int
    reserved: int
    sold: int

    @property
    def initial(self) -> int:
        return self.on_sale + self.reserved + self.sold


@dataclass(frozen=True, slots=True)
class DropStatus:
    spec: DropSpec
    state: DropState
    opens_at_ms: int | None
    counts: GateCounts

    @property
    def drop_id(self) -> int:
        return self.spec.drop_id

    def effective_state(self, now_ms: int) -> DropState:
        return effective_state(self.state, self.opens_at_ms, self.spec.closes_at_ms, now_ms)


@dataclass(frozen=True, slots=True)
class Reservation:
    id: str
    drop_id: int
    buyer_key: str
    qty: int
    idempotency_key: str
    created_ms: int
    expires_ms: int
    status: ReservationStatus = ReservationStatus.RESERVED
    settled_ms: int | None = None  # when it was paid or released

    @property
    def expires_at(self) -> datetime:
        return from_ms(self.expires_ms)

    @property
    def created_at(self) -> datetime:
        return from_ms(self.created_ms)


@dataclass(frozen=True, slots=True)
class ClaimResult:
    outcome: ClaimOutcome
    reservation: Reservation | None
    on_sale: int  # units on sale right after this answer: what the room is told
    replayed: bool = False  # the answer recorded for this idempotency key, given again


# ---- rules ----------------------------------------------------------------------------

def effective_state(state: DropState, opens_at_ms: int | None, closes_at_ms: int | None,
                    now_ms: int) -> DropState:
    if state is DropState.CLOSED or (closes_at_ms is not None and now_ms >= closes_at_ms):
        return DropState.CLOSED
    if state is DropState.SCHEDULED:
        return DropState.SCHEDULED
    assert opens_at_ms is not None
    return DropState.OPEN if now_ms >= opens_at_ms else DropState.COUNTDOWN


def decide(state: DropState, opens_at_ms: int | None, closes_at_ms: int | None, on_sale: int,
           held: int, limit: int, qty: int, now_ms: int) -> ClaimOutcome:
    """The answer to a new claim. ``held`` = units the buyer already holds (reserved or sold).

    The order matters and the Lua script keeps it: a closed drop says closed even when sold
    out, and a sold-out drop says sold out even to a buyer at the limit.
    """
    now = effective_state(state, opens_at_ms, closes_at_ms, now_ms)
    if now is DropState.CLOSED:
        return ClaimOutcome.CLOSED
    if now is not DropState.OPEN:
        return ClaimOutcome.NOT_OPEN
    if on_sale == 0:
        return ClaimOutcome.SOLD_OUT
    if held + qty > limit:
        return ClaimOutcome.LIMIT_REACHED
    if on_sale < qty:
        return ClaimOutcome.SOLD_OUT
    return ClaimOutcome.RESERVED


def holds(status: ReservationStatus | None, qty: int) -> tuple[int, int]:
    """What a reservation in ``status`` adds to (reserved, sold); released adds nothing.
    Moving a reservation between statuses moves exactly this difference, so the counts
    can be rebuilt from the reservations alone and still add up to the initial stock."""
    if status is ReservationStatus.RESERVED:
        return qty, 0
    if status is ReservationStatus.SOLD:
        return 0, qty
    return 0, 0


def counts_of(quantity: int, reservations: list[Reservation]) -> GateCounts:
    reserved = sum(r.qty for r in reservations if r.status is ReservationStatus.RESERVED)
    sold = sum(r.qty for r in reservations if r.status is ReservationStatus.SOLD)
    return GateCounts(quantity - reserved - sold, reserved, sold)


# ---- records (journal rows, Redis values, the change feed) -----------------------------

def encode_reservation(r: Reservation) -> str:
    settled = "" if r.settled_ms is None else str(r.settled_ms)
    return "\t".join((r.id, str(r.drop_id), r.buyer_key, str(r.qty), r.idempotency_key,
                      str(r.created_ms), str(r.expires_ms), r.status.value, settled))


def decode_reservation(text: str | bytes) -> Reservation:
    if isinstance(text, bytes):
        text = text.decode()
    rid, drop, buyer, qty, key, created, expires, status, settled = text.split("\t")
    return Reservation(rid, int(drop), buyer, int(qty), key, int(created), int(expires),
                       ReservationStatus(status), int(settled) if settled else None)


def encode_drop(status: DropStatus) -> str:
    s = status.spec
    return "\t".join((str(s.drop_id), str(s.quantity), str(s.per_buyer_limit), str(s.hold_s),
                      _opt(s.closes_at_ms), status.state.value, _opt(status.opens_at_ms)))


def decode_drop(text: str | bytes, counts: GateCounts | None = None) -> DropStatus:
    if isinstance(text, bytes):
        text = text.decode()
    drop_id, quantity, limit, hold_s, closes, state, opens = text.split("\t")
    spec = DropSpec(int(drop_id), int(quantity), int(limit), int(hold_s), _int(closes))
    return DropStatus(spec, DropState(state), _int(opens), counts or GateCounts(int(quantity), 0, 0))


def _opt(value: int | None) -> str:
    return "" if value is None else str(value)


def _int(text: str) -> int | None:
    return int(text) if text else None


@dataclass(frozen=True, slots=True)
class ReservationChanged:
    reservation: Reservation


@dataclass(frozen=True, slots=True)
class DropChanged:
    status: DropStatus


@dataclass(frozen=True, slots=True)
class ClaimRefused:
    """Kept so that a replay of the key gets the same refusal, also after a restart."""

    drop_id: int
    buyer_key: str
    idempotency_key: str
    outcome: ClaimOutcome


Change = ReservationChanged | DropChanged


# ---- drops (the business record around the gate) ---------------------------------------

MAX_DROP_QUANTITY = 2_000_000_000
MAX_PRICE_CNY = Decimal(1000000)


def check_new_drop(quantity: int, per_buyer_limit: int, price: Decimal, opens_at: datetime,
                   closes_at: datetime | None) -> None:
    if isinstance(quantity, bool) or not 1 <= quantity <= MAX_DROP_QUANTITY:
        raise ValidationFailed("A drop offers at least one unit.", code="invalid_quantity")
    if not 1 <= per_buyer_limit <= MAX_CLAIM_QTY:
        raise ValidationFailed(f"The per-buyer limit is 1 to {MAX_CLAIM_QTY} units.", code="invalid_limit")
    if not price.is_finite() or price <= 0 or price > MAX_PRICE_CNY or round_fen(price) != price:
        raise ValidationFailed("A price is a positive CNY amount in fen (two decimals at most).",
                               code="invalid_price")
    if closes_at is not None and closes_at <= opens_at:
        raise ValidationFailed("A drop closes after it opens.", code="invalid_schedule")


def units_to_return(on_sale_after_close: int, returned_so_far: int) -> int:
    """Units of a closed drop still to give back to the warehouse: everything on sale at
    closing, and later what lapsed reservations put back on sale (nobody can buy it now)."""
    return max(0, on_sale_after_close - returned_so_far)
