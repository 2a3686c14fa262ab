"""Load-generation plumbing shared by the benchmarks: free ports, wrk runs, CPU accounting.

wrk is a C load generator; its CPU time is reported with every figure so that a saturated
client is never mistaken for a fast server.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path
from typing import Any

_TICKS = os.sysconf("SC_CLK_TCK")

# wrk's own summary is rounded for humans; this prints the exact figures as one JSON line.
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'LPJSON {"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"status_errors":%d,"timeouts":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""



def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds_of_tree(root: int) -> float:
    """utime + stime of a process and all its live descendants (granian forks a worker)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: split after the last ")".
        fields = raw[raw.rindex(")") + 2:].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        times[pid] = (int(fields[11]) + int(fields[12])) / _TICKS
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total


def run_wrk(wrk: str, script: str, url: str, threads: int, connections: int,
            seconds: float, script_args: list[str] | None = None) -> dict[str, Any]:
    """One wrk run; returns its figures and the CPU time the wrk process itself used."""
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
               "--timeout", "5s", "-s", script, url]
    if script_args:
        command += ["--", *script_args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    output = process.stdout.read().decode(errors="replace")
    # wait4 reaps the child and hands back its own rusage, unmixed with other children.
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    line = next((x for x in output.splitlines() if x.startswith("LPJSON ")), None)
    if process.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({process.returncode}): {output[-2000:]}")
    figures = json.loads(line[len("LPJSON "):])
    figures["wrk_cpu_s"] = usage.ru_utime + usage.ru_stime
    return figures


