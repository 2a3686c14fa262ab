"""The gate micro-benchmark runs end to end (tiny sizes: it is a smoke test, not a figure)."""
from __future__ import annotations

import shutil

from liveport.flashsale.bench_gate import bench_memory_gate, measure_gates
from tests.conftest import missing


def test_the_memory_gate_bench_sells_every_claim(tmp_path):
    result = bench_memory_gate(claims=2000, concurrency=50, buyers=100, data_dir=tmp_path)
    assert result.outcomes == {"reserved": 2000}
    assert result.claims_per_s > 0
    assert 0 < result.extra["journal_commits"] <= 2000


def test_both_gates_and_the_redis_baseline_are_measured(redis_url, tmp_path):
    if shutil.which("redis-benchmark") is None:
        missing("redis-benchmark is not installed")
    result = measure_gates(redis_url=redis_url, claims=2000, concurrency=50, rounds=1, data_dir=tmp_path)
    assert set(result["median_per_s"]) == {"memory", "redis", "redis-benchmark"}
    assert result["redis_vs_redis_benchmark"] > 0
    assert [run["outcomes"] for run in result["runs"] if "outcomes" in run] == [{"reserved": 2000}] * 2
    # random keys may repeat (then the script answers the replay): nearly all reserve
    assert [run["reserved"] > 1900 for run in result["runs"] if run["adapter"] == "redis-benchmark"] == [True]
