from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from PIL import Image

from liveport.analytics.domain import Breakdown
from liveport.showreport import charts
from liveport.showreport.domain import ImportIndexRow, import_index, latin_label

RU, AF, AE = ("RU", "俄罗斯 / Russia"), ("AF", "阿富汗 / Afghanistan"), ("AE", "阿联酋 / UAE")


def b(country: tuple[str, str], gmv: str, units: int = 1) -> Breakdown:
    return Breakdown(country[0], country[1], Decimal(gmv), units, 1)


def test_the_index_compares_tonights_share_with_the_earlier_shows_share():
    # tonight: Russia 600 of 1000 (60%), Afghanistan 400 (40%); before: Russia 300 of 1000
    # (30%) and the UAE 700 (70%) over two shows; Afghanistan is new
    rows = import_index([b(AF, "400.00", 4), b(RU, "600.00", 6)],
                        [[b(RU, "100.00"), b(AE, "400.00")], [b(RU, "200.00"), b(AE, "300.00")]])
    assert rows == [
        ImportIndexRow("RU", RU[1], Decimal("600.00"), 6, Decimal("0.6000"), Decimal("300.00"), Decimal("0.3000"), 200),
        ImportIndexRow("AF", AF[1], Decimal("400.00"), 4, Decimal("0.4000"), Decimal(0), Decimal(0), None),
        ImportIndexRow("AE", AE[1], Decimal(0), 0, Decimal(0), Decimal("700.00"), Decimal("0.7000"), 0),
    ]


def test_without_earlier_shows_every_country_is_new():
    rows = import_index([b(RU, "10.00")], [])
    assert [(r.key, r.share, r.index) for r in rows] == [("RU", Decimal("1.0000"), None)]


def test_chart_labels_take_the_english_half():
    assert (latin_label("俄罗斯 / Russia"), latin_label("Russia")) == ("Russia", "Russia")


def test_the_minute_chart_is_a_png_of_the_page_width(tmp_path):
    at = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    path = charts.gmv_per_minute(tmp_path / "m.png", [(at, Decimal("120.00"))],
                                 [charts.Marker(at, "drop", "drop 1")], "GMV per minute")
    with Image.open(path) as image:
        assert (image.format, image.size) == ("PNG", (charts.WIDTH, charts.HEIGHT))
