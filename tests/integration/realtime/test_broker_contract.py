"""The broker contract (liveport/realtime/ports.py), on the in-process broker and on Redis.
For Redis, two broker instances on one key prefix stand for two server processes (the
OS-process version is test_two_processes.py). Redis keys live under a prefix of the
test's own and are deleted by SCAN afterwards (never a FLUSH)."""
from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
import redis.asyncio as aioredis

from liveport.core.clock import utcnow
from liveport.realtime.adapters.memory_broker import MemoryBroker
from liveport.realtime.adapters.redis_broker import RedisBroker
from liveport.realtime.domain import counter_body_parts, event_body, event_ts
from liveport.realtime.ports import Broker

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Brokers:
    def __init__(self, kind: str, redis_url: str | None) -> None:
        self.kind, self.url = kind, redis_url
        self.prefix = f"lp:test:room:{secrets.token_hex(4)}:"
        self.made: list[Broker] = []
        self._memory = MemoryBroker()

    def new(self) -> Broker:
        """Another server process's broker (the same one, in process)."""
        broker: Broker = self._memory if self.kind == "memory" else RedisBroker(self.url or "", prefix=self.prefix)
        self.made.append(broker)
        return broker

    async def close(self) -> None:
        for broker in {id(b): b for b in self.made}.values():
            await broker.aclose()
        if self.kind == "redis":
            client = aioredis.Redis.from_url(self.url or "")
            keys = [k async for k in client.scan_iter(match=self.prefix + "*", count=500)]
            if keys:
                await client.delete(*keys)
            await client.aclose()


@pytest.fixture(params=["memory", "redis"])
async def brokers(request: pytest.FixtureRequest) -> AsyncIterator[Brokers]:
    url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    made = Brokers(request.param, url)
    try:
        yield made
    finally:
        await made.close()


class Inbox:
    def __init__(self) -> None:
        self.frames: list[tuple[int, dict[str, Any]]] = []
        self.signals: list[bytes] = []

    def __call__(self, channel: str, seq: int, raw: bytes) -> None:
        if seq == 0:
            self.signals.append(raw)
        else:
            self.frames.append((seq, orjson.loads(raw)))

    async def wait_for(self, n: int, timeout_s: float = 5.0) -> None:
        async def enough() -> None:
            while len(self.frames) < n:
                await asyncio.sleep(0.005)
        await asyncio.wait_for(enough(), timeout_s)


def body(n: int) -> bytes:
    return event_body("chat.message", {"id": n}, event_ts(utcnow()))


async def test_publish_assigns_consecutive_seq_and_delivers_in_order(brokers):
    broker = brokers.new()
    inbox = Inbox()
    await broker.subscribe("show:1", inbox)
    seqs = [await broker.publish("show:1", body(n)) for n in range(10)]
    other = await broker.publish("show:2", body(99))  # another channel, its own sequence
    await inbox.wait_for(10)
    assert seqs == list(range(1, 11)) and other == 1
    assert [(s, f["seq"], f["data"]["id"]) for s, f in inbox.frames] == [(n + 1, n + 1, n) for n in range(10)]
    assert await broker.current_seq("show:1") == 10


async def test_every_process_gets_every_event_once_in_the_same_order(brokers):
    # given two server processes' brokers, both subscribed, both publishing
    first, second = brokers.new(), brokers.new()
    inbox_1, inbox_2 = Inbox(), Inbox()
    await first.subscribe("show:1", inbox_1)
    if second is not first:
        await second.subscribe("show:1", inbox_2)
    await asyncio.gather(*(b.publish("show:1", body(n)) for n in range(50) for b in (first, second)))
    await inbox_1.wait_for(100)
    if second is not first:
        await inbox_2.wait_for(100)
        assert inbox_2.frames == inbox_1.frames
    await asyncio.sleep(0.05)
    assert [s for s, _ in inbox_1.frames] == list(range(1, 101))  # exactly once, in order


async def test_likes_are_totalled_and_published_at_most_once_per_interval(brokers):
    first, second = brokers.new(), brokers.new()
    inbox = Inbox()
    await first.subscribe("show:1", inbox)
    parts = counter_body_parts("like.total", "total", event_ts(utcnow()))
    one = await first.add_likes("show:1", 10, 300, parts)
    two = await second.add_likes("show:1", 5, 300, parts)  # too soon: held back
    await asyncio.sleep(0.35)
    three = await second.add_likes("show:1", 0, 300, parts)  # the next flush publishes it
    four = await first.add_likes("show:1", 0, 300, parts)  # nothing new: nothing sent
    await inbox.wait_for(2)
    assert (one.total, one.held_back, one.published_seq) == (10, False, 1)
    assert (two.total, two.held_back, two.published_seq) == (15, True, None)
    assert (three.total, three.held_back, three.published_seq) == (15, False, 2)
    assert (four.total, four.published_seq) == (15, None)
    assert [f["data"] for _, f in inbox.frames] == [{"total": 10}, {"total": 15}]
    assert await second.like_total("show:1") == 15


async def test_presence_is_summed_over_live_processes(brokers):
    first, second = brokers.new(), brokers.new()
    inbox = Inbox()
    await first.subscribe("show:1", inbox)
    parts = counter_body_parts("viewers.count", "count", event_ts(utcnow()))
    a = await first.report_presence("show:1", "proc-a", 30, 5_000, 0, parts)
    await asyncio.sleep(0.01)  # past the shortest interval (Redis holds a total back 1 ms)
    b = await second.report_presence("show:1", "proc-b", 12, 5_000, 0, parts)
    await asyncio.sleep(0.01)
    same = await second.report_presence("show:1", "proc-b", 12, 5_000, 0, parts)
    await asyncio.sleep(0.3)
    # proc-a stopped reporting (it crashed): after stale_ms it no longer counts
    stale = await second.report_presence("show:1", "proc-b", 12, 200, 0, parts)
    await inbox.wait_for(3)
    assert [a.total, b.total, same.total, stale.total] == [30, 42, 42, 12]
    assert same.published_seq is None  # unchanged: nothing sent
    assert [f["data"] for _, f in inbox.frames] == [{"count": 30}, {"count": 42}, {"count": 12}]
    assert await first.viewer_count("show:1", 5_000) == 12


async def test_signals_reach_subscribers_outside_the_sequence(brokers):
    broker = brokers.new()
    inbox = Inbox()
    await broker.subscribe("show:1", inbox)
    await broker.signal("show:1", b'{"kick":[1]}')
    await broker.publish("show:1", body(1))
    await inbox.wait_for(1)
    await asyncio.sleep(0.05)
    assert inbox.signals == [b'!{"kick":[1]}']
    assert [s for s, _ in inbox.frames] == [1]


async def test_the_shared_rate_counter(brokers):
    first, second = brokers.new(), brokers.new()
    answers = [await b.allow("chat:7", 3, 60) for b in (first, second, first, second)]
    assert answers[:3] == [0, 0, 0] and answers[3] >= 1
