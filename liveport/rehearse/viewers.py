"""The audience: WebSocket viewers in the room, held by the room bench's epoll client
processes (liveport.realtime.bench_client: no asyncio task per socket, so 2,000 viewers cost
the simulator little CPU). Signed-in viewers (buyers' tokens) chat and send like taps at a
phone app's pace; the rest watch."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from liveport.realtime.bench import Pool, percentile
from liveport.realtime.bench_wire import raise_open_file_limit

VIEWERS_PER_PROCESS = 2_500
SPEAKER_SHARE = 4  # one viewer in four is signed in and may chat
# A signed-in viewer writes a line every two minutes or so, and the whole room at most five
# a second: with like totals (5 a second) and drop news, about the ten events a second the
# room is sized for at 5,000 viewers (ADR 0008). At thirty lines a second each of 2,000
# viewers would get 70,000 frames a second: a chat flood nobody reads, not the night.
CHAT_EVERY_S = 120.0
MAX_CHAT_PER_S = 5.0
LIKE_EVERY_S = 2.0  # taps sent as one message every two seconds
LIKE_TAPS = 10


@dataclass(frozen=True)
class Drive:
    chat_per_s: float
    likes_every_s: float
    like_taps: int
    likers: int


def drive_for(speakers: int) -> Drive:
    return Drive(min(MAX_CHAT_PER_S, speakers / CHAT_EVERY_S), LIKE_EVERY_S, LIKE_TAPS, max(1, speakers // 2))


def ws_url(base: str, show_id: int) -> str:
    parts = urlsplit(base)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}/ws/shows/{show_id}"


class Audience:
    def __init__(self, base: str, show_id: int, count: int, tokens: list[str]) -> None:
        self.url = ws_url(base, show_id)
        self.count = count
        speakers = min(len(tokens), count // SPEAKER_SHARE)
        self.tokens: list[str | None] = [*tokens[:speakers], *([None] * (count - speakers))]
        self.drive = drive_for(speakers)
        self.pool: Pool | None = None
        self.connected: dict[str, Any] = {}

    async def join(self) -> dict[str, Any]:
        """Everyone connects (the room's snapshot first); then the chatter starts."""
        if self.count == 0:
            return {"open": 0, "failed": 0, "connect_s": 0.0}
        raise_open_file_limit()
        processes = max(1, -(-self.count // VIEWERS_PER_PROCESS))
        self.pool = Pool(processes)
        shares = [self.tokens[i::processes] for i in range(processes)]
        replies = await self.pool.aask("connect", each=[(self.url, share) for share in shares])
        self.connected = {"open": sum(r["open"] for r in replies), "failed": sum(r["failed"] for r in replies),
                          "connect_s": max(r["connect_s"] for r in replies)}
        d = self.drive
        share = max(1, d.likers // processes)
        await self.pool.aask("measure", True)  # from here on, deliveries and losses count
        await self.pool.aask("drive", d.chat_per_s / processes, d.likes_every_s, d.like_taps, share)
        return self.connected

    async def leave(self) -> dict[str, Any]:
        """The audience's own figures, then every socket closes."""
        if self.pool is None:
            return {"viewers": 0}
        pool, self.pool = self.pool, None
        try:
            await pool.aask("quiet")
            await pool.aask("measure", False)
            max_seq = max(await pool.aask("max_seq"))
            reports = await pool.aask("report", max_seq)
        finally:
            await asyncio.to_thread(pool.close)
        hist: dict[int, int] = {}
        for r in reports:
            for bucket, n in r["hist"].items():
                hist[int(bucket)] = hist.get(int(bucket), 0) + n
        return {
            "viewers": self.count, "open_at_start": self.connected.get("open", 0),
            "failed": self.connected.get("failed", 0) + sum(r["failed"] for r in reports),
            "connect_s": self.connected.get("connect_s", 0.0),
            "open_at_end": sum(r["open"] for r in reports), "events_delivered": sum(r["delivered"] for r in reports),
            "events_lost": sum(r["lost"] for r in reports), "chat_sent": sum(r["chat_sent"] for r in reports),
            "like_taps_sent": sum(r["likes_sent"] for r in reports),
            "client_cpu_s": round(sum(r["cpu_s"] for r in reports), 2),
            "delivery_ms": {"p50": percentile(hist, 0.5), "p90": percentile(hist, 0.9), "p99": percentile(hist, 0.99)},
        }
