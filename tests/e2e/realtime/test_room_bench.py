"""The room bench at its smoke size: it starts both servers, drives both phases and
reports every figure (the full sizes are run by hand: `liveport bench room`)."""
from __future__ import annotations

import time

import pytest

from liveport.realtime.bench import SMOKE, run_room_bench

pytestmark = pytest.mark.timeout(120)

FIGURES = {"viewers", "events_per_s", "delivered_per_s", "p50_ms", "p99_ms", "lost", "baseline_p99_ms",
           "ratio_to_baseline", "loadgen_cpu_s"}


def test_the_room_bench_runs_both_phases_and_reports(capsys):
    started = time.monotonic()
    result = run_room_bench(SMOKE["viewers"], SMOKE["seconds"], 10, json_out=True)
    took = time.monotonic() - started
    printed = capsys.readouterr().out.strip().splitlines()
    assert FIGURES <= result.keys()
    assert printed[-1].startswith('{"viewers": 200')
    assert (result["viewers"], result["connected"], result["connect_failed"]) == (200, 200, 0)
    assert result["lost"] == 0 and result["baseline_lost"] == 0 and result["duplicates"] == 0
    assert result["events_per_s"] > 5
    assert result["delivered_per_s"] > 200 * 5 * 0.8
    assert result["baseline_p99_ms"] > 0 and result["ratio_to_baseline"] > 0
    assert result["loadgen_cpu_s"] > 0 and result["server_cpu_s"] > 0
    assert result["like_taps_per_s"] > 1000 and result["chat_per_s"] > 1
    assert result["drops_opened"] == 1 and "201" in result["claims"]
    assert took < 45
