"""The flash-sale bench at --smoke size: the whole pipeline runs and the drop never oversells."""
from __future__ import annotations

import shutil

import pytest

from liveport.bench.flash_sale import SCENARIOS, SMOKE_DIVISOR, run
from tests.conftest import missing, port_open


@pytest.fixture
def bench_tools(redis_url):
    if shutil.which("wrk") is None:
        missing("wrk is not installed (apt-get install wrk)")
    if shutil.which("redis-benchmark") is None:
        missing("redis-benchmark is not installed (apt-get install redis-tools)")
    if not port_open("127.0.0.1", 5432):
        missing("PostgreSQL is not answering on 127.0.0.1:5432")


@pytest.mark.parametrize("scenario,backend", [("candy", "memory"), ("pine-nuts", "redis")])
def test_smoke_burst_sells_exactly_the_stock(bench_tools, scenario, backend):
    result = run(scenario, backend, smoke=True, connections=64)
    expected = SCENARIOS[scenario]
    assert result["stock"] == expected.stock // SMOKE_DIVISOR
    assert result["sold"] == result["stock"]
    assert result["oversold"] == 0
    assert result["identities_over_limit"] == 0
    assert result["accounting_ok"] is True
    assert result["claims"] == result["claims_sent"] == expected.buyers // SMOKE_DIVISOR * 11 // 10
    assert result["outcomes"]["sold_out"] > 0
    assert result["noop_per_s"] > 0 and result["sql_baseline_per_s"] > 0
    assert set(result) >= {"sellout_s", "claims_per_s", "p50_ms", "p99_ms", "server_cpu_s",
                           "loadgen_cpu_s", "ratio_to_noop", "ratio_to_sql"}
    if backend == "redis":
        assert result["redis_benchmark_per_s"] > 0
