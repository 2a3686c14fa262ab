from __future__ import annotations

from liveport.rehearse.stats import Timings, percentile_of


def test_nearest_rank_percentiles():
    values = [float(v) for v in range(1, 101)]
    assert (percentile_of(values, 0.5), percentile_of(values, 0.9), percentile_of(values, 0.99)) == (50.0, 90.0, 99.0)
    assert percentile_of([], 0.5) == 0.0
    assert percentile_of([3.0], 0.99) == 3.0


def test_a_step_reports_count_errors_throughput_and_latency():
    timings = Timings()
    for i in range(10):  # ten calls of 10..100 ms, started 100 ms apart: 10 calls over 1.0 s
        timings.record("claim", i * 0.1, i * 0.1 + (i + 1) * 0.01, "409 sold_out" if i >= 8 else None)
    summary = timings.summary()["claim"]
    assert summary == {"count": 10, "errors": 2, "error_kinds": {"409 sold_out": 2}, "per_s": 10.0,
                       "p50_ms": 50.0, "p90_ms": 90.0, "p99_ms": 100.0, "max_ms": 100.0}
