"""Requests per second of bare Starlette and FastAPI routes under granian and uvicorn.

``measure()`` starts each app under each server on a free loopback port, drives it with
``wrk`` (a C load generator, so the client is not the bottleneck), stops the servers and
returns medians plus ratios to bare Starlette under granian. Runs are interleaved round by
round so that background load on a shared machine hits every configuration alike. The CPU
time of wrk and of the server's process tree is reported per run: a client near one full
core per wrk thread, or a server far below one core, means the figure is not the server's.

Used by `liveport bench frameworks` and recorded in docs/adr/0001-web-framework-and-server.md.
"""
from __future__ import annotations

import http.client
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from liveport.bench.apps import BODY, PATH
from liveport.bench.loadgen import WRK_REPORT, cpu_seconds_of_tree, free_port, run_wrk
from liveport.core.errors import ConfigurationError

APPS: dict[str, str] = {
    "starlette": "liveport.bench.apps:starlette_app",
    "fastapi": "liveport.bench.apps:fastapi_app",
    "fastapi_sync": "liveport.bench.apps:fastapi_sync_app",
    "fastapi_starlette_route": "liveport.bench.apps:mixed_app",
}
SERVERS = ("granian", "uvicorn")
BASELINE = "starlette/granian"

def _server_command(server: str, target: str, port: int) -> list[str]:
    if server == "granian":
        # The same knobs as liveport.serving.serve(): ASGI interface, one worker.
        return [sys.executable, "-m", "granian", "--interface", "asgi", "--workers", "1",
                "--host", "127.0.0.1", "--port", str(port), "--backlog", "4096",
                "--log-level", "warning", target]
    if server == "uvicorn":
        return [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
                "--workers", "1", "--log-level", "warning", "--no-access-log", target]
    raise ValueError(f"unknown server {server!r}")


@dataclass
class _Server:
    name: str
    app: str
    port: int
    process: subprocess.Popen[bytes]
    log: IO[bytes]
    runs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.app}/{self.name}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PATH}"


def _start(stack: ExitStack, server: str, app: str) -> _Server:
    port = free_port()
    log = stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115 - closed by the stack
    process = subprocess.Popen(
        _server_command(server, APPS[app], port),
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, so stopping it reaches the workers
    )
    started = _Server(server, app, port, process, log)
    stack.callback(_stop, started)
    _wait_ready(started)
    return started


def _wait_ready(server: _Server, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
            conn.request("GET", PATH)
            answer = conn.getresponse()
            body = answer.read()
            conn.close()
            if answer.status == 200 and body.replace(b" ", b"") == BODY:
                return
        except OSError:
            pass
        time.sleep(0.1)
    server.log.seek(0)
    output = server.log.read().decode(errors="replace")[-2000:]
    raise RuntimeError(f"{server.key} did not answer on port {server.port}:\n{output}")


def _stop(server: _Server) -> None:
    if server.process.poll() is not None:
        return
    os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)


def _one_run(wrk: str, script: str, server: _Server, threads: int, connections: int,
             seconds: float) -> dict[str, Any]:
    cpu_before = cpu_seconds_of_tree(server.process.pid)
    raw = run_wrk(wrk, script, server.url, threads, connections, seconds)
    server_cpu = cpu_seconds_of_tree(server.process.pid) - cpu_before
    wall = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in ("connect_errors", "read_errors", "write_errors",
                                  "status_errors", "timeouts"))
    return {
        "rps": round(raw["requests"] / wall, 1),
        "requests": raw["requests"],
        "errors": errors,
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "wrk_cpu_s": round(raw["wrk_cpu_s"], 3),
        # Cores' worth of CPU: 1.0 per wrk thread means the client was saturated.
        "wrk_cpu_cores": round(raw["wrk_cpu_s"] / wall, 3),
        "server_cpu_s": round(server_cpu, 3),
        "server_cpu_cores": round(server_cpu / wall, 3),
    }


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def median(key: str) -> float:
        return round(statistics.median(r[key] for r in runs), 3)

    return {
        "median_rps": median("rps"),
        "median_p50_ms": median("p50_ms"),
        "median_p99_ms": median("p99_ms"),
        "median_wrk_cpu_cores": median("wrk_cpu_cores"),
        "median_server_cpu_cores": median("server_cpu_cores"),
        "errors": sum(r["errors"] for r in runs),
        "runs": runs,
    }


def _versions() -> dict[str, str]:
    found = {}
    for name in ("granian", "uvicorn", "fastapi", "starlette", "pydantic", "h11", "uvloop",
                 "httptools"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def _machine(wrk: str) -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    probe = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
    return {
        "hostname": platform.node(),
        "cpu": model,
        "cores": os.cpu_count(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "wrk": (probe.stdout or probe.stderr).splitlines()[0] if (probe.stdout or probe.stderr) else "?",
        "packages": _versions(),
    }


def measure(
    seconds: float = 5,
    runs: int = 3,
    *,
    connections: int = 64,
    threads: int = 1,
    warmup_s: float = 1,
    apps: tuple[str, ...] = tuple(APPS),
    servers: tuple[str, ...] = SERVERS,
) -> dict[str, Any]:
    """Measure every app under every server; medians of ``runs`` runs of ``seconds`` each."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise ConfigurationError(
            "wrk is not installed (Debian: apt-get install --no-install-recommends wrk)",
            code="wrk_missing",
        )
    if runs < 1 or seconds <= 0:
        raise ValueError("runs must be ≥ 1 and seconds > 0")
    started_at = datetime.now(UTC)
    load_before = os.getloadavg()
    with ExitStack() as stack:
        script = stack.enter_context(tempfile.NamedTemporaryFile("w", suffix=".lua"))
        script.write(WRK_REPORT)
        script.flush()
        running = [_start(stack, server, app) for app in apps for server in servers]
        for server in running:  # let each server settle (imports, first requests)
            run_wrk(wrk, script.name, server.url, threads, connections, warmup_s)
        for _ in range(runs):
            for server in running:
                server.runs.append(_one_run(wrk, script.name, server, threads, connections,
                                            seconds))
    results = {server.key: _summary(server.runs) for server in running}
    base = results.get(BASELINE, {}).get("median_rps")
    for figures in results.values():
        figures["ratio_to_baseline"] = round(figures["median_rps"] / base, 3) if base else None
    return {
        "date": started_at.isoformat(timespec="seconds"),
        "machine": _machine(wrk),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "wrk": {"threads": threads, "connections": connections, "seconds": seconds,
                "runs": runs, "path": PATH},
        "baseline": BASELINE,
        "results": results,
    }
