"""The room bench's baseline: a bare ``websockets`` broadcast server.

It replays the events the Liveport room carried in the same bench run (their types, data
and timing, recorded by the bench), with fresh ``seq`` and ``ts``, serialized once per
broadcast by the same envelope functions, and pushed to every viewer with
``websockets.broadcast`` — no database, broker, queue or moderation: the floor a room
server can be compared with. Viewers connect to any path but ``/control``; the bench sends
the schedule over ``/control`` and gets ``{"done": n}`` back when it has been played.

Run as ``python -m liveport.realtime.bench_baseline PORT``.
"""
from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

import orjson
from websockets.asyncio.server import ServerConnection, broadcast, serve

from liveport.realtime.bench_wire import raise_open_file_limit
from liveport.realtime.domain import event_body, event_ts, frame

LEAD_S = 0.2  # between receiving the schedule and its first event


async def _play(viewers: set[ServerConnection], schedule: list[list[object]]) -> int:
    loop = asyncio.get_running_loop()
    start = loop.time() + LEAD_S
    seq = 0
    for offset, event_type, data in schedule:
        delay = start + float(offset) - loop.time()  # type: ignore[arg-type]
        if delay > 0:
            await asyncio.sleep(delay)
        seq += 1
        body = event_body(str(event_type), data, event_ts(datetime.now(UTC)))  # type: ignore[arg-type]
        broadcast(viewers, frame(seq, body), text=True)
    return seq


async def main(port: int) -> None:
    raise_open_file_limit()
    viewers: set[ServerConnection] = set()

    async def handler(connection: ServerConnection) -> None:
        if connection.request is not None and connection.request.path == "/control":
            async for message in connection:
                played = await _play(viewers, orjson.loads(message))
                await connection.send(orjson.dumps({"done": played}).decode())
            return
        viewers.add(connection)
        try:
            async for _ in connection:
                pass  # viewers' messages (a snapshot request after a gap) are ignored
        finally:
            viewers.discard(connection)

    async with serve(handler, "127.0.0.1", port, compression=None, ping_interval=None,
                     max_size=2**20, backlog=16384):
        print("ready", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
