"""The analytics model on a fixed set of facts, every figure computed by hand.

The night: show 1 (Afghan pine nuts, Russian candy), show 2 (candy only), one catalog order.
  order 10, show 1, buyer A: 2 × pine nuts (goods 198.00) → paid 220.00 at 20:00:10
  order 11, show 1, buyer B: 1 × pine nuts (99.00) + 1 × candy (33.00) → paid 150.00 at 20:00:50
  order 12, show 1, buyer C: 3 × candy (99.00) → paid 110.00 at 20:02:05, fully refunded at 20:03:00
  order 13, show 2, buyer B: 1 × candy (33.00) → paid 40.00 at 20:03:30, 10.00 goodwill at 20:04:00
  order 14, no show, buyer D: 1 × pine nuts (99.00) → paid 100.01 at 20:04:59
GMV = 220 + 150 + (110 − 110) + (40 − 10) + 100.01 = 500.01; units = 2 + 2 + 1 + 1 = 6 (order
12 refunded in full); orders paid = 4 (10, 11, 13, 14).
"""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from liveport.analytics.domain import (
    Breakdown,
    Funnel,
    MinutePoint,
    Movement,
    OrderFacts,
    PresenceSample,
    SoldLine,
    allocate,
    figures,
    minute_of,
    peak_viewers,
)

D = Decimal


def at(minute: int, second: int = 0) -> datetime:
    return datetime(2026, 11, 5, 20, minute, second, tzinfo=UTC)


NUTS = SoldLine(1, "Pine nuts", "AFG", 1, D("99.00"))
CANDY = SoldLine(2, "Candy", "RUS", 1, D("33.00"))


def line(base: SoldLine, qty: int) -> SoldLine:
    return SoldLine(base.product_id, base.label, base.origin_country, qty, base.goods_value * qty)


ORDERS = {
    10: OrderFacts(10, "1", "Show 1", "p1", "Afghanistan", (line(NUTS, 2),), buyer_key="A"),
    11: OrderFacts(11, "1", "Show 1", "p1", "Afghanistan", (line(NUTS, 1), line(CANDY, 1)), buyer_key="B"),
    12: OrderFacts(12, "1", "Show 1", "p2", "Russia", (line(CANDY, 3),), buyer_key="C"),
    13: OrderFacts(13, "2", "Show 2", "p2", "Russia", (line(CANDY, 1),), buyer_key="B"),
    14: OrderFacts(14, "none", "—", "p1", "Afghanistan", (line(NUTS, 1),), buyer_key="D"),
}
MOVES = [
    Movement(10, at(0, 10), D("220.00")),
    Movement(11, at(0, 50), D("150.00")),
    Movement(12, at(2, 5), D("110.00")),
    Movement(12, at(3, 0), D("-110.00")),
    Movement(13, at(3, 30), D("40.00")),
    Movement(13, at(4, 0), D("-10.00")),
    Movement(14, at(4, 59), D("100.01")),
    Movement(99, at(1, 0), D("500.00")),  # an order out of scope: ignored
]
SAMPLES = [PresenceSample(1, at(0, 0), 120), PresenceSample(1, at(0, 5), 180), PresenceSample(2, at(0, 4), 50),
           PresenceSample(1, at(3, 0), 90), PresenceSample(2, at(3, 1), 140)]


def night():
    return figures(MOVES, ORDERS, viewer_keys=["A", "B", "C", "E", "F", "A", "user:9"],
                   claimer_keys=["A", "B", "C", "E"], samples=SAMPLES,
                   declaration_statuses=["sent", "failed", "released", "released", "failed", "accepted"])


def test_gmv_units_and_orders_are_what_the_ledger_kept_net_of_refunds():
    f = night()
    assert (f.currency, f.gmv, f.units, f.orders_paid) == ("CNY", D("500.01"), 6, 4)


def test_gmv_by_minute_puts_refunds_in_their_own_minute_and_fills_quiet_minutes():
    assert night().by_minute == [
        MinutePoint(at(0), D("370.00"), 4),  # orders 10 and 11: 2 + 2 units
        MinutePoint(at(1), D("0.00"), 0),
        MinutePoint(at(2), D("110.00"), 3),
        MinutePoint(at(3), D("-70.00"), -2),  # −110 (order 12 back, its 3 units out) + 40 (order 13, 1 unit)
        MinutePoint(at(4), D("90.01"), 1),
    ]


def test_breakdowns_by_show_and_pavilion_add_up_to_the_gmv():
    f = night()
    assert f.by_show == [Breakdown("1", "Show 1", D("370.00"), 4, 2), Breakdown("none", "—", D("100.01"), 1, 1),
                         Breakdown("2", "Show 2", D("30.00"), 1, 1)]
    assert f.by_pavilion == [Breakdown("p1", "Afghanistan", D("470.01"), 5, 3),
                             Breakdown("p2", "Russia", D("30.00"), 1, 1)]


def test_product_and_country_split_an_order_by_goods_value_to_the_fen():
    # order 11's 150.00 over goods 99 + 33: 112.50 pine nuts, 37.50 candy
    f = night()
    assert f.by_product == [Breakdown("1", "Pine nuts", D("432.51"), 4, 3), Breakdown("2", "Candy", D("67.50"), 2, 2)]
    assert f.by_country == [Breakdown("AFG", "AFG", D("432.51"), 4, 3), Breakdown("RUS", "RUS", D("67.50"), 2, 2)]


def test_funnel_counts_distinct_people_and_payers_are_the_buyers_of_show_orders_still_paid():
    f = night()
    # A and B (twice); not C (refunded in full), not D (bought from the catalog, outside any show)
    assert f.funnel == Funnel(viewers=6, claimers=4, payers=2)
    assert (f.funnel.claim_rate, f.funnel.pay_rate, f.funnel.conversion) == (0.6667, 0.5, 0.3333)


def test_rates_of_an_empty_funnel_are_none():
    assert (Funnel(0, 0, 0).claim_rate, Funnel(0, 0, 0).pay_rate, Funnel(0, 0, 0).conversion) == (None, None, None)


def test_peak_viewers_adds_shows_watched_at_the_same_time():
    assert night().peak_viewers == 230  # 20:00:00–09: show 1 at 180, show 2 at 50
    assert peak_viewers([]) == 0


def test_declarations_are_counted_by_status():
    assert night().declarations == {"accepted": 1, "failed": 2, "released": 2, "sent": 1}


def test_allocate_splits_to_the_fen_and_adds_up_exactly():
    assert allocate(D("100.00"), [D("1"), D("1"), D("1")]) == [D("33.34"), D("33.33"), D("33.33")]
    assert allocate(D("-10.00"), [D("99"), D("33")]) == [D("-7.50"), D("-2.50")]
    assert allocate(D("0.05"), [D("3"), D("1")]) == [D("0.04"), D("0.01")]


def test_nothing_sold_gives_empty_figures():
    f = figures([], {}, viewer_keys=[], claimer_keys=[], samples=[], declaration_statuses=[])
    assert (f.gmv, f.units, f.orders_paid, f.by_minute, f.by_product, f.declarations) == (D("0.00"), 0, 0, [], [], {})


def test_a_naive_time_is_taken_as_utc_and_cut_to_its_minute():
    assert minute_of(datetime(2026, 11, 5, 20, 7, 59, 999)) == at(7)


@given(st.decimals(min_value=Decimal("-99999.99"), max_value=Decimal("99999.99"), places=2),
       st.lists(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2), min_size=1, max_size=8))
def test_allocated_shares_always_add_up_to_the_amount_and_keep_its_sign(amount, weights):
    shares = allocate(amount, weights)
    assert sum(shares, Decimal(0)) == amount
    assert all(s == s.quantize(Decimal("0.01")) and (s * amount >= 0) for s in shares)
