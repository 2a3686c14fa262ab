from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from liveport.catalog.domain import (
    TAX_CLASSES,
    NetUnit,
    ProductDraft,
    check_fx_rate,
    check_product,
    check_stock_placement,
    cny_price,
    consumption_tax_applies,
    gtin_is_valid,
    parse_positive_list,
)
from liveport.catalog.reference import POSITIVE_LIST_FILE, code_tables, load_positive_list
from liveport.core.errors import ValidationFailed

HEADER = (
    "hs8",
    "description_zh",
    "description_en",
    "legal_unit",
    "notes",
    "yearly_cap_qty",
    "yearly_cap_unit",
)


def rows(*lines: tuple[str, ...]) -> list[dict[str, str]]:
    return [dict(zip(HEADER, line, strict=True)) for line in lines]


PLIST = parse_positive_list(
    rows(
        ("17049000", "其他糖食", "Sugar confectionery", "035", "", "", ""),
        ("33049900", "护肤品", "Skin care", "035", "", "", ""),
        ("08105000", "鲜猕猴桃", "Kiwifruit", "035", "bonded_only", "", ""),
        ("10063010", "籼米精米", "Indica rice", "035", "", "20", "035"),
        ("22042100", "葡萄酒", "Wine", "095", "", "", ""),
    )
)

CANDY = ProductDraft(
    sku="RU-1",
    name_zh="奶糖",
    name_en="Toffee",
    description="",
    hs_code="1704900000",
    origin_country="344",
    trading_unit="136",
    legal_unit="035",
    legal_qty=Decimal("0.5"),
    tax_class="general",
    original_currency="RUB",
    original_amount=Decimal("600"),
    gross_weight_kg=Decimal("0.53"),
    net_weight_kg=Decimal("0.5"),
    net_content=Decimal("500"),
    net_content_unit=NetUnit.G,
    barcode="4601234001021",
)


def problem(draft: ProductDraft) -> str:
    with pytest.raises(ValidationFailed) as caught:
        check_product(draft, code_tables(), PLIST)
    return caught.value.code


def test_positive_list_rows_become_lines_with_notes_and_caps():
    rice = PLIST.line_for("1006301000")
    assert rice is not None
    assert (rice.hs8, rice.legal_unit, rice.yearly_cap_qty, rice.yearly_cap_unit) == (
        "10063010",
        "035",
        Decimal("20"),
        "035",
    )
    assert rice.bonded_only is False
    assert PLIST.line_for("0810500000").bonded_only is True
    assert PLIST.line_for("0810500000").notes == frozenset({"bonded_only"})


def test_a_ten_digit_code_is_looked_up_by_its_eight_digit_line():
    assert PLIST.line_for("1704900010").hs8 == "17049000"
    assert PLIST.line_for("17049000") is None
    assert PLIST.line_for("1704900000 ") is None
    assert PLIST.line_for("1806320000") is None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (("1704900", "x", "x", "035", "", "", ""), "hs8 must be 8 digits"),
        (("17049000", "x", "x", "35", "", "", ""), "legal_unit must be a 3-digit unit code"),
        (("17049000", "x", "x", "035", "", "2", ""), "a yearly cap needs both quantity and unit"),
        (("17049000", "x", "x", "035", "", "-2", "035"), "bad yearly cap"),
        (("17049000", "x", "x", "035", "Bonded Only", "", ""), "bad note"),
    ],
)
def test_a_broken_positive_list_row_is_refused_with_its_line_number(line, message):
    with pytest.raises(ValueError, match=f"positive list line 2: {message}"):
        parse_positive_list(rows(line))


def test_a_tariff_line_listed_twice_is_refused():
    line = ("17049000", "x", "x", "035", "", "", "")
    with pytest.raises(ValueError, match="positive list line 3: 17049000 appears twice"):
        parse_positive_list(rows(line, line))


def test_the_shipped_positive_list_loads_with_its_notes():
    shipped = load_positive_list(POSITIVE_LIST_FILE)
    assert len(shipped.lines) == 24
    assert shipped.line_for("0802910000").description_en == "Pine nuts, in shell"
    assert shipped.line_for("0810500000").bonded_only is True
    assert shipped.line_for("1006301000").yearly_cap_qty == Decimal("20")
    assert shipped.line_for("2204210000").legal_unit == "095"


def test_a_valid_product_returns_its_positive_list_line():
    assert check_product(CANDY, code_tables(), PLIST).hs8 == "17049000"


def test_a_product_off_the_positive_list_is_refused():
    assert problem(replace(CANDY, hs_code="1806320000")) == "not_on_positive_list"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"hs_code": "17049000"}, "invalid_hs_code"),
        ({"origin_country": "142"}, "unknown_country"),
        ({"origin_country": "341"}, "unknown_country"),  # legacy Kazakhstan code
        ({"origin_country": "000"}, "unknown_country"),
        ({"trading_unit": "999"}, "unknown_unit"),
        ({"legal_unit": "036"}, "legal_unit_mismatch"),
        ({"legal_qty": Decimal("0")}, "invalid_quantity"),
        ({"tax_class": "luxury"}, "unknown_tax_class"),
        ({"net_content_unit": None}, "invalid_net_content"),
        ({"net_content": Decimal("0")}, "invalid_net_content"),
        ({"gross_weight_kg": Decimal("0.4")}, "invalid_weight"),
        ({"original_currency": "rub"}, "invalid_currency"),
        ({"original_amount": Decimal("0")}, "invalid_price"),
        ({"barcode": "4601234001022"}, "invalid_barcode"),
    ],
)
def test_each_product_rule_has_its_own_code(changes, code):
    assert problem(replace(CANDY, **changes)) == code


def test_a_cosmetic_needs_its_net_content():
    cream = replace(
        CANDY, hs_code="3304990099", tax_class="cosmetics", net_content=None, net_content_unit=None
    )
    assert problem(cream) == "net_content_required"


def test_consumption_tax_on_cosmetics_starts_at_ten_yuan_per_ml_or_gram():
    cosmetics = TAX_CLASSES["cosmetics"]
    # cross-border.md §2 worked example 1: serum 30 ml at ¥450 is ¥15/ml
    assert consumption_tax_applies(cosmetics, Decimal("450"), Decimal("30"), NetUnit.ML) is True
    assert consumption_tax_applies(cosmetics, Decimal("300.00"), Decimal("30"), NetUnit.ML) is True
    assert consumption_tax_applies(cosmetics, Decimal("299.99"), Decimal("30"), NetUnit.ML) is False
    assert consumption_tax_applies(cosmetics, Decimal("35.00"), Decimal("3.5"), NetUnit.G) is True
    assert consumption_tax_applies(cosmetics, Decimal("34.99"), Decimal("3.5"), NetUnit.G) is False


def test_consumption_tax_on_face_masks_starts_at_fifteen_yuan_per_sheet():
    cosmetics = TAX_CLASSES["cosmetics"]
    assert consumption_tax_applies(cosmetics, Decimal("75.00"), Decimal("5"), NetUnit.SHEET) is True
    assert (
        consumption_tax_applies(cosmetics, Decimal("74.99"), Decimal("5"), NetUnit.SHEET) is False
    )
    # ¥12/sheet would be above the ml/g threshold but is below the per-sheet one
    assert consumption_tax_applies(cosmetics, Decimal("60"), Decimal("5"), NetUnit.SHEET) is False


def test_other_tax_classes_are_stored_as_rates_and_rules():
    assert (TAX_CLASSES["general"].vat_rate, TAX_CLASSES["general"].ct_rate) == (
        Decimal("0.13"),
        Decimal("0"),
    )
    assert TAX_CLASSES["agricultural"].vat_rate == Decimal("0.09")
    assert (TAX_CLASSES["wine"].ct_rule.value, TAX_CLASSES["wine"].ct_rate) == (
        "ad_valorem",
        Decimal("0.10"),
    )
    assert consumption_tax_applies(TAX_CLASSES["general"], Decimal("9999"), None, None) is False
    assert (
        consumption_tax_applies(TAX_CLASSES["wine"], Decimal("1"), Decimal("750"), NetUnit.ML)
        is True
    )
    assert consumption_tax_applies(TAX_CLASSES["cosmetics"], Decimal("1"), None, None) is True


def test_cny_price_is_the_original_price_at_the_rate_rounded_half_up_to_the_fen():
    assert cny_price(Decimal("18"), Decimal("7.1")) == Decimal("127.80")
    assert cny_price(Decimal("95"), Decimal("1.93")) == Decimal("183.35")
    assert cny_price(Decimal("1"), Decimal("0.005")) == Decimal("0.01")
    assert cny_price(Decimal("1"), Decimal("0.0149")) == Decimal("0.01")
    with pytest.raises(ValidationFailed) as caught:
        cny_price(Decimal("1"), Decimal("0.0049"))
    assert caught.value.code == "invalid_price"


@pytest.mark.parametrize(
    ("currency", "rate", "code"),
    [
        ("CNY", Decimal("1"), "invalid_currency"),
        ("usd", Decimal("7.1"), "invalid_currency"),
        ("USD", Decimal("0"), "invalid_fx_rate"),
        ("USD", Decimal("NaN"), "invalid_fx_rate"),
    ],
)
def test_fx_rates_are_positive_and_for_foreign_currencies(currency, rate, code):
    with pytest.raises(ValidationFailed) as caught:
        check_fx_rate(currency, rate)
    assert caught.value.code == code


def test_gtin_check_digits():
    assert gtin_is_valid("4601234001021") is True
    assert gtin_is_valid("96385074") is True  # EAN-8
    assert gtin_is_valid("036000291452") is True  # UPC-A
    assert gtin_is_valid("4601234001020") is False
    assert gtin_is_valid("460123400102") is False
    assert gtin_is_valid("٤٦٠١٢٣٤٠٠١٠٢١") is False  # digits, but not ASCII


def test_bonded_only_lines_are_stocked_in_bonded_warehouses_only():
    kiwi = PLIST.line_for("0810500000")
    check_stock_placement(kiwi, "bonded")
    check_stock_placement(PLIST.line_for("1704900000"), "overseas")
    with pytest.raises(ValidationFailed) as caught:
        check_stock_placement(kiwi, "overseas")
    assert caught.value.code == "bonded_only"
