"""Gate fixtures: every contract test runs once on the in-process gate, once on Redis.

Redis runs at the shared ``redis_url`` database under a key prefix of the test's own,
deleted afterwards by SCAN (never a FLUSH)."""
from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from liveport.flashsale.adapters.memory_gate import MemoryGate
from liveport.flashsale.adapters.redis_gate import RedisGate
from liveport.flashsale.ports import FlashSaleGate
from tests.integration.flashsale.gate_support import fresh_prefix


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Gates:
    """Builds gates of one kind. ``new()`` = another handle on the same store (a restarted
    process, or a second server process for Redis); ``empty()`` = a store of its own."""

    def __init__(self, kind: str, tmp_path: Path, redis_url: str | None) -> None:
        self.kind = kind
        self._tmp = tmp_path
        self._redis_url = redis_url
        self._journal = tmp_path / "gate-journal.sqlite3"
        self._prefix = fresh_prefix()
        self._made: list[FlashSaleGate] = []
        self._prefixes = [self._prefix]

    async def new(self) -> FlashSaleGate:
        return await self._make(self._journal, self._prefix)

    def another_process(self) -> RedisGate:
        """A Redis gate on the same store, to be built, used and closed in another event
        loop (a connection pool belongs to the loop that made it)."""
        assert self.kind == "redis" and self._redis_url is not None
        return RedisGate(self._redis_url, prefix=self._prefix)

    async def empty(self) -> FlashSaleGate:
        self._prefixes.append(fresh_prefix())
        return await self._make(self._tmp / f"gate-{len(self._prefixes)}.sqlite3", self._prefixes[-1])

    async def restart(self, gate: FlashSaleGate) -> FlashSaleGate:
        await gate.aclose()
        self._made.remove(gate)
        return await self.new()

    async def _make(self, journal: Path, prefix: str) -> FlashSaleGate:
        gate: FlashSaleGate
        if self.kind == "memory":
            gate = MemoryGate(journal)
        else:
            assert self._redis_url is not None
            gate = RedisGate(self._redis_url, prefix=prefix)
            if not await gate.intact():
                await gate.restore([], [])  # a new store: nothing to rebuild
        self._made.append(gate)
        return gate

    async def close(self) -> None:
        for gate in self._made:
            if isinstance(gate, RedisGate):
                await gate.purge_all()
        for prefix in self._prefixes[1:] if self.kind == "redis" else []:
            cleaner = RedisGate(self._redis_url or "", prefix=prefix)
            await cleaner.purge_all()
            await cleaner.aclose()
        for gate in self._made:
            await gate.aclose()


@pytest.fixture(params=["memory", "redis"])
async def gates(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Gates]:
    url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    made = Gates(request.param, tmp_path, url)
    try:
        yield made
    finally:
        await made.close()


@pytest.fixture
async def gate(gates: Gates) -> FlashSaleGate:
    return await gates.new()


# ---- the HTTP application with the flash-sale routes ------------------------------------

class RoomFeed:
    """Collects what the gate tells the live room."""

    def __init__(self) -> None:
        self.events: list[tuple[int, str, dict]] = []

    def publish(self, drop_id: int, event_type: str, data: dict) -> None:
        self.events.append((drop_id, event_type, data))


@pytest.fixture
def room() -> RoomFeed:
    return RoomFeed()


@pytest.fixture(params=["memory", "redis"])
def flash_client(request: pytest.FixtureRequest, settings, app_context, room, monkeypatch):
    """A client of the app on the in-process gate and on Redis."""
    from fastapi.testclient import TestClient

    import liveport.app as app_module
    from liveport.flashsale import lifecycle

    prefix = None
    if request.param == "redis":
        # Only the gate goes to Redis; rate limits stay in-process (their keys would carry
        # over between tests, whose user ids start at 1 again).
        prefix = fresh_prefix()
        app_context.settings = settings.model_copy(update={
            "redis_url": request.getfixturevalue("redis_url"), "flashsale_redis_prefix": prefix})
    # The test's feed takes the room's place (the real-time hook puts its own publisher
    # under PUBLISHER_KEY); the gate's hook reads the key when it starts.
    monkeypatch.setattr(lifecycle, "PUBLISHER_KEY", "test_room_feed")
    app_context.extras["test_room_feed"] = room
    app = app_module.create_app(app_context.settings, context=app_context)
    with TestClient(app) as client:
        client.gate_kind = request.param  # type: ignore[attr-defined]
        yield client
        if prefix is not None:
            client.portal.call(app_context.extras["flashsale_gate"].purge_all)
