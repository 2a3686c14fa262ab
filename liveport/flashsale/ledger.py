"""One drop's gate state in memory, pure: the in-process gate's engine and the replay target.

Every change returns the record that describes it (a full snapshot of the reservation or
the drop), and ``apply()`` turns such a record back into the same state. That single
property is what lets the in-process gate rebuild itself from its journal and any gate
rebuild itself from the database's reservations.
"""
from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import replace

from liveport.flashsale.domain import (
    ClaimOutcome,
    ClaimRefused,
    ClaimResult,
    DropChanged,
    DropClosed,
    DropSpec,
    DropState,
    DropStatus,
    GateCounts,
    Reservation,
    ReservationChanged,
    ReservationNotFound,
    ReservationReleased,
    ReservationSold,
    ReservationStatus,
    decide,
    holds,
)

RESERVED = ReservationStatus.RESERVED
SOLD = ReservationStatus.SOLD
RELEASED = ReservationStatus.RELEASED


class DropLedger:
    """Counters, per-buyer holdings, idempotency records and reservations of one drop."""

    def __init__(self, spec: DropSpec) -> None:
        self.spec = spec
        self.state = DropState.SCHEDULED
        self.opens_at_ms: int | None = None
        self.on_sale = spec.quantity
        self.reserved = 0
        self.sold = 0
        self.held: dict[str, int] = {}
        # (buyer_key, idempotency_key) → reservation id, or the refusal given
        self.answers: dict[tuple[str, str], str | ClaimOutcome] = {}
        self.reservations: dict[str, Reservation] = {}
        self._expiry: list[tuple[int, str]] = []  # a heap; entries go stale, checked on pop

    # ---- reading ----

    def counts(self) -> GateCounts:
        return GateCounts(self.on_sale, self.reserved, self.sold)

    def status(self) -> DropStatus:
        return DropStatus(self.spec, self.state, self.opens_at_ms, self.counts())

    # ---- claims ----

    def claim(self, buyer_key: str, qty: int, key: str, now_ms: int,
              new_id: Callable[[], str]) -> tuple[ClaimResult, ReservationChanged | ClaimRefused | None]:
        """Answer a claim; the second value is the record to journal (None for a replay)."""
        prior = self.answers.get((buyer_key, key))
        if prior is not None:
            if isinstance(prior, ClaimOutcome):
                return ClaimResult(prior, None, self.on_sale, True), None
            return ClaimResult(ClaimOutcome.RESERVED, self.reservations[prior], self.on_sale, True), None
        spec = self.spec
        outcome = decide(self.state, self.opens_at_ms, spec.closes_at_ms, self.on_sale,
                         self.held.get(buyer_key, 0), spec.per_buyer_limit, qty, now_ms)
        if outcome is not ClaimOutcome.RESERVED:
            self.answers[(buyer_key, key)] = outcome
            return (ClaimResult(outcome, None, self.on_sale),
                    ClaimRefused(spec.drop_id, buyer_key, key, outcome))
        reservation = Reservation(new_id(), spec.drop_id, buyer_key, qty, key, now_ms,
                                  now_ms + spec.hold_s * 1000)
        self._put(reservation)
        return ClaimResult(outcome, reservation, self.on_sale), ReservationChanged(reservation)

    def confirm(self, rid: str, now_ms: int) -> tuple[Reservation, ReservationChanged | None]:
        current = self._get(rid)
        if current.status is SOLD:
            return current, None
        if current.status is RELEASED:
            raise ReservationReleased()
        done = replace(current, status=SOLD, settled_ms=now_ms)
        self._put(done)
        return done, ReservationChanged(done)

    def release(self, rid: str, now_ms: int) -> tuple[Reservation, ReservationChanged | None]:
        current = self._get(rid)
        if current.status is RELEASED:
            return current, None
        if current.status is SOLD:
            raise ReservationSold()
        done = replace(current, status=RELEASED, settled_ms=now_ms)
        self._put(done)
        return done, ReservationChanged(done)

    def due(self, now_ms: int, limit: int) -> list[str]:
        """Ids of reserved reservations whose hold has run out (not yet released)."""
        found: list[str] = []
        heap = self._expiry
        while heap and heap[0][0] <= now_ms and len(found) < limit:
            expires, rid = heapq.heappop(heap)
            current = self.reservations.get(rid)
            if current is not None and current.status is RESERVED and current.expires_ms == expires:
                found.append(rid)
        return found

    # ---- the drop ----

    def open(self, now_ms: int, countdown_s: int) -> DropChanged | None:
        if self.state is DropState.CLOSED:
            raise DropClosed()
        if self.state is not DropState.SCHEDULED:
            return None  # opening twice keeps the first countdown
        self.state = DropState.COUNTDOWN if countdown_s > 0 else DropState.OPEN
        self.opens_at_ms = now_ms + countdown_s * 1000
        return DropChanged(self.status())

    def close(self) -> DropChanged | None:
        if self.state is DropState.CLOSED:
            return None
        self.state = DropState.CLOSED
        return DropChanged(self.status())

    # ---- replay ----

    def apply(self, change: ReservationChanged | DropChanged | ClaimRefused) -> None:
        """Make a recorded change true again; applying a record twice changes nothing."""
        if isinstance(change, ReservationChanged):
            self._put(change.reservation)
        elif isinstance(change, ClaimRefused):
            self.answers[(change.buyer_key, change.idempotency_key)] = change.outcome
        else:
            self.state = change.status.state
            self.opens_at_ms = change.status.opens_at_ms

    def _get(self, rid: str) -> Reservation:
        current = self.reservations.get(rid)
        if current is None:
            raise ReservationNotFound()
        return current

    def _put(self, new: Reservation) -> None:
        """Store a reservation snapshot and move the counters by its change of status."""
        old = self.reservations.get(new.id)
        old_reserved, old_sold = holds(old.status if old else None, old.qty if old else 0)
        new_reserved, new_sold = holds(new.status, new.qty)
        self.reserved += new_reserved - old_reserved
        self.sold += new_sold - old_sold
        delta = (new_reserved + new_sold) - (old_reserved + old_sold)
        self.on_sale -= delta
        if delta:
            held = self.held.get(new.buyer_key, 0) + delta
            if held:
                self.held[new.buyer_key] = held
            else:
                self.held.pop(new.buyer_key, None)
        self.reservations[new.id] = new
        if old is None:
            self.answers[(new.buyer_key, new.idempotency_key)] = new.id
        if new.status is RESERVED and (old is None or old.status is not RESERVED):
            heapq.heappush(self._expiry, (new.expires_ms, new.id))
