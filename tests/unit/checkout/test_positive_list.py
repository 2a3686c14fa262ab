"""check_positive_list: listed tariff lines, bonded-only lines, yearly caps per identity."""
from __future__ import annotations

from decimal import Decimal

import pytest

from liveport.catalog.domain import parse_positive_list
from liveport.checkout.domain import (
    BondedOnly,
    CapUnitMismatch,
    NotOnPositiveList,
    YearlyCapExceeded,
    check_positive_list,
)
from tests.unit.checkout.baskets import line

D = Decimal
HEADER = ("hs8", "description_zh", "description_en", "legal_unit", "notes", "yearly_cap_qty",
          "yearly_cap_unit")
PLIST = parse_positive_list([dict(zip(HEADER, row, strict=True)) for row in (
    ("17049000", "其他糖食", "Sugar confectionery", "035", "", "", ""),
    ("17019910", "白砂糖", "White sugar", "035", "", "2", "035"),
    ("10063010", "籼米精米", "Indica rice", "035", "", "20", "035"),
    ("08105000", "鲜猕猴桃", "Kiwifruit", "035", "bonded_only", "", ""),
)])
BONDED = {"SUGAR": "bonded", "KIWI": "bonded", "CANDY": "bonded"}


def sugar(qty: int, legal_qty: str = "0.5", legal_unit: str = "035", sku: str = "SUGAR"):
    return line(sku, qty, "10.00", hs_code="1701991000", legal_qty=legal_qty, legal_unit=legal_unit,
                name="白砂糖 500g")


def test_listed_goods_pass():
    check_positive_list([line("CANDY", 3, "48.00")], PLIST, BONDED, {})


@pytest.mark.parametrize("hs_code", ["3304990000", "17049000", "170490000X"])
def test_goods_off_the_list_are_refused(hs_code):
    with pytest.raises(NotOnPositiveList) as refused:
        check_positive_list([line("CANDY", 1, "48.00"), line("X", 1, "9.00", hs_code=hs_code)],
                            PLIST, BONDED, {})
    error = refused.value
    assert (error.code, error.status, error.details) == (
        "not_on_positive_list", 422, {"sku": "X", "hs_code": hs_code}
    )
    assert "goods X" in error.message and "goods X" in error.message_zh


def test_bonded_only_goods_pass_from_a_bonded_warehouse():
    check_positive_list([line("KIWI", 1, "30.00", hs_code="0810500000")], PLIST, BONDED, {})


@pytest.mark.parametrize("kinds", [{"KIWI": "overseas"}, {}])
def test_bonded_only_goods_are_refused_from_other_stock(kinds):
    with pytest.raises(BondedOnly) as refused:
        check_positive_list([line("KIWI", 1, "30.00", hs_code="0810500000")], PLIST, kinds, {})
    assert (refused.value.code, refused.value.details) == ("bonded_only", {"sku": "KIWI", "hs8": "08105000"})


def test_off_the_list_is_told_before_bonded_only():
    lines = [line("KIWI", 1, "30.00", hs_code="0810500000"), line("X", 1, "9.00", hs_code="3304990000")]
    with pytest.raises(NotOnPositiveList):
        check_positive_list(lines, PLIST, {}, {})


def test_sugar_exactly_at_the_yearly_cap_passes():
    check_positive_list([sugar(4)], PLIST, BONDED, {})  # 4 × 0.5 kg = 2 kg
    check_positive_list([sugar(2)], PLIST, BONDED, {"17019910": D("1")})


def test_sugar_above_the_yearly_cap_is_refused():
    with pytest.raises(YearlyCapExceeded) as refused:
        check_positive_list([sugar(4)], PLIST, BONDED, {"17019910": D("0.5")})
    error = refused.value
    assert (error.code, error.status) == ("yearly_cap_exceeded", 422)
    assert error.details == {"hs8": "17019910", "cap": "2", "unit": "035", "used": "0.5", "asked": "2"}
    assert error.message == (
        "White sugar: one person may buy at most 2 kg a year. You have bought 0.5 kg this year "
        "and this order has 2 kg."
    )
    assert error.message_zh == "白砂糖每人每年限购 2 千克；您本年度已购 0.5 千克，本单为 2 千克。"


def test_a_cap_in_kg_counts_goods_declared_in_grams():
    check_positive_list([sugar(4, legal_qty="500", legal_unit="036")], PLIST, BONDED, {})
    with pytest.raises(YearlyCapExceeded) as refused:
        check_positive_list([sugar(5, legal_qty="500", legal_unit="036")], PLIST, BONDED, {})
    assert refused.value.details["asked"] == "2.5"


def test_lines_on_the_same_tariff_line_add_up():
    lines = [sugar(2), sugar(3, sku="SUGAR2")]
    with pytest.raises(YearlyCapExceeded) as refused:
        check_positive_list(lines, PLIST, BONDED, {})
    assert refused.value.details["asked"] == "2.5"


def test_a_unit_that_cannot_be_converted_to_the_caps_is_refused_clearly():
    with pytest.raises(CapUnitMismatch) as refused:
        check_positive_list([sugar(1, legal_qty="1", legal_unit="011")], PLIST, BONDED, {})
    assert (refused.value.code, refused.value.details) == (
        "cap_unit_mismatch", {"sku": "SUGAR", "unit": "011", "cap_unit": "035"}
    )
