"""A connection's bounded queue and what happens when its peer reads too slowly, with a
fake server ``send`` whose futures the test completes (or never completes)."""
from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest

from liveport.core.clock import utcnow
from liveport.realtime.adapters.memory_broker import MemoryBroker
from liveport.realtime.connection import CLOSE_TOO_SLOW, Connection
from liveport.realtime.domain import RoomRules, RoomState, Standing, event_body, event_ts
from liveport.realtime.hub import Hub

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Peer:
    """A fake server send: each call returns a future; ``auto`` completes them at once."""

    def __init__(self, auto: bool) -> None:
        self.auto = auto
        self.messages: list[dict[str, Any]] = []
        self.waiting: list[asyncio.Future[None]] = []

    def __call__(self, message: dict[str, Any]) -> asyncio.Future[None]:
        self.messages.append(message)
        future = asyncio.get_running_loop().create_future()
        if self.auto:
            future.set_result(None)
        else:
            self.waiting.append(future)
        return future

    def read_one(self) -> None:
        self.waiting.pop(0).set_result(None)

    def events(self) -> list[dict[str, Any]]:
        out = []
        for m in self.messages:
            if m["type"] == "websocket.send":
                out.extend(orjson.loads(line) for line in m["text"].split("\n"))
        return out

    def closed_with(self) -> int | None:
        return next((m["code"] for m in self.messages if m["type"] == "websocket.close"), None)


async def _room(rules: RoomRules) -> tuple[MemoryBroker, Hub]:
    broker = MemoryBroker()

    async def load(show_id: int) -> RoomState:
        return RoomState(seq=await broker.current_seq(f"show:{show_id}"))

    return broker, Hub(broker, load, rules)


async def _publish(broker: MemoryBroker, n: int) -> None:
    for i in range(n):
        await broker.publish("show:1", event_body("chat.message", {"id": i}, event_ts(utcnow())))
    for _ in range(3):
        await asyncio.sleep(0)  # deliveries run on the loop


async def test_a_stalled_viewer_never_delays_the_others():
    rules = RoomRules(queue_limit=64)
    broker, hub = await _room(rules)
    loop = asyncio.get_running_loop()
    fast, slow = Peer(auto=True), Peer(auto=False)
    for peer in (fast, slow):
        await hub.join(1, Connection(peer, None, Standing(), rules, loop))
    await _publish(broker, 50)
    await asyncio.sleep(0.01)
    fast_seqs = [e["seq"] for e in fast.events() if e["type"] != "snapshot"]
    # the fast viewer got every event in order; the stalled one holds one send in flight
    assert fast_seqs == list(range(1, 51))
    assert len(slow.messages) == 1 and slow.events()[0]["type"] == "snapshot"


async def test_a_viewer_that_falls_behind_drops_to_a_fresh_snapshot_then_continues():
    rules = RoomRules(queue_limit=8, max_resyncs_per_minute=100)
    broker, hub = await _room(rules)
    slow = Peer(auto=False)
    conn = Connection(slow, None, Standing(), rules, asyncio.get_running_loop())
    await hub.join(1, conn)
    await _publish(broker, 20)  # more than the queue holds: it overflows
    slow.read_one()  # the join snapshot is read at last
    await asyncio.sleep(0)
    assert [e["type"] for e in slow.events()] == ["snapshot", "snapshot"]
    assert slow.events()[1]["seq"] == 20  # as of now: the dropped events are in it
    await _publish(broker, 2)
    slow.auto = True
    slow.read_one()
    await asyncio.sleep(0.01)
    assert [e["seq"] for e in slow.events()][2:] == [21, 22]
    assert hub.stats()["resyncs"] == 1


async def test_a_viewer_that_keeps_falling_behind_is_disconnected():
    rules = RoomRules(queue_limit=4, max_resyncs_per_minute=2)
    broker, hub = await _room(rules)
    slow = Peer(auto=False)
    conn = Connection(slow, None, Standing(), rules, asyncio.get_running_loop())
    await hub.join(1, conn)
    for _ in range(3):  # it reads, but never fast enough
        await _publish(broker, 6)
        if not conn.closed:
            slow.read_one()
            await asyncio.sleep(0)
    assert conn.closed and slow.closed_with() == CLOSE_TOO_SLOW
    assert hub.stats()["connections"] == 0


async def test_a_send_stalled_too_long_closes_the_connection_at_the_next_sweep():
    rules = RoomRules(stall_close_s=0.0)
    _, hub = await _room(rules)
    slow = Peer(auto=False)
    conn = Connection(slow, None, Standing(), rules, asyncio.get_running_loop())
    await hub.join(1, conn)
    await asyncio.sleep(0.01)
    await hub.sweep()
    assert conn.closed and slow.closed_with() == CLOSE_TOO_SLOW


async def test_a_viewer_catching_up_gets_the_waiting_events_in_one_message():
    rules = RoomRules(queue_limit=100)
    broker, hub = await _room(rules)
    peer = Peer(auto=False)
    await hub.join(1, Connection(peer, None, Standing(), rules, asyncio.get_running_loop()))
    await _publish(broker, 5)
    peer.auto = True
    peer.read_one()
    await asyncio.sleep(0.01)
    assert len(peer.messages) == 2  # the snapshot, then five events in one message
    assert [e["seq"] for e in peer.events()] == [0, 1, 2, 3, 4, 5]


async def test_each_event_is_serialized_once_for_all_viewers():
    rules = RoomRules()
    broker, hub = await _room(rules)
    peers = [Peer(auto=True) for _ in range(3)]
    for peer in peers:
        await hub.join(1, Connection(peer, None, Standing(), rules, asyncio.get_running_loop()))
    await _publish(broker, 1)
    sent = [peer.messages[1] for peer in peers]
    assert sent[0] is sent[1] is sent[2]  # one message object, one string, for every viewer
