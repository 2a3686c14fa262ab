"""The figures as the API writes them: two-decimal strings for money, UTC ISO minutes."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from liveport.analytics.domain import Breakdown, Figures, Funnel, MinutePoint
from liveport.analytics.schemas import figures_json


def test_money_is_two_decimal_text_and_minutes_are_utc_iso():
    f = Figures(currency="CNY", gmv=Decimal("1417.6"), units=25, orders_paid=13,
                by_minute=[MinutePoint(datetime(2026, 11, 26, 11, 38, tzinfo=UTC), Decimal(-5), -1)],
                by_show=[], by_country=[Breakdown("344", "Russia", Decimal("12.5"), 2, 1)], by_pavilion=[],
                by_product=[Breakdown(str(n), f"p{n}", Decimal(n), n, 1) for n in range(30, 0, -1)],
                funnel=Funnel(4, 2, 1), peak_viewers=9, declarations={"failed": 1})
    out = figures_json(f)
    assert (out["gmv"], out["by_minute"]) == ("1417.60", [{"minute": "2026-11-26T11:38:00.000Z", "gmv": "-5.00",
                                                           "units": -1}])
    assert out["by_country"] == [{"key": "344", "label": "Russia", "gmv": "12.50", "units": 2, "orders": 1}]
    assert len(out["by_product"]) == 20 and out["by_product"][0]["key"] == "30"
    assert out["funnel"] == {"viewers": 4, "claimers": 2, "payers": 1, "claim_rate": 0.5, "pay_rate": 0.5,
                             "conversion": 0.25}
    assert (out["peak_viewers"], out["declarations"]) == (9, {"failed": 1})
