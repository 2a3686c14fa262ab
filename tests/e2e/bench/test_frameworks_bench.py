"""A one-second pass of the framework benchmark (ADR 0001): it starts, measures, stops."""
from __future__ import annotations

import shutil

from liveport.bench.frameworks import BASELINE, measure
from tests.conftest import missing


def test_bench_measures_each_server_and_reports_ratios_to_the_baseline():
    if shutil.which("wrk") is None:
        missing("wrk is not installed (apt-get install --no-install-recommends wrk)")
    result = measure(seconds=1, runs=1, connections=8, warmup_s=1, apps=("starlette",),
                     servers=("granian", "uvicorn"))
    assert result["baseline"] == BASELINE == "starlette/granian"
    assert sorted(result["results"]) == ["starlette/granian", "starlette/uvicorn"]
    assert result["results"][BASELINE]["ratio_to_baseline"] == 1.0
    for figures in result["results"].values():
        assert figures["errors"] == 0
        assert figures["median_rps"] > 0
        assert len(figures["runs"]) == 1
        assert figures["runs"][0]["wrk_cpu_s"] > 0
        assert figures["runs"][0]["server_cpu_s"] > 0
    assert result["machine"]["wrk"].startswith("wrk ")
