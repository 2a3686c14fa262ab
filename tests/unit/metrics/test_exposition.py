from __future__ import annotations

from liveport.metrics.domain import Counter, GaugeFamily, Histogram, exposition


def test_a_counter_is_exposed_per_label_set_with_help_and_type():
    claims = Counter("liveport_claims_total", "Claims by outcome.", ("outcome",))
    claims.inc("reserved")
    claims.inc("reserved")
    claims.inc("sold_out", amount=3)
    text = exposition([claims])
    assert text == (
        "# HELP liveport_claims_total Claims by outcome.\n"
        "# TYPE liveport_claims_total counter\n"
        'liveport_claims_total{outcome="reserved"} 2\n'
        'liveport_claims_total{outcome="sold_out"} 3\n'
    )


def test_histogram_buckets_are_cumulative_and_inclusive_with_sum_and_count():
    latency = Histogram("t_seconds", "Latency.", ("route",), buckets=(0.1, 1.0))
    for value in (0.05, 0.1, 0.5, 2.0):
        latency.observe(value, "/api/v1/orders/{order_no}")
    lines = exposition([latency]).splitlines()
    assert lines[2:] == [
        't_seconds_bucket{route="/api/v1/orders/{order_no}",le="0.1"} 2',
        't_seconds_bucket{route="/api/v1/orders/{order_no}",le="1"} 3',
        't_seconds_bucket{route="/api/v1/orders/{order_no}",le="+Inf"} 4',
        't_seconds_sum{route="/api/v1/orders/{order_no}"} 2.65',
        't_seconds_count{route="/api/v1/orders/{order_no}"} 4',
    ]


def test_label_values_are_escaped():
    gauge = GaugeFamily("g", "A gauge.", ("status",), {('say "hi"\\\n',): 1.0})
    assert exposition([gauge]).splitlines()[2] == 'g{status="say \\"hi\\"\\\\\\n"} 1'


def test_a_counter_refuses_to_go_down():
    counter = Counter("c_total", "A counter.")
    try:
        counter.inc(amount=-1)
    except ValueError:
        pass
    else:
        raise AssertionError("a negative increment was accepted")
    assert counter.value() == 0
