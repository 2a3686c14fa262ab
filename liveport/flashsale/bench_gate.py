"""Raw gate throughput: claims per second straight into a gate adapter, no HTTP.

``bench_memory_gate`` and ``bench_redis_gate`` drive ``try_reserve`` from ``concurrency``
coroutines in one event loop until ``claims`` answers came back; ``redis_benchmark_baseline``
runs ``redis-benchmark`` (C, the same number of clients) on the very claim script the gate
uses, against its own drop, so the two Redis figures compare the gate's Python path with
the script's cost in Redis. Each run uses a drop and key prefix of its own and removes its
keys afterwards (never a FLUSH). Called by `liveport bench flash-sale`.
"""
from __future__ import annotations

import asyncio
import re
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from liveport.core.errors import ConfigurationError
from liveport.flashsale.adapters import redis_scripts
from liveport.flashsale.domain import DropSpec, to_ms
from liveport.flashsale.ports import FlashSaleGate

BENCH_DROP = 1


@dataclass
class GateBenchResult:
    adapter: str
    claims: int
    concurrency: int
    seconds: float
    claims_per_s: float
    outcomes: dict[str, int]
    p50_ms: float
    p99_ms: float
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def _drive(gate: FlashSaleGate, claims: int, concurrency: int, buyers: int) -> tuple[float, Counter[str], list[float]]:
    now = datetime.now(UTC)
    await gate.load(DropSpec(BENCH_DROP, claims, claims, 600))
    await gate.open(BENCH_DROP, now)
    todo = iter(range(claims))
    outcomes: Counter[str] = Counter()
    latencies: list[float] = []
    clock = time.perf_counter

    async def claimer() -> None:
        for n in todo:
            started = clock()
            result = await gate.try_reserve(BENCH_DROP, f"bench-{n % buyers}", 1, f"k{n}", now)
            latencies.append(clock() - started)
            outcomes[result.outcome.value] += 1

    started = clock()
    await asyncio.gather(*(claimer() for _ in range(concurrency)))
    return clock() - started, outcomes, latencies


def _result(adapter: str, claims: int, concurrency: int, seconds: float, outcomes: Counter[str],
            latencies: list[float], **extra: Any) -> GateBenchResult:
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    return GateBenchResult(adapter, claims, concurrency, round(seconds, 4), round(claims / seconds, 1),
                           dict(outcomes), round(cuts[49] * 1000, 3), round(cuts[98] * 1000, 3), extra)


def bench_memory_gate(*, claims: int = 50_000, concurrency: int = 256, buyers: int = 10_000,
                      data_dir: Path | None = None, synchronous: str = "FULL") -> GateBenchResult:
    """The in-process gate with its journal (a fresh file under ``data_dir`` or a temp dir)."""
    from liveport.flashsale.adapters.memory_gate import MemoryGate

    async def run(directory: Path) -> GateBenchResult:
        gate = MemoryGate(directory / f"bench-gate-{uuid.uuid4().hex}.sqlite3", synchronous=synchronous)
        try:
            seconds, outcomes, latencies = await _drive(gate, claims, concurrency, buyers)
            return _result("memory", claims, concurrency, seconds, outcomes, latencies,
                           journal_commits=gate.journal_batches, synchronous=synchronous)
        finally:
            await gate.aclose()

    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
        return asyncio.run(run(data_dir))
    with tempfile.TemporaryDirectory(prefix="lp-bench-gate-") as tmp:
        return asyncio.run(run(Path(tmp)))


def bench_redis_gate(redis_url: str, *, claims: int = 50_000, concurrency: int = 256,
                     buyers: int = 10_000) -> GateBenchResult:
    from liveport.flashsale.adapters.redis_gate import RedisGate

    async def run() -> GateBenchResult:
        gate = RedisGate(redis_url, prefix=f"lp:bench:{uuid.uuid4().hex}:", max_connections=concurrency)
        try:
            await gate.restore([], [])
            seconds, outcomes, latencies = await _drive(gate, claims, concurrency, buyers)
            return _result("redis", claims, concurrency, seconds, outcomes, latencies)
        finally:
            await gate.purge_all()
            await gate.aclose()

    return asyncio.run(run())


def redis_benchmark_baseline(redis_url: str, *, requests: int = 100_000, clients: int = 256) -> dict[str, Any]:
    """``redis-benchmark`` running the gate's claim script (EVALSHA, random buyers, keys and
    reservation ids) against an open drop of its own; returns requests per second."""
    binary = shutil.which("redis-benchmark")
    if binary is None:
        raise ConfigurationError("redis-benchmark is not installed (apt-get install redis-tools)",
                                 code="redis_benchmark_missing")
    import redis

    parts = urlsplit(redis_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    dbnum = int((parts.path or "/0").lstrip("/") or 0)
    prefix = f"lp:bench:{uuid.uuid4().hex}:"
    client = redis.Redis.from_url(redis_url)
    try:
        base = f"{prefix}d{BENCH_DROP}:"
        client.set(prefix + "alive", "bench")
        client.hset(base + "m", mapping={"id": BENCH_DROP, "q": 10**9, "lim": 10**9, "hold": 600, "closes": "",
                                         "state": "open", "opens": 0, "on_sale": 10**9, "reserved": 0, "sold": 0})
        sha = client.script_load(redis_scripts.CLAIM)
        keys = [prefix + "alive", base + "m", base + "b", base + "i", base + "r", base + "x", prefix + "log"]
        now = to_ms(datetime.now(UTC))
        command = [binary, "-h", host, "-p", str(port), "--dbnum", str(dbnum), "-n", str(requests),
                   "-c", str(clients), "-r", "100000000", "-q",
                   "EVALSHA", sha, "7", *keys, "bench-__rand_int__", "1", "k__rand_int__", str(now),
                   f"r{BENCH_DROP}-__rand_int__", str(BENCH_DROP)]
        output = subprocess.run(command, capture_output=True, text=True, timeout=600, check=True).stdout
        found = re.findall(r"([\d.]+) requests per second", output)
        if not found:
            raise ConfigurationError(f"redis-benchmark said: {output[-300:]!r}", code="redis_benchmark_failed")
        reserved = int(client.hget(base + "m", "reserved") or 0)
        return {"adapter": "redis-benchmark", "requests": requests, "clients": clients,
                "requests_per_s": float(found[-1]), "reserved": reserved}
    finally:
        for key in client.scan_iter(match=f"{prefix}*", count=1000):
            client.delete(key)
        client.close()


def measure_gates(*, redis_url: str | None, claims: int = 50_000, concurrency: int = 256,
                  rounds: int = 3, data_dir: Path | None = None) -> dict[str, Any]:
    """Both adapters and the redis-benchmark baseline, ``rounds`` times interleaved (a shared
    machine's background load then hits all alike); medians and the Redis ratio
    (gate claims/s ÷ redis-benchmark requests/s, target ≥ 0.7)."""
    runs: dict[str, list[float]] = {"memory": [], "redis": [], "redis-benchmark": []}
    details: list[dict[str, Any]] = []
    for _ in range(rounds):
        memory = bench_memory_gate(claims=claims, concurrency=concurrency, data_dir=data_dir)
        runs["memory"].append(memory.claims_per_s)
        details.append(memory.as_dict())
        if redis_url:
            redis_run = bench_redis_gate(redis_url, claims=claims, concurrency=concurrency)
            baseline = redis_benchmark_baseline(redis_url, requests=claims, clients=concurrency)
            runs["redis"].append(redis_run.claims_per_s)
            runs["redis-benchmark"].append(baseline["requests_per_s"])
            details.extend([redis_run.as_dict(), baseline])
    medians = {name: statistics.median(values) for name, values in runs.items() if values}
    result: dict[str, Any] = {"claims": claims, "concurrency": concurrency, "rounds": rounds,
                              "median_per_s": medians, "runs": details}
    if "redis" in medians:
        result["redis_vs_redis_benchmark"] = round(medians["redis"] / medians["redis-benchmark"], 3)
    return result
