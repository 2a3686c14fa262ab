"""The flash-sale gate port. Two adapters keep one contract
(tests/integration/flashsale/test_gate_contract.py): ``adapters.memory_gate.MemoryGate``
(one server process, durable journal) and ``adapters.redis_gate.RedisGate`` (Lua, any
number of server processes, reconciled with the database).

Contract, for every drop and at every instant:
- ``initial = on_sale + reserved + sold``; no unit is sold twice;
- a buyer_key (verified identity hash) never holds more than the drop's per-buyer limit
  (reserved + sold; a released reservation gives its units back to the buyer's allowance);
- the same (buyer_key, idempotency_key) always gets the same answer, also after a restart
  of the server process (a reserved answer names the same reservation; its current status
  is reported as it is now);
- an answer is returned only once it is durable (journal committed / Redis executed);
- one claim costs O(1) and takes no SQL row lock.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from liveport.flashsale.domain import (
    Change,
    ClaimResult,
    DropSpec,
    DropStatus,
    GateCounts,
    Reservation,
)


@dataclass(frozen=True, slots=True)
class ChangeBatch:
    """Changes after a feed position, oldest first; ``position`` is where the next read starts.

    Every change is a full snapshot (a reservation or a drop as it is after the change), so
    applying a batch twice, or in a later batch again, leaves the same result."""

    changes: list[Change]
    position: str


class FlashSaleGate(Protocol):
    # A name for this gate's change feed (e.g. the Redis key prefix): a database keeps
    # one reconciliation position per source.
    source: str

    async def load(self, spec: DropSpec) -> DropStatus:
        """Put a drop on the gate, scheduled (claims answer not_open). Loading the same spec
        again changes nothing; another spec for a loaded drop raises DropSpecConflict."""

    async def open(self, drop_id: int, now: datetime, countdown_s: int = 0) -> DropStatus:
        """Open now, or after a countdown (claims before then answer not_open). Opening an
        open drop keeps its first opening time; a closed drop raises DropClosed."""

    async def close(self, drop_id: int, now: datetime) -> DropStatus:
        """Stop sales (claims answer closed); idempotent. Reservations may still be paid."""

    async def try_reserve(self, drop_id: int, buyer_key: str, qty: int, idempotency_key: str,
                          now: datetime) -> ClaimResult:
        """Reserve ``qty`` units or refuse with a stable outcome. Unknown drop: DropNotLoaded."""

    async def confirm(self, reservation_id: str, now: datetime) -> Reservation:
        """Paid: reserved → sold. Idempotent; a released reservation raises ReservationReleased."""

    async def release(self, reservation_id: str, now: datetime) -> Reservation:
        """Back on sale: reserved → released. Idempotent; a sold one raises ReservationSold."""

    async def expire_due(self, now: datetime, limit: int = 1000) -> list[Reservation]:
        """Release up to ``limit`` reservations whose hold ran out; returns them as released."""

    async def counts(self, drop_id: int) -> GateCounts: ...

    async def status(self, drop_id: int) -> DropStatus | None: ...

    async def get(self, reservation_id: str) -> Reservation | None: ...

    async def reservations(self, drop_id: int) -> list[Reservation]:
        """Every reservation of a drop, in any order: for audits and reconciliation checks,
        O(n), never on the hot path."""

    async def read_changes(self, after: str, limit: int) -> ChangeBatch:
        """The change feed: reservations and drops as they changed, after ``after``
        (``"0"`` = from the start)."""

    async def trim_changes(self, upto: str) -> None:
        """The database holds everything up to ``upto``; the gate may forget that much."""

    async def intact(self) -> bool:
        """False when the gate's store lost its state (Redis restarted empty): claims answer
        GateUnavailable until ``restore()`` ran."""

    async def restore(self, drops: Sequence[DropStatus], reservations: Sequence[Reservation]) -> None:
        """Rebuild the gate from the database's copy: drops as loaded/opened/closed, every
        reservation with its status. Counts, holdings and idempotency records follow."""

    async def forget(self, drop_id: int) -> None:
        """Drop everything the gate holds for a finished drop (after it was reconciled)."""

    async def aclose(self) -> None: ...


class RoomPublisher(Protocol):
    """Where stock news goes: the live room of the drop's show (liveport.realtime, DESIGN.md
    §7: ``drop.stock`` {"drop_id", "on_sale"} and ``drop.sold_out`` {"drop_id"}). Called on
    the event loop right after the gate answered; must not block."""

    def publish(self, drop_id: int, event_type: str, data: dict[str, Any]) -> None: ...
