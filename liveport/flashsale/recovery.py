"""Bringing the database level with the gate, and the gate back after its store was lost.

Async because the gate is; the database work runs in a thread (``gate_sync``'s use cases,
one transaction each) so the event loop that serves claims never waits on SQL.
"""
from __future__ import annotations

import asyncio
import logging

from liveport.core.db import Database
from liveport.flashsale import gate_sync
from liveport.flashsale.domain import GateUnavailable
from liveport.flashsale.ports import FlashSaleGate

log = logging.getLogger("liveport.flashsale.recovery")


async def reconcile_once(db: Database, gate: FlashSaleGate, *, limit: int = 5000) -> int:
    """Copy the next batch of the gate's change feed; returns how many changes it copied."""
    after = await asyncio.to_thread(gate_sync.feed_position, db, gate.source)
    batch = await gate.read_changes(after, limit)
    if not batch.changes:
        return 0
    if not await asyncio.to_thread(gate_sync.apply_gate_changes, db, gate.source, after, batch):
        return 0  # another reconciler copied this stretch
    await gate.trim_changes(batch.position)
    return len(batch.changes)


async def reconcile_all(db: Database, gate: FlashSaleGate, *, limit: int = 5000) -> int:
    total = 0
    while copied := await reconcile_once(db, gate, limit=limit):
        total += copied
    return total


async def rebuild_from_database(db: Database, gate: FlashSaleGate) -> None:
    """Restore the gate from the database's copy; the feed then starts afresh."""
    drops, reservations = await asyncio.to_thread(gate_sync.gate_snapshot, db)
    await gate.restore(drops, reservations)
    await asyncio.to_thread(gate_sync.reset_feed_position, db, gate.source)
    log.warning("flash-sale gate %s rebuilt from the database: %d drops, %d reservations",
                gate.source, len(drops), len(reservations))


async def ensure_ready(db: Database, gate: FlashSaleGate) -> bool:
    """Rebuild the gate if its store lost its state; True when it did. Whatever a store that
    still answers holds is copied to the database first, so a rebuild never drops it."""
    if await gate.intact():
        return False
    try:
        await reconcile_all(db, gate)
    except GateUnavailable:
        pass
    await rebuild_from_database(db, gate)
    return True
