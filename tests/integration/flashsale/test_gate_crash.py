"""The gate under crashes (DESIGN.md §4 invariants 1-3): processes killed with SIGKILL while
claims are in flight, two processes against one Redis, and Redis itself lost.

A worker process prints each reservation id the moment the gate acknowledged it; whatever
it printed before it died must still exist afterwards."""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest

from liveport.flashsale.adapters.memory_gate import MemoryGate
from liveport.flashsale.adapters.redis_gate import RedisGate
from liveport.flashsale.domain import (
    ClaimOutcome,
    DropSpec,
    GateCounts,
    GateUnavailable,
    ReservationStatus,
)
from liveport.flashsale.recovery import ensure_ready, reconcile_all
from tests.conftest import missing
from tests.integration.flashsale.gate_support import (
    T0,
    PrivateRedis,
    Worker,
    assert_books_balance,
    fresh_prefix,
)

BIG = 1_000_000


async def _prepare(gate, quantity: int, limit: int) -> None:
    if not await gate.intact():
        await gate.restore([], [])
    await gate.load(DropSpec(1, quantity, limit, 600))
    await gate.open(1, T0)


async def _check_survivors(gate, acked: list[str], quantity: int, limit: int) -> None:
    found = [await gate.get(rid) for rid in acked]
    assert [r.status if r else None for r in found] == [ReservationStatus.RESERVED] * len(acked)
    everything = await assert_books_balance(gate, 1, quantity, limit)
    assert {r.id for r in everything} >= set(acked)


def test_memory_gate_keeps_every_acknowledged_reservation_through_kill_9(tmp_path):
    # given a journal with an open drop, and a server process claiming 200 at a time
    journal = tmp_path / "gate.sqlite3"

    async def prepare():
        gate = MemoryGate(journal)
        await _prepare(gate, BIG, BIG)
        await gate.aclose()

    asyncio.run(prepare())
    worker = Worker("memory", str(journal), "", "1", "500", str(BIG), "200")
    # when it is killed with SIGKILL in the middle of the burst
    try:
        worker.wait_for_acks(400)
    finally:
        worker.kill()
    assert worker.proc.returncode == -9
    acked = list(worker.acked)
    assert len(acked) >= 400

    # then after a restart every reservation it acknowledged is there and the books balance
    async def check():
        gate = MemoryGate(journal)
        try:
            await _check_survivors(gate, acked, BIG, BIG)
            # and the restarted gate keeps selling from where the journal left off
            result = await gate.try_reserve(1, "after", 1, "after-restart", T0)
            assert result.outcome is ClaimOutcome.RESERVED
        finally:
            await gate.aclose()

    asyncio.run(check())


def test_redis_gate_keeps_every_acknowledged_reservation_when_a_server_dies(redis_url):
    prefix = fresh_prefix()

    async def prepare():
        gate = RedisGate(redis_url, prefix=prefix)
        await _prepare(gate, BIG, BIG)
        await gate.aclose()

    async def check(acked):
        gate = RedisGate(redis_url, prefix=prefix)
        try:
            await _check_survivors(gate, acked, BIG, BIG)
        finally:
            await gate.purge_all()
            await gate.aclose()

    asyncio.run(prepare())
    worker = Worker("redis", redis_url, prefix, "1", "500", str(BIG), "200")
    try:
        worker.wait_for_acks(400)
    finally:
        worker.kill()
    assert worker.proc.returncode == -9
    asyncio.run(check(list(worker.acked)))


def test_two_server_processes_against_one_redis_never_oversell(redis_url, tmp_path):
    # given 500 units, a limit of 3, and two processes whose 400 buyers overlap
    prefix = fresh_prefix()
    gun = tmp_path / "go"

    async def prepare():
        gate = RedisGate(redis_url, prefix=prefix)
        await _prepare(gate, 500, 3)
        await gate.aclose()

    asyncio.run(prepare())
    workers = [Worker("redis", redis_url, prefix, "1", "400", "1500", "100", str(gun)) for _ in range(2)]
    try:
        for w in workers:
            w.wait_for("READY")
        # when both claim at once, 3000 claims for 500 units
        gun.touch()
        done = [w.wait_for("DONE", timeout_s=120) for w in workers]
    finally:
        for w in workers:
            w.kill()
    # then exactly 500 reservations were acknowledged, each once, none over the limit
    acked = workers[0].acked + workers[1].acked
    assert len(acked) == len(set(acked)) == 500
    totals = Counter()
    for line in done:
        totals.update({k: int(v) for k, v in (part.split("=") for part in line.split()[1:])})
    assert totals["reserved"] == 500
    assert sum(totals.values()) == 3000

    async def check():
        gate = RedisGate(redis_url, prefix=prefix)
        try:
            assert await gate.counts(1) == GateCounts(0, 500, 0)
            await _check_survivors(gate, acked, 500, 3)
        finally:
            await gate.purge_all()
            await gate.aclose()

    asyncio.run(check())


@pytest.mark.anyio
async def test_after_redis_is_lost_the_gate_is_rebuilt_from_the_database(database, tmp_path):
    # given a private redis-server (never the shared one) and a gate on it
    server = PrivateRedis(tmp_path / "redis")
    if server.binary is None:
        missing("redis-server is not installed")
    server.start()
    gate = RedisGate(server.url, prefix="lp:gate:", timeout_s=2.0)
    try:
        assert await ensure_ready(database, gate)  # a new store: built from the (empty) database
        await gate.load(DropSpec(1, 200, 2, 600))
        await gate.open(1, T0)
        results = await asyncio.gather(*(gate.try_reserve(1, f"b{n % 100}", 1, f"k{n}", T0) for n in range(150)))
        acked = {r.reservation.id: r.reservation for r in results if r.outcome is ClaimOutcome.RESERVED}
        assert len(acked) == 150
        ids = sorted(acked)
        for rid in ids[:10]:
            await gate.confirm(rid, T0 + timedelta(minutes=1))
        for rid in ids[10:20]:
            await gate.release(rid, T0 + timedelta(minutes=1))
        before = sorted(await gate.reservations(1), key=lambda r: r.id)
        assert await gate.counts(1) == GateCounts(60, 130, 10)
        await reconcile_all(database, gate)
        # when Redis dies and comes back empty
        server.kill()
        server.start()
        # then the gate refuses to answer rather than answer wrongly
        with pytest.raises(GateUnavailable):
            await gate.try_reserve(1, "someone", 1, "during-outage", T0)
        assert not await gate.intact()
        # and once rebuilt from the database, every acknowledged reservation is there as it was
        assert await ensure_ready(database, gate)
        assert not await ensure_ready(database, gate)
        assert sorted(await gate.reservations(1), key=lambda r: r.id) == before
        assert await gate.counts(1) == GateCounts(60, 130, 10)
        await assert_books_balance(gate, 1, 200, 2)
        # and replays, limits and the rest of the stock behave as before the loss
        replay = await gate.try_reserve(1, "b0", 1, "k0", T0)
        assert (replay.replayed, replay.reservation.id) == (True, results[0].reservation.id)
        held = Counter(r.buyer_key for r in before if r.status is not ReservationStatus.RELEASED)
        full = min(b for b, n in held.items() if n == 2)
        assert (await gate.try_reserve(1, full, 1, "k-again", T0)).outcome is ClaimOutcome.LIMIT_REACHED
        more = await asyncio.gather(*(gate.try_reserve(1, f"n{n}", 1, f"m{n}", T0) for n in range(100)))
        assert Counter(r.outcome for r in more) == {ClaimOutcome.RESERVED: 60, ClaimOutcome.SOLD_OUT: 40}
        await assert_books_balance(gate, 1, 200, 2)
    finally:
        await gate.aclose()
        server.kill()
