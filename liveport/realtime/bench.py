"""`liveport bench room`: many viewers in one live room, against a bare broadcast baseline.

One run, two phases, the same client processes (``bench_client``) on loopback:
1. Liveport (granian, the real app and room): viewers connect (signed-in ones with tokens,
   the rest anonymous), then for ``seconds`` the clients chat at a realistic rate and send
   like taps in batches (as a phone app does), while the bench, as the host, pins products,
   announces, and opens a flash-sale drop that buyers claim through the API until it sells
   out. A probe viewer records every event the room carried.
2. Baseline: a bare ``websockets`` server (``bench_baseline``) replays those same events
   with the same timing to the same number of viewers in the same client processes.

Latency is measured per delivered event from its server timestamp to the client's clock;
``lost`` counts seq gaps plus events a viewer never got by the end. The last line printed
is JSON (``run_room_bench`` also returns it).
"""
from __future__ import annotations

import asyncio
import json
import math
import multiprocessing
import os
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import connect

from liveport.bench.loadgen import cpu_seconds_of_tree
from liveport.realtime.bench_client import BUCKET_MS, client_process
from liveport.realtime.bench_stage import Servers, Stage, prepare
from liveport.realtime.bench_wire import raise_open_file_limit
from liveport.realtime.domain import RoomRules, like_interval_s

SMOKE = {"viewers": 200, "seconds": 3.0}
TAPS_PER_BATCH = 20  # a phone app sends its taps as one message ...
LIKE_BATCH_EVERY_S = 2.0  # ... every two seconds (a fast tapper: 10 taps a second)
LIKE_TAPS_TARGET = 50_000  # per second, the figure
DROP_QUANTITY = 200
DRAIN_S = 1.5
DROP_EVENTS = 8  # about: stock figures (at most 5 a second while it sells), sold out


def default_events_per_s(viewers: int) -> float:
    return 10.0 if viewers <= 5_000 else 5.0


def percentile(hist: dict[int, int], q: float) -> float:
    total = sum(hist.values())
    if not total:
        return 0.0
    need, seen = q * total, 0
    for bucket in sorted(hist):
        seen += hist[bucket]
        if seen >= need:
            return round((bucket + 1) * BUCKET_MS, 1)
    return round((max(hist) + 1) * BUCKET_MS, 1)


class Pool:
    """The client processes and their pipes."""

    def __init__(self, processes: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipes = []
        self.procs = []
        for _ in range(processes):
            parent, child = context.Pipe()
            proc = context.Process(target=client_process, args=(child,), daemon=True)
            proc.start()
            self.pipes.append(parent)
            self.procs.append(proc)

    def ask(self, *command: Any, each: list[tuple[Any, ...]] | None = None, timeout_s: float = 120.0) -> list[Any]:
        for i, pipe in enumerate(self.pipes):
            pipe.send((*command, *(each[i] if each else ())))
        replies = []
        for pipe in self.pipes:
            if not pipe.poll(timeout_s):
                raise RuntimeError(f"a client process did not answer {command[0]!r}")
            replies.append(pipe.recv())
        return replies

    async def aask(self, *command: Any, each: list[tuple[Any, ...]] | None = None) -> list[Any]:
        return await asyncio.to_thread(self.ask, *command, each=each)

    def close(self) -> None:
        try:
            self.ask("exit", timeout_s=10)
        except (RuntimeError, OSError, EOFError):
            pass
        for proc in self.procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()


def _split(items: list[Any], parts: int) -> list[list[Any]]:
    return [items[i::parts] for i in range(parts)]


class Probe:
    """One more viewer, in the bench process: records what the room carried."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.events: list[tuple[float, str, dict[str, Any]]] = []
        self.last_seq = 0
        self.ready = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        async with connect(self.url, max_queue=None, compression=None, ping_interval=None) as ws:
            async for message in ws:
                for raw in message.split("\n"):
                    self._record(orjson.loads(raw))

    def _record(self, event: dict[str, Any]) -> None:
        if event["seq"] is None:
            return
        if event["type"] == "snapshot":
            self.last_seq = event["seq"]
            self.ready.set()
            return
        self.last_seq = max(self.last_seq, event["seq"])
        ts = datetime.fromisoformat(event["ts"]).timestamp()
        self.events.append((ts, event["type"], event["data"]))

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self.run())

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()


async def _host_script(base: str, stage: Stage, seconds: float, notes: dict[str, Any]) -> None:
    """The host's side of the show: pins, an announcement, one drop opened, claimed, closed."""
    auth = {"Authorization": f"Bearer {stage.host_token}"}
    async with httpx.AsyncClient(base_url=base, timeout=10.0,
                                 limits=httpx.Limits(max_connections=32)) as http:
        start = time.monotonic()

        async def at(fraction: float) -> None:
            await asyncio.sleep(max(0.0, start + fraction * seconds - time.monotonic()))

        await at(0.02)
        await http.put(f"/api/v1/shows/{stage.show_id}/pin", json={"product_id": stage.lineup[0]}, headers=auth)
        await at(0.2)
        drop_id = await _open_drop(http, stage, auth, notes) if notes.get("open_drops", True) else None
        if drop_id is not None:
            await at(0.2 + 1.0 / seconds)
            await _claims(http, stage, drop_id, notes)
        await at(0.5)
        await http.put(f"/api/v1/shows/{stage.show_id}/pin", json={"product_id": stage.lineup[1]}, headers=auth)
        await http.post(f"/api/v1/shows/{stage.show_id}/announcements",
                        json={"text": "限时秒杀进行中 · Flash sale on now"}, headers=auth)
        if drop_id is not None:
            await at(0.85)
            await http.post(f"/api/v1/drops/{drop_id}/close", headers=auth)
        await at(1.0)


async def _open_drop(http: httpx.AsyncClient, stage: Stage, auth: dict[str, str],
                     notes: dict[str, Any]) -> int | None:
    made = await http.post("/api/v1/drops", headers=auth, json={
        "show_id": stage.show_id, "product_id": stage.lineup[0], "warehouse_id": stage.warehouse_id,
        "quantity": DROP_QUANTITY, "price": "99.00", "per_buyer_limit": 1,
        "opens_at": datetime.now(UTC).isoformat()})
    if made.status_code != 201:
        notes["drops"] = f"not opened: POST /api/v1/drops answered {made.status_code}"
        return None
    drop_id = int(made.json()["id"])
    opened = await http.post(f"/api/v1/drops/{drop_id}/open", headers=auth, json={"countdown_s": 1})
    notes["drops_opened"] = 1 if opened.status_code == 200 else 0
    return drop_id


async def _claims(http: httpx.AsyncClient, stage: Stage, drop_id: int, notes: dict[str, Any]) -> None:
    buyers = stage.tokens[: int(DROP_QUANTITY * 1.2)]
    gate = asyncio.Semaphore(16)
    outcomes: dict[int, int] = {}

    async def claim(token: str) -> None:
        async with gate:
            answer = await http.post(f"/api/v1/drops/{drop_id}/claims", json={"qty": 1},
                                     headers={"Authorization": f"Bearer {token}",
                                              "Idempotency-Key": uuid.uuid4().hex})
            outcomes[answer.status_code] = outcomes.get(answer.status_code, 0) + 1

    await asyncio.gather(*(claim(t) for t in buyers))
    notes["claims"] = {str(k): v for k, v in sorted(outcomes.items())}


def _merge(reports: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    hist: dict[int, int] = {}
    for report in reports:
        for bucket, count in report["hist"].items():
            hist[int(bucket)] = hist.get(int(bucket), 0) + count
    delivered = sum(r["delivered"] for r in reports)
    return {"delivered_per_s": round(delivered / seconds, 1), "p50_ms": percentile(hist, 0.50),
            "p99_ms": percentile(hist, 0.99), "max_ms": percentile(hist, 1.0),
            "lost": sum(r["lost"] + r["behind"] for r in reports),
            "loadgen_cpu_s": round(sum(r["window_cpu_s"] for r in reports), 2),
            "snapshots": sum(r["snapshots"] for r in reports),
            "duplicates": sum(r["duplicates"] for r in reports),
            "closed": sum(r["closed"] for r in reports),
            "chat_sent": sum(r["chat_sent"] for r in reports),
            "like_taps_sent": sum(r["likes_sent"] for r in reports)}


async def _liveport_phase(pool: Pool, stage: Stage, port: int, server_pid: int, seconds: float,
                          chat_per_s: float, likers: int, notes: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    base = f"http://127.0.0.1:{port}"
    probe = Probe(f"ws://127.0.0.1:{port}/ws/shows/{stage.show_id}")
    probe.start()
    await asyncio.wait_for(probe.ready.wait(), 30)
    await asyncio.sleep(1.0)  # presence settles after the connections
    n = len(pool.pipes)
    per_likers = [(chat_per_s / n, LIKE_BATCH_EVERY_S, TAPS_PER_BATCH, math.ceil(likers / n)) for _ in range(n)]
    await pool.aask("measure", True)
    cpu0, started = cpu_seconds_of_tree(server_pid), time.time()
    await pool.aask("drive", each=per_likers)
    await _host_script(base, stage, seconds, notes)
    await pool.aask("quiet")
    await pool.aask("measure", False)
    ended, cpu1 = time.time(), cpu_seconds_of_tree(server_pid)
    await asyncio.sleep(DRAIN_S)
    reports = await pool.aask("report", probe.last_seq)
    probe.stop()
    window = [e for e in probe.events if started <= e[0] <= ended]
    elapsed = ended - started  # longer than asked when the server falls behind the script
    figures = _merge(reports, elapsed)
    mix: dict[str, int] = {}
    for _, kind, _ in window:
        mix[kind] = mix.get(kind, 0) + 1
    figures.update(events=len(window), events_per_s=round(len(window) / elapsed, 2), event_mix=mix,
                   server_cpu_s=round(cpu1 - cpu0, 2), measured_s=round(elapsed, 2))
    schedule = [[round(ts - started, 6), kind, data] for ts, kind, data in window]
    return figures, schedule


async def _baseline_phase(pool: Pool, port: int, server_pid: int, schedule: list[Any],
                          seconds: float) -> dict[str, Any]:
    async with connect(f"ws://127.0.0.1:{port}/control", max_size=None) as control:
        await pool.aask("measure", True)
        cpu0, started = cpu_seconds_of_tree(server_pid), time.monotonic()
        await control.send(orjson.dumps(schedule).decode())
        await asyncio.wait_for(control.recv(), seconds + 60)
        await asyncio.sleep(0.25)  # the last event on its way
        await pool.aask("measure", False)
        cpu1, elapsed = cpu_seconds_of_tree(server_pid), time.monotonic() - started
    await asyncio.sleep(DRAIN_S)
    figures = _merge(await pool.aask("report", len(schedule)), elapsed)
    figures.update(server_cpu_s=round(cpu1 - cpu0, 2), measured_s=round(elapsed, 2))
    return figures


def _connect(pool: Pool, url: str, tokens: list[str | None]) -> dict[str, Any]:
    replies = pool.ask("connect", url, each=[(part,) for part in _split(tokens, len(pool.pipes))],
                       timeout_s=300)
    return {"open": sum(r["open"] for r in replies), "failed": sum(r["failed"] for r in replies),
            "connect_s": max(r["connect_s"] for r in replies)}


def run_room_bench(viewers: int, seconds: float, events_per_s: float | None = None, json_out: bool = False,
                   *, clients: int | None = None, like_taps_per_s: int | None = None, workers: int = 1,
                   redis_url: str | None = None, database_url: str | None = None,
                   drops: bool = True) -> dict[str, Any]:
    """Run both phases and return (and print) the figures; see the module docstring."""
    if not 1 <= viewers <= 60_000 or not 1 <= seconds <= 600:
        raise ValueError("viewers from 1 to 60,000 and seconds from 1 to 600")
    limit = raise_open_file_limit()
    events_per_s = events_per_s or default_events_per_s(viewers)
    clients = clients or max(2, min(4, math.ceil(viewers / 2_500)))
    taps = like_taps_per_s if like_taps_per_s is not None else min(LIKE_TAPS_TARGET, viewers * TAPS_PER_BATCH)
    likers = min(viewers, math.ceil(taps * LIKE_BATCH_EVERY_S / TAPS_PER_BATCH))
    signed_in = max(likers, min(viewers, int(DROP_QUANTITY * 1.2)))
    # like totals go out a few times a second; chat makes up the rest of the event rate
    like_events = 1 / like_interval_s(viewers, RoomRules()) if likers else 0.0
    drop_events = DROP_EVENTS / seconds if drops else 0.0
    chat_per_s = max(0.5, events_per_s - like_events - drop_events - 0.3)
    say = (lambda *a: None) if json_out else print
    say(f"room bench: {viewers} viewers ({signed_in} signed in), {seconds:g} s, "
        f"~{events_per_s:g} events/s, {taps} like taps/s, {clients} client processes (fd limit {limit})")
    stage = prepare(signed_in, database_url)
    servers = Servers(stage)
    pool = Pool(clients)
    notes: dict[str, Any] = {"drops_opened": 0, "open_drops": drops}
    try:
        process, port = servers.liveport(workers=workers, redis_url=redis_url, database_url=database_url)
        tokens: list[str | None] = [*stage.tokens[:signed_in], *([None] * (viewers - signed_in))]
        connected = _connect(pool, f"ws://127.0.0.1:{port}/ws/shows/{stage.show_id}", tokens)
        say(f"liveport: {connected['open']} viewers connected in {connected['connect_s']} s")
        ours, schedule = asyncio.run(_liveport_phase(pool, stage, port, process.pid, seconds,
                                                     chat_per_s, likers, notes))
        pool.ask("reset")
        base_process, base_port = servers.baseline()
        base_connected = _connect(pool, f"ws://127.0.0.1:{base_port}/room", [None] * viewers)
        say(f"baseline: {base_connected['open']} viewers connected in {base_connected['connect_s']} s")
        theirs = asyncio.run(_baseline_phase(pool, base_port, base_process.pid, schedule, ours["measured_s"]))
    finally:
        pool.close()
        servers.close(redis_url)
    result = {
        "viewers": viewers, "seconds": seconds, "events_per_s": ours["events_per_s"],
        "delivered_per_s": ours["delivered_per_s"], "p50_ms": ours["p50_ms"], "p99_ms": ours["p99_ms"],
        "max_ms": ours["max_ms"], "lost": ours["lost"], "event_mix": ours["event_mix"],
        "baseline_p50_ms": theirs["p50_ms"], "baseline_p99_ms": theirs["p99_ms"],
        "baseline_delivered_per_s": theirs["delivered_per_s"], "baseline_lost": theirs["lost"],
        "ratio_to_baseline": round(ours["p99_ms"] / theirs["p99_ms"], 2) if theirs["p99_ms"] else None,
        "loadgen_cpu_s": ours["loadgen_cpu_s"], "baseline_loadgen_cpu_s": theirs["loadgen_cpu_s"],
        "server_cpu_s": ours["server_cpu_s"], "baseline_server_cpu_s": theirs["server_cpu_s"],
        "measured_s": ours["measured_s"], "baseline_measured_s": theirs["measured_s"],
        "like_taps_per_s": round(ours["like_taps_sent"] / ours["measured_s"]),
        "chat_per_s": round(ours["chat_sent"] / ours["measured_s"], 1),
        "connected": connected["open"], "connect_failed": connected["failed"] + base_connected["failed"],
        "snapshots_after_join": ours["snapshots"] - connected["open"], "closed": ours["closed"],
        "duplicates": ours["duplicates"] + theirs["duplicates"], "client_processes": clients,
        "workers": workers, "broker": "redis" if redis_url else "memory", **notes,
        "machine": {"cpus": os.cpu_count(), "loadavg_1m": round(os.getloadavg()[0], 2)},
    }
    print(json.dumps(result), flush=True)
    return result
