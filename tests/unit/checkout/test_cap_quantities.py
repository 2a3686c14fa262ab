"""Counting legal quantities against the positive list's yearly caps."""
from __future__ import annotations

from decimal import Decimal

import pytest

from liveport.catalog.domain import parse_positive_list
from liveport.checkout.caps import capped_quantities
from liveport.checkout.refusals import CapUnitMismatch

HEADER = ["hs8", "description_zh", "description_en", "legal_unit", "notes", "yearly_cap_qty", "yearly_cap_unit"]
PLIST = parse_positive_list([
    dict(zip(HEADER, row)) for row in (
        ["17049000", "糖食", "Sugar confectionery", "035", "", "2", "035"],
        ["10063010", "米", "Rice", "035", "", "20", "035"],
        ["33049900", "护肤品", "Skin care", "035", "", "", ""],
    )
])


def test_lines_of_one_tariff_line_add_up_in_the_caps_unit():
    lines = [("1704900000", 3, Decimal("0.5"), "035"), ("1704900011", 2, Decimal(250), "036"),
             ("3304990099", 5, Decimal("0.03"), "035")]
    assert capped_quantities(lines, PLIST) == [("17049000", Decimal("2.000"), Decimal(2))]


def test_a_unit_that_cannot_be_compared_is_refused_not_guessed():
    with pytest.raises(CapUnitMismatch) as caught:
        capped_quantities([("1006301000", 1, Decimal(1), "095")], PLIST)
    assert caught.value.code == "cap_unit_mismatch"
    assert (caught.value.details["unit"], caught.value.details["cap_unit"]) == ("095", "035")
