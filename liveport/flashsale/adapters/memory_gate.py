"""The in-process gate: one server process, answers from memory, durable through a journal.

A claim is decided under a process lock in O(1) (``DropLedger``), its record is appended to
the group-commit journal, and the caller gets the answer only once the journal committed
it: an acknowledged reservation survives ``kill -9``. At start the gate replays the journal.
Changes are applied in memory before they are durable, but every answer that saw a change
is journaled after it, and the journal commits in order, so nothing is acknowledged that a
crash could take back. If the journal ever fails to commit, memory is ahead of the disk:
the gate then refuses everything (GateUnavailable) until the process restarts and replays.
"""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from liveport.flashsale.adapters.journal import GroupCommitJournal, JournalFailed, Line, split_line
from liveport.flashsale.adapters.tokens import TokenSource
from liveport.flashsale.domain import (
    ClaimOutcome,
    ClaimRefused,
    ClaimResult,
    DropChanged,
    DropNotLoaded,
    DropSpec,
    DropSpecConflict,
    DropStatus,
    GateCounts,
    GateUnavailable,
    Reservation,
    ReservationChanged,
    ReservationNotFound,
    check_claim,
    decode_drop,
    decode_reservation,
    drop_of_reservation,
    encode_drop,
    encode_reservation,
    reservation_id,
    to_ms,
)
from liveport.flashsale.ledger import DropLedger
from liveport.flashsale.ports import ChangeBatch


class _Reset:
    """Journal marker: the drop was rebuilt from the database; forget what came before."""

    __slots__ = ("status",)

    def __init__(self, status: DropStatus) -> None:
        self.status = status


class _Forget:
    """Journal marker: the drop was forgotten; a replay drops what came before."""

    __slots__ = ("drop_id",)

    def __init__(self, drop_id: int) -> None:
        self.drop_id = drop_id


def encode_record(item: Any) -> Line:
    if isinstance(item, ReservationChanged):
        return "res\t" + encode_reservation(item.reservation)
    if isinstance(item, ClaimRefused):
        return f"refusal\t{item.drop_id}\t{item.buyer_key}\t{item.idempotency_key}\t{item.outcome.value}"
    if isinstance(item, DropChanged):
        return "drop\t" + encode_drop(item.status)
    if isinstance(item, _Reset):
        return "reset\t" + encode_drop(item.status)
    if isinstance(item, _Forget):
        return f"forget\t{item.drop_id}"
    raise TypeError(f"not a journal record: {item!r}")


class MemoryGate:
    def __init__(self, journal_path: Path, *, synchronous: str = "FULL", commit_every_s: float = 0.005) -> None:
        self._lock = threading.Lock()
        self._drops: dict[int, DropLedger] = {}
        self._tokens = TokenSource()
        self._journal = GroupCommitJournal(journal_path, encode_record, synchronous=synchronous,
                                           every_s=commit_every_s)
        self.source = f"journal:{self._journal.journal_id}"
        self.replayed = self._replay()
        self._journal.start()

    # ---- start-up ----

    def _replay(self) -> int:
        count = 0
        drops = self._drops
        for line in self._journal.records():
            count += 1
            kind, body = split_line(line)
            if kind == "res":
                r = decode_reservation(body)
                drops[r.drop_id].apply(ReservationChanged(r))
            elif kind == "refusal":
                drop, buyer, key, outcome = body.split("\t")
                drops[int(drop)].apply(ClaimRefused(int(drop), buyer, key, ClaimOutcome(outcome)))
            elif kind == "forget":
                drops.pop(int(body), None)
            else:
                status = decode_drop(body)
                if kind == "reset" or status.drop_id not in drops:
                    drops[status.drop_id] = DropLedger(status.spec)
                drops[status.drop_id].apply(DropChanged(status))
        return count

    # ---- helpers ----

    def _ledger(self, drop_id: int) -> DropLedger:
        if self._journal.failure is not None:
            raise GateUnavailable(code="gate_journal_failed")
        ledger = self._drops.get(drop_id)
        if ledger is None:
            raise DropNotLoaded()
        return ledger

    def _after(self, *records: Any) -> asyncio.Future[None] | None:
        """Journal the records (caller holds the lock); a future to await before answering,
        or None when there is nothing new and nothing earlier still on its way to disk."""
        journal = self._journal
        if not records and not journal.pending:
            return None
        waiter = asyncio.get_running_loop().create_future()
        if not records:
            journal.barrier(waiter)
        for i, record in enumerate(records):
            journal.append(record, waiter if i == len(records) - 1 else None)
        return waiter

    @staticmethod
    async def _durable(waiter: asyncio.Future[None] | None) -> None:
        if waiter is None:
            return
        try:
            await waiter
        except JournalFailed as exc:
            raise GateUnavailable(code="gate_journal_failed") from exc

    # ---- the port ----

    async def load(self, spec: DropSpec) -> DropStatus:
        with self._lock:
            ledger = self._drops.get(spec.drop_id)
            if ledger is not None:
                if ledger.spec != spec:
                    raise DropSpecConflict()
                waiter = self._after()
            else:
                ledger = self._drops[spec.drop_id] = DropLedger(spec)
                waiter = self._after(DropChanged(ledger.status()))
            status = ledger.status()
        await self._durable(waiter)
        return status

    async def open(self, drop_id: int, now: datetime, countdown_s: int = 0) -> DropStatus:
        with self._lock:
            ledger = self._ledger(drop_id)
            change = ledger.open(to_ms(now), countdown_s)
            waiter = self._after(*([change] if change else []))
            status = ledger.status()
        await self._durable(waiter)
        return status

    async def close(self, drop_id: int, now: datetime) -> DropStatus:
        with self._lock:
            ledger = self._ledger(drop_id)
            change = ledger.close()
            waiter = self._after(*([change] if change else []))
            status = ledger.status()
        await self._durable(waiter)
        return status

    async def try_reserve(self, drop_id: int, buyer_key: str, qty: int, idempotency_key: str,
                          now: datetime) -> ClaimResult:
        check_claim(buyer_key, qty, idempotency_key)
        now_ms = to_ms(now)
        with self._lock:
            ledger = self._ledger(drop_id)
            result, record = ledger.claim(buyer_key, qty, idempotency_key, now_ms,
                                          lambda: reservation_id(drop_id, self._tokens()))
            waiter = self._after(record) if record is not None else self._after()
        await self._durable(waiter)
        return result

    async def confirm(self, reservation_id: str, now: datetime) -> Reservation:
        with self._lock:
            ledger = self._ledger(drop_of_reservation(reservation_id))
            done, change = ledger.confirm(reservation_id, to_ms(now))
            waiter = self._after(*([change] if change else []))
        await self._durable(waiter)
        return done

    async def release(self, reservation_id: str, now: datetime) -> Reservation:
        with self._lock:
            ledger = self._ledger(drop_of_reservation(reservation_id))
            done, change = ledger.release(reservation_id, to_ms(now))
            waiter = self._after(*([change] if change else []))
        await self._durable(waiter)
        return done

    async def expire_due(self, now: datetime, limit: int = 1000) -> list[Reservation]:
        now_ms = to_ms(now)
        released: list[Reservation] = []
        changes: list[ReservationChanged] = []
        with self._lock:
            if self._journal.failure is not None:
                raise GateUnavailable(code="gate_journal_failed")
            for ledger in self._drops.values():
                for rid in ledger.due(now_ms, limit - len(released)):
                    done, change = ledger.release(rid, now_ms)
                    released.append(done)
                    if change is not None:
                        changes.append(change)
            waiter = self._after(*changes) if changes else None
        await self._durable(waiter)
        return released

    async def counts(self, drop_id: int) -> GateCounts:
        with self._lock:
            return self._ledger(drop_id).counts()

    async def status(self, drop_id: int) -> DropStatus | None:
        with self._lock:
            ledger = self._drops.get(drop_id)
            return None if ledger is None else ledger.status()

    async def get(self, reservation_id: str) -> Reservation | None:
        try:
            drop_id = drop_of_reservation(reservation_id)
        except ReservationNotFound:
            return None
        with self._lock:
            ledger = self._drops.get(drop_id)
            found = None if ledger is None else ledger.reservations.get(reservation_id)
            waiter = self._after() if found is not None else None
        await self._durable(waiter)  # never hand out a reservation the disk does not hold yet
        return found

    async def reservations(self, drop_id: int) -> list[Reservation]:
        with self._lock:
            return list(self._ledger(drop_id).reservations.values())

    async def read_changes(self, after: str, limit: int) -> ChangeBatch:
        lines, last = await asyncio.to_thread(self._journal.read_after, int(after), limit)
        changes: list[Any] = []
        for line in lines:
            kind, body = split_line(line)
            if kind == "res":
                changes.append(ReservationChanged(decode_reservation(body)))
            elif kind in ("drop", "reset"):
                changes.append(DropChanged(decode_drop(body)))
        return ChangeBatch(changes, str(last))

    async def trim_changes(self, upto: str) -> None:
        """The journal is this gate's own durable store: nothing is trimmed from it."""

    async def intact(self) -> bool:
        return self._journal.failure is None

    async def restore(self, drops: Sequence[DropStatus], reservations: Sequence[Reservation]) -> None:
        by_drop: dict[int, list[Reservation]] = {}
        for r in reservations:
            by_drop.setdefault(r.drop_id, []).append(r)
        records: list[Any] = []
        with self._lock:
            for status in drops:
                ledger = DropLedger(status.spec)
                ledger.apply(DropChanged(status))
                records.append(_Reset(status))
                for r in by_drop.get(status.drop_id, []):
                    change = ReservationChanged(r)
                    ledger.apply(change)
                    records.append(change)
                self._drops[status.drop_id] = ledger
            waiter = self._after(*records)
        await self._durable(waiter)

    async def forget(self, drop_id: int) -> None:
        with self._lock:
            self._drops.pop(drop_id, None)
            waiter = self._after(_Forget(drop_id))
        await self._durable(waiter)

    async def aclose(self) -> None:
        await asyncio.to_thread(self._journal.close)

    def shutdown(self) -> None:
        """Flush and close the journal (for a synchronous shutdown path)."""
        self._journal.close()

    @property
    def journal_batches(self) -> int:
        return self._journal.batches
