"""The in-process gate's journal: nothing is answered before it is on disk, commits are
grouped, and a journal that cannot write stops the gate instead of lying."""
from __future__ import annotations

import asyncio
import sqlite3
import threading

import pytest

from liveport.flashsale.adapters.memory_gate import MemoryGate
from liveport.flashsale.domain import ClaimOutcome, DropSpec, GateUnavailable
from tests.integration.flashsale.gate_support import T0

pytestmark = pytest.mark.anyio


@pytest.fixture
async def gate(tmp_path):
    made = MemoryGate(tmp_path / "journal.sqlite3")
    await made.load(DropSpec(1, 100, 5, 600))
    await made.open(1, T0)
    yield made
    made._journal._write = lambda lines: None  # let a paused writer finish quickly
    await made.aclose()


def pause_writer(gate: MemoryGate) -> threading.Event:
    """Hold the journal's writer before its next commit until the event is set."""
    go = threading.Event()
    write = gate._journal._write

    def held(lines):
        go.wait(10)
        write(lines)

    gate._journal._write = held
    return go


async def test_an_answer_waits_until_its_record_is_committed(gate):
    go = pause_writer(gate)
    claim = asyncio.create_task(gate.try_reserve(1, "p", 1, "k", T0))
    await asyncio.sleep(0.1)
    assert not claim.done()
    # a replay of the same key must not get ahead of the disk either
    replay = asyncio.create_task(gate.try_reserve(1, "p", 1, "k", T0))
    await asyncio.sleep(0.05)
    assert not replay.done()
    go.set()
    first, again = await claim, await replay
    assert first.outcome is ClaimOutcome.RESERVED
    assert again.reservation.id == first.reservation.id
    kinds = [line.split("\t")[0] for line in gate._journal.records()]
    assert kinds == ["drop", "drop", "res"]


async def test_concurrent_claims_share_commits(gate):
    results = await asyncio.gather(*(gate.try_reserve(1, f"b{n}", 1, f"k{n}", T0) for n in range(100)))
    assert all(r.outcome is ClaimOutcome.RESERVED for r in results)
    # two records of loading and opening, then 100 claims in far fewer than 100 commits
    assert gate.journal_batches < 30


async def test_a_journal_that_cannot_write_stops_the_gate(gate):
    def broken(lines):
        raise sqlite3.OperationalError("disk I/O error")

    gate._journal._write = broken
    with pytest.raises(GateUnavailable) as caught:
        await gate.try_reserve(1, "p", 1, "k", T0)
    assert caught.value.code == "gate_journal_failed"
    with pytest.raises(GateUnavailable):
        await gate.try_reserve(1, "q", 1, "k2", T0)
    assert not await gate.intact()


def test_reads_racing_a_shutdown_fail_cleanly_instead_of_crashing(tmp_path):
    # given a journal with a few batches, read over and over from other threads
    from liveport.flashsale.adapters.journal import GroupCommitJournal, JournalClosed

    journal = GroupCommitJournal(tmp_path / "j.sqlite3", str)
    for n in range(50):
        journal._write(f"res\t{n}")
    outcomes: list[str] = []
    started = threading.Barrier(5)

    def reader() -> None:
        started.wait()
        while True:
            try:
                journal.read_after(0, 1000)
            except JournalClosed:
                outcomes.append("closed")
                return

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    started.wait()
    # when the journal closes while they read
    journal.close()
    for t in threads:
        t.join(10)
    # then every reader got the clear error, and the process is still alive
    assert outcomes == ["closed"] * 4
    with pytest.raises(JournalClosed):
        list(journal.records())
