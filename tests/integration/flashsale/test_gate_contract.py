"""One contract, two gates (DESIGN.md §4): the in-process gate with its journal, and Redis.

Every test runs on both (the ``gates`` fixture). Buyers are buyer keys (identity hashes);
"accounts" of one person share a key. Times are fixed instants, never the wall clock.
"""
from __future__ import annotations

import asyncio
import threading
from collections import Counter
from datetime import timedelta

import pytest

from liveport.core.errors import ValidationFailed
from liveport.flashsale.domain import (
    ClaimOutcome,
    DropClosed,
    DropNotLoaded,
    DropSpec,
    DropSpecConflict,
    DropState,
    GateCounts,
    ReservationNotFound,
    ReservationReleased,
    ReservationSold,
    ReservationStatus,
    to_ms,
)
from tests.integration.flashsale.gate_support import T0, assert_books_balance

pytestmark = pytest.mark.anyio

RESERVED, SOLD_OUT, LIMIT = ClaimOutcome.RESERVED, ClaimOutcome.SOLD_OUT, ClaimOutcome.LIMIT_REACHED
HOLD_S = 600


async def open_drop(gate, drop_id=1, quantity=100, limit=2, closes_at_ms=None):
    await gate.load(DropSpec(drop_id, quantity, limit, HOLD_S, closes_at_ms))
    return await gate.open(drop_id, T0)


async def test_many_concurrent_claimers_get_exactly_the_stock(gate):
    # given 100 units and 300 buyers tapping at once
    await open_drop(gate, quantity=100, limit=2)
    # when they all claim one unit concurrently
    results = await asyncio.gather(*(gate.try_reserve(1, f"buyer-{n}", 1, f"k{n}", T0) for n in range(300)))
    # then exactly 100 got a unit, the rest were told sold out, and nothing is left
    assert Counter(r.outcome for r in results) == {RESERVED: 100, SOLD_OUT: 200}
    assert len({r.reservation.id for r in results if r.reservation}) == 100
    assert await gate.counts(1) == GateCounts(0, 100, 0)
    assert [r.on_sale for r in results if r.outcome is SOLD_OUT] == [0] * 200
    await assert_books_balance(gate, 1, 100, 2)


async def test_claimers_in_four_threads_never_oversell(gates):
    # given 60 units, each buyer allowed 3, and four threads each with its own event loop
    # (and for Redis its own connection pool: four server processes in miniature)
    first = await gates.new()
    await open_drop(first, quantity=60, limit=3)
    outcomes: Counter[ClaimOutcome] = Counter()
    units: list[int] = []
    lock = threading.Lock()

    async def burst(t):
        gate = first if gates.kind == "memory" else gates.another_process()
        results = await asyncio.gather(*(
            gate.try_reserve(1, f"b{n % 25}", 1 + n % 3, f"t{t}-{n}", T0) for n in range(80)))
        if gate is not first:
            await gate.aclose()
        with lock:
            outcomes.update(r.outcome for r in results)
            units.extend(r.reservation.qty for r in results if r.reservation)

    # when they all claim mixed quantities at once
    threads = [threading.Thread(target=asyncio.run, args=(burst(t),)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then every unit went at most once, no buyer holds more than 3, and the books balance
    counts = await first.counts(1)
    assert sum(units) == counts.reserved == 60 - counts.on_sale
    assert counts.on_sale < 3  # a claim of one more unit would only fail for want of it
    assert outcomes[RESERVED] == len(units)
    assert sum(outcomes.values()) == 320
    await assert_books_balance(first, 1, 60, 3)


async def test_the_limit_counts_the_person_not_the_account(gate):
    # given a person with five accounts (one identity, one buyer key) and a limit of 2
    await open_drop(gate, quantity=100, limit=2)
    # when each account claims one unit at the same time
    results = await asyncio.gather(*(gate.try_reserve(1, "person-1", 1, f"acct{a}", T0) for a in range(5)))
    # then the person got two units in all and three refusals
    assert Counter(r.outcome for r in results) == {RESERVED: 2, LIMIT: 3}
    # and one claim of 3 units is over the limit by itself
    assert (await gate.try_reserve(1, "person-2", 3, "big", T0)).outcome is LIMIT
    # and another person is not affected
    assert (await gate.try_reserve(1, "person-3", 2, "k", T0)).outcome is RESERVED
    assert await gate.counts(1) == GateCounts(96, 4, 0)


async def test_a_released_reservation_gives_the_allowance_back(gate):
    await open_drop(gate, quantity=10, limit=1)
    first = await gate.try_reserve(1, "p", 1, "a", T0)
    assert (await gate.try_reserve(1, "p", 1, "b", T0)).outcome is LIMIT
    await gate.release(first.reservation.id, T0)
    assert (await gate.try_reserve(1, "p", 1, "c", T0)).outcome is RESERVED


async def test_the_same_key_always_gets_the_same_answer(gates):
    gate = await gates.new()
    await open_drop(gate, quantity=2, limit=5)
    # given ten concurrent retries of one claim
    results = await asyncio.gather(*(gate.try_reserve(1, "p", 2, "same", T0) for _ in range(10)))
    # then one reservation was made and all ten answers name it
    assert {r.reservation.id for r in results} == {results[0].reservation.id}
    assert sum(not r.replayed for r in results) == 1
    assert await gate.counts(1) == GateCounts(0, 2, 0)
    # and a refusal is also remembered: sold out stays sold out even after stock returns
    refused = await gate.try_reserve(1, "q", 1, "late", T0)
    assert refused.outcome is SOLD_OUT
    await gate.release(results[0].reservation.id, T0 + timedelta(seconds=1))
    again = await gate.try_reserve(1, "q", 1, "late", T0 + timedelta(seconds=2))
    assert (again.outcome, again.replayed) == (SOLD_OUT, True)
    # and a replay of the released claim names the same reservation, now released
    replay = await gate.try_reserve(1, "p", 2, "same", T0 + timedelta(seconds=3))
    assert (replay.outcome, replay.reservation.id) == (RESERVED, results[0].reservation.id)
    assert replay.reservation.status is ReservationStatus.RELEASED
    assert replay.reservation.expires_ms == results[0].reservation.expires_ms
    # when the server restarts
    gate = await gates.restart(gate)
    # then both keys still get the same answers
    after = await gate.try_reserve(1, "p", 2, "same", T0)
    assert after.reservation.id == results[0].reservation.id
    assert (await gate.try_reserve(1, "q", 1, "late", T0)).outcome is SOLD_OUT
    assert await gate.counts(1) == GateCounts(2, 0, 0)


async def test_the_key_belongs_to_the_buyer(gate):
    await open_drop(gate, quantity=5, limit=5)
    mine = await gate.try_reserve(1, "p", 1, "k", T0)
    theirs = await gate.try_reserve(1, "q", 1, "k", T0)
    assert mine.reservation.id != theirs.reservation.id
    assert not theirs.replayed


async def test_confirm_and_release_move_units_and_keep_the_books(gate):
    await open_drop(gate, quantity=10, limit=5)
    a = (await gate.try_reserve(1, "p", 3, "a", T0)).reservation
    b = (await gate.try_reserve(1, "q", 2, "b", T0)).reservation
    assert await gate.counts(1) == GateCounts(5, 5, 0)
    # when a is paid (twice: payment notifications repeat) and b is released (twice)
    paid = await gate.confirm(a.id, T0 + timedelta(minutes=1))
    assert await gate.confirm(a.id, T0 + timedelta(minutes=2)) == paid
    released = await gate.release(b.id, T0 + timedelta(minutes=1))
    assert await gate.release(b.id, T0 + timedelta(minutes=2)) == released
    # then a's units are sold, b's are back on sale
    assert (paid.status, paid.settled_ms) == (ReservationStatus.SOLD, to_ms(T0 + timedelta(minutes=1)))
    assert released.status is ReservationStatus.RELEASED
    assert await gate.counts(1) == GateCounts(7, 0, 3)
    # and the wrong way round is refused
    with pytest.raises(ReservationSold):
        await gate.release(a.id, T0)
    with pytest.raises(ReservationReleased):
        await gate.confirm(b.id, T0)
    with pytest.raises(ReservationNotFound):
        await gate.confirm("r1-doesnotexist", T0)
    with pytest.raises(ReservationNotFound):
        await gate.release("garbage", T0)
    assert await gate.get(a.id) == paid
    assert await gate.get("r1-doesnotexist") is None
    await assert_books_balance(gate, 1, 10, 5)


async def test_unpaid_reservations_expire_and_go_back_on_sale(gate):
    await open_drop(gate, quantity=10, limit=5)
    early = (await gate.try_reserve(1, "p", 2, "a", T0)).reservation
    late = (await gate.try_reserve(1, "q", 3, "b", T0 + timedelta(minutes=5))).reservation
    paid = (await gate.try_reserve(1, "r", 1, "c", T0)).reservation
    await gate.confirm(paid.id, T0)
    assert early.expires_at == T0 + timedelta(seconds=HOLD_S)
    # nothing is due a moment before the hold runs out
    assert await gate.expire_due(early.expires_at - timedelta(milliseconds=1)) == []
    # when the first hold runs out
    expired = await gate.expire_due(early.expires_at)
    # then only that reservation went back on sale
    assert [(r.id, r.status) for r in expired] == [(early.id, ReservationStatus.RELEASED)]
    assert await gate.counts(1) == GateCounts(6, 3, 1)
    assert await gate.expire_due(early.expires_at) == []
    # and later the second one too; the paid one never expires
    assert [r.id for r in await gate.expire_due(T0 + timedelta(hours=1))] == [late.id]
    assert await gate.counts(1) == GateCounts(9, 0, 1)
    await assert_books_balance(gate, 1, 10, 5)


async def test_expiry_releases_at_most_the_limit_per_call(gate):
    await open_drop(gate, quantity=10, limit=10)
    for n in range(5):
        await gate.try_reserve(1, "p", 1, f"k{n}", T0)
    assert len(await gate.expire_due(T0 + timedelta(hours=1), limit=3)) == 3
    assert len(await gate.expire_due(T0 + timedelta(hours=1), limit=3)) == 2
    assert await gate.counts(1) == GateCounts(10, 0, 0)


async def test_refusals_name_their_reason(gate):
    await gate.load(DropSpec(1, 5, 2, HOLD_S, closes_at_ms=to_ms(T0 + timedelta(hours=1))))
    # scheduled: not open yet
    assert (await gate.try_reserve(1, "p", 1, "k1", T0)).outcome is ClaimOutcome.NOT_OPEN
    # opened with a 10-second countdown: not open until it ends, open from then on
    status = await gate.open(1, T0, countdown_s=10)
    assert (status.state, status.opens_at_ms) == (DropState.COUNTDOWN, to_ms(T0) + 10_000)
    assert (await gate.try_reserve(1, "p", 1, "k2", T0 + timedelta(seconds=9))).outcome is ClaimOutcome.NOT_OPEN
    assert (await gate.try_reserve(1, "p", 1, "k3", T0 + timedelta(seconds=10))).outcome is RESERVED
    # opening again keeps the first countdown
    assert (await gate.open(1, T0 + timedelta(seconds=30))).opens_at_ms == to_ms(T0) + 10_000
    # past the closing time: closed
    late = T0 + timedelta(hours=1)
    assert (await gate.try_reserve(1, "q", 1, "k4", late)).outcome is ClaimOutcome.CLOSED
    # closed by the host: closed, and it cannot be opened again
    closed = await gate.close(1, T0 + timedelta(seconds=20))
    assert closed.state is DropState.CLOSED
    assert (await gate.try_reserve(1, "q", 1, "k5", T0 + timedelta(seconds=21))).outcome is ClaimOutcome.CLOSED
    assert (await gate.close(1, T0 + timedelta(seconds=22))).state is DropState.CLOSED
    with pytest.raises(DropClosed):
        await gate.open(1, T0)


async def test_a_sold_out_drop_says_sold_out_even_to_a_buyer_at_the_limit(gate):
    await open_drop(gate, quantity=2, limit=2)
    await gate.try_reserve(1, "p", 2, "a", T0)
    assert (await gate.try_reserve(1, "p", 1, "b", T0)).outcome is SOLD_OUT
    # and a claim for more than is left says sold out, with what is left
    await gate.load(DropSpec(2, 3, 5, HOLD_S))
    await gate.open(2, T0)
    await gate.try_reserve(2, "p", 2, "a", T0)
    short = await gate.try_reserve(2, "q", 2, "b", T0)
    assert (short.outcome, short.on_sale) == (SOLD_OUT, 1)


async def test_bad_calls_are_refused(gate):
    with pytest.raises(DropNotLoaded):
        await gate.try_reserve(99, "p", 1, "k", T0)
    await open_drop(gate)
    for qty in (0, -1, 1001):
        with pytest.raises(ValidationFailed) as caught:
            await gate.try_reserve(1, "p", qty, "k", T0)
        assert caught.value.code == "invalid_quantity"
    for key in ("", "has space", "x" * 129, "tab\tkey"):
        with pytest.raises(ValidationFailed) as caught:
            await gate.try_reserve(1, "p", 1, key, T0)
        assert caught.value.code == "invalid_idempotency_key"
    with pytest.raises(DropNotLoaded):
        await gate.open(99, T0)
    with pytest.raises(DropNotLoaded):
        await gate.counts(99)
    assert await gate.status(99) is None


async def test_loading_is_idempotent_and_the_spec_is_fixed(gate):
    spec = DropSpec(1, 10, 2, HOLD_S)
    first = await gate.load(spec)
    assert (first.state, first.counts) == (DropState.SCHEDULED, GateCounts(10, 0, 0))
    await gate.open(1, T0)
    again = await gate.load(spec)
    assert again.state is DropState.OPEN
    with pytest.raises(DropSpecConflict):
        await gate.load(DropSpec(1, 11, 2, HOLD_S))


async def test_a_restart_keeps_everything(gates):
    gate = await gates.new()
    await open_drop(gate, quantity=20, limit=3)
    made = [await gate.try_reserve(1, f"b{n}", 1 + n % 2, f"k{n}", T0) for n in range(12)]
    await gate.confirm(made[0].reservation.id, T0)
    await gate.release(made[1].reservation.id, T0)
    before = sorted(await gate.reservations(1), key=lambda r: r.id)
    counts = await gate.counts(1)
    # when the process restarts
    gate = await gates.restart(gate)
    # then the drop, its counts and every reservation are as they were
    assert (await gate.status(1)).state is DropState.OPEN
    assert await gate.counts(1) == counts
    assert sorted(await gate.reservations(1), key=lambda r: r.id) == before
    await assert_books_balance(gate, 1, 20, 3)


async def test_a_forgotten_drop_is_gone(gates):
    gate = await gates.new()
    await open_drop(gate)
    await gate.try_reserve(1, "p", 1, "k", T0)
    await gate.forget(1)
    assert await gate.status(1) is None
    gate = await gates.restart(gate)
    assert await gate.status(1) is None
