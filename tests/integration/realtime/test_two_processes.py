"""Two real server processes (granian, loopback ports) sharing rooms through Redis: every
viewer, on either process, gets every event exactly once and in seq order; viewer counts
and like totals add up across processes; a ban made through one process closes the
person's socket on the other.

Each run seeds its own data dir (SQLite, shared by both processes) and puts every Redis key
under a prefix of its own, deleted afterwards by SCAN."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from liveport.realtime.bench_stage import Servers, Stage, prepare

pytestmark = [pytest.mark.redis, pytest.mark.timeout(180)]


@pytest.fixture
def two_servers(redis_url: str) -> Iterator[tuple[Stage, int, int]]:
    stage = prepare(signed_in=6)
    servers = Servers(stage)
    try:
        _, first = servers.liveport(redis_url=redis_url)
        _, second = servers.liveport(redis_url=redis_url)
        yield stage, first, second
    finally:
        servers.close(redis_url)


class Viewer:
    def __init__(self, ws: ClientConnection, name: str) -> None:
        self.ws, self.name = ws, name
        self.start = 0
        self.events: list[dict[str, Any]] = []
        self.closed_code: int | None = None

    async def read(self) -> None:
        try:
            async for message in self.ws:
                for line in str(message).split("\n"):
                    event = orjson.loads(line)
                    if event["type"] == "snapshot" and not self.start:
                        self.start = event["seq"]
                    elif event["seq"] is not None and event["type"] != "snapshot":
                        self.events.append(event)
        except ConnectionClosed as closed:
            self.closed_code = closed.rcvd.code if closed.rcvd else None
        else:
            self.closed_code = self.ws.close_code

    def saw(self, event_type: str, **data: Any) -> bool:
        return any(e["type"] == event_type and all(e["data"].get(k) == v for k, v in data.items())
                   for e in self.events)


async def _eventually(check, timeout_s: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def _scenario(stage: Stage, ports: tuple[int, int]) -> tuple[list[Viewer], dict[str, Any]]:
    path = f"/ws/shows/{stage.show_id}"
    # three viewers on each process: two signed-in buyers and one anonymous
    plan = [(ports[i % 2], stage.tokens[i] if i < 4 else None) for i in range(6)]
    viewers: list[Viewer] = []
    for n, (port, token) in enumerate(plan):
        url = f"ws://127.0.0.1:{port}{path}" + (f"?token={token}" if token else "")
        viewers.append(Viewer(await connect(url, max_queue=None), f"v{n}@{port}"))
    readers = [asyncio.create_task(v.read()) for v in viewers]
    await _eventually(lambda: all(v.start or v.events for v in viewers))
    await _eventually(lambda: all(v.saw("viewers.count", count=6) for v in viewers))
    host = {"Authorization": f"Bearer {stage.host_token}"}
    moderator = {"Authorization": f"Bearer {stage.moderator_token}"}
    async with httpx.AsyncClient(timeout=10) as http:
        # events published through both processes, interleaved
        for n in range(10):
            await viewers[n % 2].ws.send(orjson.dumps({"type": "chat", "text": f"chat {n}"}).decode())
        await http.put(f"http://127.0.0.1:{ports[1]}/api/v1/shows/{stage.show_id}/pin", headers=host,
                       json={"product_id": stage.lineup[2]})
        await http.post(f"http://127.0.0.1:{ports[0]}/api/v1/shows/{stage.show_id}/announcements",
                        headers=host, json={"text": "两个进程，一个直播间"})
        await viewers[0].ws.send('{"type":"like","count":5}')
        await viewers[1].ws.send('{"type":"like","count":7}')
        await _eventually(lambda: all(v.saw("like.total", total=12) for v in viewers))
        await _eventually(lambda: all(sum(e["type"] == "chat.message" for e in v.events) == 10 for v in viewers))
        # a ban made through the first process closes the buyer's socket on the second
        banned = viewers[3]  # stage.tokens[3], connected to the second process
        me = await http.get(f"http://127.0.0.1:{ports[1]}/api/v1/me",
                            headers={"Authorization": f"Bearer {stage.tokens[3]}"})
        ban = await http.post(f"http://127.0.0.1:{ports[0]}/api/v1/shows/{stage.show_id}/sanctions",
                              headers=moderator, json={"user_id": me.json()["id"], "kind": "ban"})
        await _eventually(lambda: banned.closed_code is not None)
        snapshot = (await http.get(f"http://127.0.0.1:{ports[1]}/api/v1/shows/{stage.show_id}/room")).json()
    await asyncio.sleep(0.5)
    for viewer in viewers:
        await viewer.ws.close()
    await asyncio.gather(*readers)
    return viewers, {"ban": ban.status_code, "banned_code": banned.closed_code, "snapshot": snapshot}


def test_two_server_processes_share_every_room_through_redis(two_servers):
    stage, first, second = two_servers
    viewers, outcome = asyncio.run(_scenario(stage, (first, second)))
    # every viewer: consecutive seq from its snapshot on, nothing twice, nothing missing,
    # and the chat in one order for all (Redis's, not the order of the two senders)
    chat_order = [e["data"]["text"] for e in viewers[0].events if e["type"] == "chat.message"]
    assert sorted(chat_order) == [f"chat {n}" for n in range(10)]
    for viewer in viewers:
        seqs = [e["seq"] for e in viewer.events]
        assert seqs == list(range(viewer.start + 1, viewer.start + 1 + len(seqs))), viewer.name
        assert [e["data"]["text"] for e in viewer.events if e["type"] == "chat.message"] == chat_order
        assert viewer.saw("pin.set", product_id=stage.lineup[2])
        assert viewer.saw("host.announcement", text="两个进程，一个直播间")
    # and the same event at the same seq, whichever process relayed it
    by_seq: dict[int, dict[str, Any]] = {}
    for viewer in viewers:
        for event in viewer.events:
            assert by_seq.setdefault(event["seq"], event) == event, viewer.name
    assert outcome["ban"] == 201 and outcome["banned_code"] == 4403
    assert outcome["snapshot"]["likes"] == 12
    assert outcome["snapshot"]["pinned"]["product_id"] == stage.lineup[2]
