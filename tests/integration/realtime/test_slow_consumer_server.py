"""Slow-consumer isolation on a real server (granian, loopback): a viewer whose socket is
never read neither delays the others nor stays in the room once its send has stalled."""
from __future__ import annotations

import asyncio
import base64
import os
import socket
import time
from collections.abc import Iterator

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect

from liveport.realtime.bench_stage import Servers, Stage, prepare

pytestmark = pytest.mark.timeout(120)
ANNOUNCEMENTS = 1600  # 2.4 MB: more than the kernel buffers a socket that is never read
TEXT = "松子" * 250  # 1.5 kB: the stalled socket's buffers fill fast


@pytest.fixture
def server() -> Iterator[tuple[Stage, int]]:
    stage = prepare(signed_in=1)
    servers = Servers(stage)
    try:
        _, port = servers.liveport(rules={"stall_close_s": 1.0, "queue_limit": 16, "presence_every_s": 0.2})
        yield stage, port
    finally:
        servers.close()


def stalled_viewer(port: int, show_id: int) -> socket.socket:
    """Joins the room, then never reads: a tiny receive window, so the server's writes stall."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /ws/shows/{show_id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    assert b" 101 " in sock.recv(256)
    return sock


async def _scenario(stage: Stage, port: int) -> dict[str, object]:
    url = f"ws://127.0.0.1:{port}/ws/shows/{stage.show_id}"
    fast = [await connect(url, max_queue=None) for _ in range(2)]
    stalled = stalled_viewer(port, stage.show_id)
    arrivals: list[list[float]] = [[], []]
    counts: list[list[int]] = [[], []]

    async def read(i: int) -> None:
        async for message in fast[i]:
            for line in str(message).split("\n"):
                event = orjson.loads(line)
                if event["type"] == "host.announcement":
                    arrivals[i].append(time.monotonic())
                elif event["type"] == "viewers.count":
                    counts[i].append(event["data"]["count"])

    readers = [asyncio.create_task(read(i)) for i in range(2)]
    while not any(3 in c for c in counts):  # all three viewers are in the room
        await asyncio.sleep(0.05)
    host = {"Authorization": f"Bearer {stage.host_token}"}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30,
                                 limits=httpx.Limits(max_connections=16)) as http:
        async def announce() -> None:
            answer = await http.post(f"/api/v1/shows/{stage.show_id}/announcements", headers=host,
                                     json={"text": TEXT})
            assert answer.status_code == 201

        for start in range(0, ANNOUNCEMENTS, 16):
            await asyncio.gather(*(announce() for _ in range(start, min(start + 16, ANNOUNCEMENTS))))
    all_made = time.monotonic()
    deadline = all_made + 30
    while (min(len(a) for a in arrivals) < ANNOUNCEMENTS or not all(c and c[-1] == 2 for c in counts)) \
            and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    for ws in fast:
        await ws.close()
    await asyncio.gather(*readers)
    stalled.close()
    return {"received": [len(a) for a in arrivals], "counts": counts,
            "behind_s": max(a[-1] for a in arrivals) - all_made}


def test_a_stalled_viewer_neither_delays_the_others_nor_stays(server):
    stage, port = server
    outcome = asyncio.run(_scenario(stage, port))
    # the readers got every announcement, the last well under a second after it was made
    assert outcome["received"] == [ANNOUNCEMENTS, ANNOUNCEMENTS]
    assert outcome["behind_s"] < 1.0
    # and the stalled viewer was dropped from the room (3 viewers, then 2)
    for counts in outcome["counts"]:
        assert counts[-1] == 2 and 3 in counts
