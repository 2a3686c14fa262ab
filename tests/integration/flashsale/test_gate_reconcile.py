"""The database copy of a gate (both gates × SQLite and PostgreSQL): every acknowledged
reservation reaches the database, and a gate rebuilt from the database answers as before."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from liveport.flashsale import gate_sync
from liveport.flashsale.domain import (
    ClaimOutcome,
    DropSpec,
    DropState,
    GateCounts,
    Reservation,
    ReservationStatus,
    to_ms,
)
from liveport.flashsale.models import GateDrop, GateReservation
from liveport.flashsale.recovery import rebuild_from_database, reconcile_all, reconcile_once
from tests.integration.flashsale.gate_support import T0, assert_books_balance

pytestmark = pytest.mark.anyio


def stored_reservations(db) -> list[Reservation]:
    return sorted(gate_sync.gate_snapshot(db)[1], key=lambda r: r.id)


async def sell_some(gate) -> list[Reservation]:
    """Drop 7: 30 units, limit 2; 21 reservations: two paid, two released, 16 expired, one
    still held; 43 changes in all (load, open, 21 claims, 2 + 2 settled, 16 expired)."""
    await gate.load(DropSpec(7, 30, 2, 600))
    await gate.open(7, T0)
    made = [(await gate.try_reserve(7, f"b{n % 12}", 1, f"k{n}", T0)).reservation for n in range(20)]
    made = [r for r in made if r is not None]
    await gate.confirm(made[0].id, T0 + timedelta(minutes=1))
    await gate.confirm(made[1].id, T0 + timedelta(minutes=1))
    await gate.release(made[2].id, T0 + timedelta(minutes=1))
    await gate.release(made[3].id, T0 + timedelta(minutes=1))
    await gate.try_reserve(7, "late", 1, "k-late", T0 + timedelta(minutes=5))
    await gate.expire_due(T0 + timedelta(seconds=601))  # all but the late one and the paid
    assert await gate.counts(7) == GateCounts(27, 1, 2)
    return sorted(await gate.reservations(7), key=lambda r: r.id)


async def test_every_acknowledged_reservation_reaches_the_database(gates, database):
    gate = await gates.new()
    everything = await sell_some(gate)
    # when the reconciler runs
    copied = await reconcile_all(database, gate, limit=7)
    # then the database holds each reservation exactly as the gate does, and the drop
    assert copied == 43
    assert stored_reservations(database) == everything
    with database.reader() as s:
        drop = s.get(GateDrop, 7)
        assert (drop.state, drop.quantity, drop.per_buyer_limit, drop.source) == ("open", 30, 2, gate.source)
    # and running it again copies nothing new
    assert await reconcile_all(database, gate) == 0
    # and later changes follow
    late = next(r for r in everything if r.buyer_key == "late")
    paid = await gate.confirm(late.id, T0 + timedelta(minutes=6))
    await gate.close(7, T0 + timedelta(minutes=7))
    assert await reconcile_all(database, gate) == 2
    with database.reader() as s:
        assert s.get(GateReservation, paid.id).status == "sold"
        assert s.get(GateDrop, 7).state == "closed"


async def test_two_reconcilers_racing_copy_each_change_once(gates, database):
    gate = await gates.new()
    await sell_some(gate)
    # when two reconcilers (as in two server processes) run at the same time, many rounds
    async def reconciler():
        for _ in range(20):
            await reconcile_once(database, gate, limit=3)

    await asyncio.gather(reconciler(), reconciler())
    await reconcile_all(database, gate)
    # then the database matches the gate
    assert stored_reservations(database) == sorted(await gate.reservations(7), key=lambda r: r.id)


async def test_a_gate_rebuilt_from_the_database_answers_as_before(gates, database):
    # given a gate whose drop was reconciled
    gate = await gates.new()
    await sell_some(gate)
    await reconcile_all(database, gate)
    before = sorted(await gate.reservations(7), key=lambda r: r.id)
    counts = await gate.counts(7)
    # when an empty gate is rebuilt from the database
    rebuilt = await gates.empty()
    await rebuild_from_database(database, rebuilt)
    # then it holds the same drop, counts and reservations
    status = await rebuilt.status(7)
    assert (status.state, status.opens_at_ms, status.counts) == (DropState.OPEN, to_ms(T0), counts)
    assert sorted(await rebuilt.reservations(7), key=lambda r: r.id) == before
    await assert_books_balance(rebuilt, 7, 30, 2)
    # and answers replays, limits and expiry as the old one would
    replay = await rebuilt.try_reserve(7, "b0", 1, "k0", T0)
    paid = next(r for r in before if r.idempotency_key == "k0")
    assert (replay.outcome, replay.replayed, replay.reservation) == (ClaimOutcome.RESERVED, True, paid)
    assert paid.status is ReservationStatus.SOLD
    # b0 holds the paid unit (its second claim expired): one more, then the limit
    second = await rebuilt.try_reserve(7, "b0", 1, "new-1", T0)
    third = await rebuilt.try_reserve(7, "b0", 1, "new-2", T0)
    assert [second.outcome, third.outcome] == [ClaimOutcome.RESERVED, ClaimOutcome.LIMIT_REACHED]
    late = next(r for r in before if r.idempotency_key == "k-late")
    expired = await rebuilt.expire_due(late.expires_at)
    assert [r.id for r in expired] == [second.reservation.id, late.id]
    # and its feed continues into the database
    await reconcile_all(database, rebuilt)
    assert stored_reservations(database) == sorted(await rebuilt.reservations(7), key=lambda r: r.id)
