"""compute_tax: the worked examples of cross-border.md §2 to the fen, thresholds, regimes."""
from __future__ import annotations

from decimal import Decimal

import pytest

from liveport.checkout.domain import InvalidBasket, LimitPolicy, Regime, allocate, compute_tax
from tests.unit.checkout.baskets import (
    AGRICULTURAL,
    CREAM_50G,
    GENERAL,
    MASKS_10,
    SERUM_30ML,
    WINE,
    line,
    profile,
)

D = Decimal


def test_worked_example_1_two_serums_with_freight():
    # given 2 × serum 30 ml at ¥450 (¥15/ml: a high-end cosmetic), freight ¥20
    quote = compute_tax([line("SERUM", 2, "450.00", SERUM_30ML)], D("20.00"))
    # then
    (serum,) = quote.lines
    assert (serum.dutiable_value, serum.ct_applies) == (D("920.00"), True)
    assert (serum.consumption_tax, serum.vat, serum.tax_total) == (D("113.65"), D("98.49"), D("212.14"))
    assert (quote.goods_value, quote.freight, quote.dutiable_value) == (D("900.00"), D("20.00"), D("920.00"))
    assert (quote.tax_total, quote.actural_paid, quote.regime) == (D("212.14"), D("1132.14"), Regime.CBEC)


def test_worked_example_2_milk_powder():
    quote = compute_tax([line("MILK", 1, "300.00", GENERAL)], D("10.00"))
    assert (quote.lines[0].consumption_tax, quote.lines[0].vat) == (D("0.00"), D("28.21"))
    assert (quote.tax_total, quote.actural_paid) == (D("28.21"), D("338.21"))


def test_actural_paid_is_the_three_document_sum():
    quote = compute_tax([line("SERUM", 2, "450.00", SERUM_30ML)], D("20.00"), discount=D("50.00"))
    assert quote.actural_paid == quote.goods_value + quote.freight + quote.tax_total - quote.discount
    assert quote.actural_paid == D("1082.14")


@pytest.mark.parametrize("price, ct_applies, ct, vat", [
    ("299.99", False, "0.00", "27.30"),  # ¥9.9997/ml: below ¥10/ml, no consumption tax
    ("300.00", True, "37.06", "32.12"),  # exactly ¥10/ml: due
    ("300.01", True, "37.06", "32.12"),
])
def test_cosmetics_threshold_per_ml(price, ct_applies, ct, vat):
    quote = compute_tax([line("SERUM", 1, price, SERUM_30ML)], D("0"))
    taxed = quote.lines[0]
    assert (taxed.ct_applies, taxed.consumption_tax, taxed.vat) == (ct_applies, D(ct), D(vat))


def test_cosmetics_threshold_counts_the_freight_share_in_the_price_per_item():
    # ¥290 + ¥10 freight = ¥300 dutiable for 30 ml: ¥10/ml, so the tax is due
    quote = compute_tax([line("SERUM", 1, "290.00", SERUM_30ML)], D("10.00"))
    assert (quote.lines[0].ct_applies, quote.tax_total) == (True, D("69.18"))


def test_cosmetics_threshold_per_gram():
    below = compute_tax([line("CREAM", 1, "499.99", CREAM_50G)], D("0")).lines[0]
    at = compute_tax([line("CREAM", 1, "500.00", CREAM_50G)], D("0")).lines[0]
    assert (below.ct_applies, at.ct_applies) == (False, True)


@pytest.mark.parametrize("price, ct_applies, ct, vat", [
    ("149.99", False, "0.00", "13.65"),  # ¥14.999 per sheet
    ("150.00", True, "18.53", "16.06"),  # exactly ¥15 per sheet
])
def test_cosmetics_threshold_per_sheet(price, ct_applies, ct, vat):
    taxed = compute_tax([line("MASKS", 1, price, MASKS_10)], D("0")).lines[0]
    assert (taxed.ct_applies, taxed.consumption_tax, taxed.vat) == (ct_applies, D(ct), D(vat))


def test_wine_pays_ad_valorem_consumption_tax_at_any_price():
    dear = compute_tax([line("WINE", 1, "200.00", WINE)], D("0")).lines[0]
    cheap = compute_tax([line("WINE", 1, "20.00", WINE)], D("0")).lines[0]
    assert (dear.consumption_tax, dear.vat, dear.tax_total) == (D("15.56"), D("20.22"), D("35.78"))
    assert (cheap.ct_applies, cheap.consumption_tax, cheap.vat) == (True, D("1.56"), D("2.02"))


def test_agricultural_goods_pay_6_3_percent():
    assert compute_tax([line("RICE", 1, "100.00", AGRICULTURAL)], D("0")).tax_total == D("6.30")


def test_freight_is_shared_by_goods_value_and_sums_exactly():
    # given ¥10 over goods of ¥100, ¥200 and ¥700 (in no particular order)
    lines = [line("C", 7, "100.00"), line("A", 1, "100.00"), line("B", 2, "100.00")]
    quote = compute_tax(lines, D("10.00"))
    assert [(t.sku, t.freight_share) for t in quote.lines] == [
        ("C", D("7.00")), ("A", D("1.00")), ("B", D("2.00"))
    ]


def test_leftover_fen_go_to_the_largest_remainders_then_by_sku():
    # ¥0.05 over 1, 1, 1 and 0.01: "last takes the remainder" would give it −¥0.01
    shares = allocate(D("0.05"), [D("1"), D("1"), D("1"), D("0.01")], [2, 0, 1, 3])
    assert shares == [D("0.01"), D("0.02"), D("0.02"), D("0.00")]


def test_a_discount_does_not_lower_the_base_by_default():
    quote = compute_tax([line("SERUM", 2, "450.00", SERUM_30ML)], D("20.00"), discount=D("50.00"))
    assert (quote.lines[0].discount_share, quote.dutiable_value, quote.tax_total) == (
        D("50.00"), D("920.00"), D("212.14")
    )


def test_a_discount_lowers_the_base_when_the_policy_says_so():
    policy = LimitPolicy(discount_reduces_base=True)
    quote = compute_tax(
        [line("SERUM", 2, "450.00", SERUM_30ML)], D("20.00"), discount=D("50.00"), policy=policy
    )
    assert (quote.dutiable_value, quote.lines[0].consumption_tax, quote.lines[0].vat) == (
        D("870.00"), D("107.47"), D("93.14")
    )
    assert (quote.tax_total, quote.actural_paid) == (D("200.61"), D("1070.61"))


def test_insurance_is_dutiable_and_paid():
    quote = compute_tax([line("MILK", 1, "300.00")], D("10.00"), insurance=D("5.00"))
    assert (quote.dutiable_value, quote.lines[0].insurance_share) == (D("315.00"), D("5.00"))
    assert (quote.tax_total, quote.actural_paid) == (D("28.67"), D("343.67"))


def test_one_unit_above_the_limit_pays_full_tax_without_relief():
    quote = compute_tax([line("GOLD", 1, "6000.00")], D("0"))
    assert (quote.regime, quote.lines[0].vat, quote.tax_total) == (Regime.FULL_TAX, D("780.00"), D("780.00"))


def test_full_tax_adds_the_tariff_to_the_base_of_the_other_taxes():
    quote = compute_tax([line("GOLD", 1, "6000.00", profile("general", tariff_rate="0.1"))], D("0"))
    taxed = quote.lines[0]
    assert (taxed.tariff, taxed.vat, taxed.tax_total) == (D("600.00"), D("858.00"), D("1458.00"))


def test_no_tariff_within_the_limits():
    quote = compute_tax([line("GOLD", 1, "4000.00", profile("general", tariff_rate="0.1"))], D("0"))
    assert (quote.regime, quote.lines[0].tariff, quote.tax_total) == (Regime.CBEC, D("0"), D("364.00"))


def test_a_full_tax_cosmetic_pays_full_consumption_tax():
    quote = compute_tax([line("CREAM", 1, "5200.00", CREAM_50G)], D("20.00"))
    taxed = quote.lines[0]
    assert (quote.regime, taxed.consumption_tax, taxed.vat) == (Regime.FULL_TAX, D("921.18"), D("798.35"))


def test_several_units_above_the_limit_are_quoted_not_refused():
    # refusing is check_order_limits' job, which also suggests the split
    quote = compute_tax([line("GOLD", 2, "3000.00")], D("0"))
    assert (quote.regime, quote.dutiable_value) == (Regime.CBEC, D("6000.00"))


def test_the_goods_value_basis_compares_goods_only():
    policy = LimitPolicy(basis="goods_value")
    quote = compute_tax([line("GOLD", 1, "5000.00")], D("20.00"), policy=policy)
    assert (quote.regime, policy.counted_value(quote)) == (Regime.CBEC, D("5000.00"))


def test_adding_a_unit_can_lower_the_tax_when_freight_spreads_below_the_cosmetics_threshold():
    # a fact of the rule, not a defect: the threshold looks at the dutiable price per item
    one = compute_tax([line("SERUM", 1, "280.00", SERUM_30ML)], D("20.00"))
    two = compute_tax([line("SERUM", 2, "280.00", SERUM_30ML)], D("20.00"))
    assert (one.lines[0].ct_applies, one.tax_total) == (True, D("69.18"))
    assert (two.lines[0].ct_applies, two.tax_total) == (False, D("52.78"))


def test_adding_a_unit_can_lower_the_tax_when_freight_moves_to_a_lower_rate_line():
    wine, nuts = line("WINE", 1, "1.00", WINE), line("NUTS", 1, "1.00", AGRICULTURAL)
    before = compute_tax([wine, nuts], D("100.00"))
    after = compute_tax([wine, line("NUTS", 2, "1.00", AGRICULTURAL)], D("100.00"))
    assert (before.tax_total, after.tax_total) == (D("12.34"), D("10.47"))


@pytest.mark.parametrize("lines, freight, discount, code", [
    ([], "0", "0", "empty_basket"),
    ([line("A", 0, "1.00")], "0", "0", "invalid_quantity"),
    ([line("A", 1, "0.00")], "0", "0", "invalid_price"),
    ([line("A", 1, "1.001")], "0", "0", "invalid_price"),
    ([line("A", 1, "1.00")], "-0.01", "0", "invalid_amount"),
    ([line("A", 1, "1.00")], "0.001", "0", "invalid_amount"),
    ([line("A", 1, "1.00")], "NaN", "0", "invalid_amount"),
    ([line("A", 1, "1.00")], "0", "1.01", "invalid_discount"),
])
def test_bad_baskets_are_refused_with_a_code_in_both_languages(lines, freight, discount, code):
    with pytest.raises(InvalidBasket) as refused:
        compute_tax(lines, D(freight), discount=D(discount))
    assert (refused.value.code, refused.value.status) == (code, 422)
    assert refused.value.message and refused.value.message_in("zh") != refused.value.message


def test_money_never_comes_from_a_float():
    with pytest.raises(TypeError):
        compute_tax([line("A", 1, "1.00")], 0.5)  # type: ignore[arg-type]
