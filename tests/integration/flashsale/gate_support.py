"""Helpers of the gate tests, and a worker process (``python -m`` this module) that claims
against a gate and prints every reservation id the moment the gate acknowledged it."""
from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from liveport.flashsale.domain import (
    ClaimOutcome,
    Reservation,
    ReservationStatus,
    counts_of,
)
from liveport.flashsale.ports import FlashSaleGate
from tests.support.child_process import ChildProcess

ROOT = Path(__file__).resolve().parents[3]
T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def gate_for(kind: str, where: str, prefix: str = "") -> FlashSaleGate:
    from liveport.flashsale.adapters.memory_gate import MemoryGate
    from liveport.flashsale.adapters.redis_gate import RedisGate

    return MemoryGate(Path(where)) if kind == "memory" else RedisGate(where, prefix=prefix)


def fresh_prefix() -> str:
    return f"lp:test:gate:{uuid.uuid4().hex}:"


async def assert_books_balance(gate: FlashSaleGate, drop_id: int, quantity: int, limit: int) -> list[Reservation]:
    """initial = on_sale + reserved + sold, the counters agree with the reservations, and
    no buyer holds more than the limit."""
    counts = await gate.counts(drop_id)
    everything = await gate.reservations(drop_id)
    assert counts.initial == quantity
    assert counts == counts_of(quantity, everything)
    assert min(counts.on_sale, counts.reserved, counts.sold) >= 0
    held: Counter[str] = Counter()
    for r in everything:
        if r.status is not ReservationStatus.RELEASED:
            held[r.buyer_key] += r.qty
    assert max(held.values(), default=0) <= limit
    return everything


# ---- a private redis-server ----------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivateRedis:
    """A redis-server of this test's own, on a free port, without any persistence."""

    def __init__(self, workdir: Path) -> None:
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert self.binary is not None
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir), "--protected-mode", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("the private redis-server did not start")

    def kill(self) -> None:
        """SIGKILL, by the pid this test started: never any other redis-server."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


# ---- worker processes ------------------------------------------------------------------

class Worker(ChildProcess):
    def __init__(self, *args: str) -> None:
        self.acked: list[str] = []
        super().__init__("tests.integration.flashsale.gate_support", *args)

    def seen(self, line: str) -> None:
        if line.startswith("ACK "):
            self.acked.append(line[4:])

    def wait_for(self, marker: str, timeout_s: float = 60.0) -> str:
        return super().wait_for(marker, timeout_s)

    def wait_for_acks(self, n: int, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while len(self.acked) < n:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError(f"only {len(self.acked)} acknowledgements; exit {self.proc.poll()}")
            time.sleep(0.005)


async def _claim_burst(gate: FlashSaleGate, drop_id: int, tag: str, buyers: int, claims: int,
                       concurrency: int) -> Counter[str]:
    outcomes: Counter[str] = Counter()
    todo = iter(range(claims))

    async def claimer() -> None:
        for n in todo:
            result = await gate.try_reserve(drop_id, f"buyer-{n % buyers}", 1, f"{tag}-{n}", T0)
            outcomes[result.outcome.value] += 1
            if result.outcome is ClaimOutcome.RESERVED:
                assert result.reservation is not None
                print("ACK", result.reservation.id, flush=True)

    await asyncio.gather(*(claimer() for _ in range(concurrency)))
    return outcomes


async def _worker(kind: str, where: str, prefix: str, drop_id: int, buyers: int, claims: int,
                  concurrency: int, gun: str) -> None:
    gate = gate_for(kind, where, prefix)
    print("READY", flush=True)
    while gun and not Path(gun).exists():
        await asyncio.sleep(0.002)
    outcomes = await _claim_burst(gate, drop_id, f"{os.getpid()}", buyers, claims, concurrency)
    print("DONE", " ".join(f"{k}={v}" for k, v in sorted(outcomes.items())), flush=True)
    await gate.aclose()


def main(argv: list[str]) -> int:
    kind, where, prefix, drop_id, buyers, claims, concurrency, *gun = argv
    asyncio.run(_worker(kind, where, prefix, int(drop_id), int(buyers), int(claims), int(concurrency),
                        gun[0] if gun else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
