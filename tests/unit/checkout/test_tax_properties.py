"""Properties of compute_tax and suggest_split over generated baskets."""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from liveport.catalog.domain import CtRule
from liveport.checkout.domain import LimitPolicy, Regime, compute_tax, suggest_split
from tests.unit.checkout.baskets import (
    AGRICULTURAL,
    CREAM_50G,
    GENERAL,
    MASKS_10,
    SERUM_30ML,
    WINE,
    line,
)

D = Decimal
FEN = D("0.01")
HALF_FEN = D("0.005")
PROFILES = [GENERAL, AGRICULTURAL, SERUM_30ML, CREAM_50G, MASKS_10, WINE]
FLAT_PROFILES = [GENERAL, AGRICULTURAL, WINE]  # no threshold: the rate never depends on price

fen = st.integers(min_value=0, max_value=50_000).map(lambda n: D(n) * FEN)


ANY_PRICE = st.integers(min_value=1, max_value=300_000)
FEW_PRICES = st.sampled_from([100, 100, 300, 700])  # equal goods values tie on remainders


@st.composite
def baskets(draw, profiles=PROFILES, max_lines=6, prices=ANY_PRICE):
    skus = draw(st.lists(st.sampled_from("ABCDEFGHIJ"), min_size=1, max_size=max_lines, unique=True))
    return [
        line(
            sku,
            draw(st.integers(min_value=1, max_value=20)),
            str(D(draw(prices)) * FEN),
            draw(st.sampled_from(profiles)),
        )
        for sku in skus
    ]


def ct_is_due(basket_line, base):
    tax = basket_line.tax
    if tax.ct_rule is CtRule.NONE:
        return False
    if tax.ct_rule is CtRule.AD_VALOREM:
        return True
    per_unit = base / basket_line.qty / tax.net_content
    threshold = tax.ct_min_per_sheet if tax.net_unit.value == "sheet" else tax.ct_min_per_ml_g
    return per_unit >= threshold


@given(baskets(), fen, fen)
def test_each_tax_is_within_half_a_fen_of_the_exact_formula(lines, freight, insurance):
    quote = compute_tax(lines, freight, insurance)
    relief = D("0.7") if quote.regime is Regime.CBEC else D(1)
    for basket_line, taxed in zip(lines, quote.lines, strict=True):
        base = basket_line.unit_price * basket_line.qty + taxed.freight_share + taxed.insurance_share
        assert taxed.dutiable_value == base
        c, v = basket_line.tax.ct_rate, basket_line.tax.vat_rate
        ct_full = base * c / (1 - c) if ct_is_due(basket_line, base) else D(0)
        vat_full = (base + ct_full) * v
        assert abs(taxed.consumption_tax - relief * ct_full) <= HALF_FEN
        assert abs(taxed.vat - relief * vat_full) <= HALF_FEN
        assert taxed.tax_total == taxed.tariff + taxed.consumption_tax + taxed.vat


@given(baskets(), fen, fen, st.data())
def test_shares_sum_exactly_and_stay_within_a_fen_of_the_exact_proportion(lines, freight, insurance, data):
    goods = sum(basket_line.goods_value for basket_line in lines)
    discount = D(data.draw(st.integers(min_value=0, max_value=int(goods / FEN)))) * FEN
    quote = compute_tax(lines, freight, insurance, discount)
    for total, field in ((freight, "freight_share"), (insurance, "insurance_share"),
                         (discount, "discount_share")):
        shares = [getattr(taxed, field) for taxed in quote.lines]
        assert sum(shares) == total
        for taxed, share in zip(quote.lines, shares, strict=True):
            assert share >= 0
            assert abs(share - total * taxed.goods_value / goods) < FEN
    assert quote.actural_paid == goods + freight + insurance + quote.tax_total - discount


@given(
    st.one_of(baskets(), baskets(prices=FEW_PRICES)),
    st.one_of(fen, st.integers(min_value=0, max_value=9).map(lambda n: D(n) * FEN)),
    st.randoms(use_true_random=False),
)
def test_the_result_per_sku_does_not_depend_on_the_order_of_the_lines(lines, freight, rnd):
    shuffled = list(lines)
    rnd.shuffle(shuffled)
    first, second = compute_tax(lines, freight), compute_tax(shuffled, freight)
    assert {t.sku: t for t in first.lines} == {t.sku: t for t in second.lines}
    assert (first.tax_total, first.actural_paid) == (second.tax_total, second.actural_paid)


@given(baskets(), st.data())
def test_without_freight_adding_a_unit_never_lowers_the_tax(lines, data):
    # With freight, it can: see the two examples at the end of test_tax.py.
    before = compute_tax(lines, D(0))
    assume(before.regime is Regime.CBEC)
    index = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
    more = list(lines)
    more[index] = replace(lines[index], qty=lines[index].qty + 1)
    assert compute_tax(more, D(0)).tax_total >= before.tax_total


@given(baskets(profiles=FLAT_PROFILES, max_lines=1), fen)
def test_one_line_without_a_threshold_never_gets_cheaper_with_another_unit(lines, freight):
    before = compute_tax(lines, freight)
    assume(before.regime is Regime.CBEC)
    more = [replace(lines[0], qty=lines[0].qty + 1)]
    assert compute_tax(more, freight).tax_total >= before.tax_total


@given(baskets(), fen)
def test_a_split_covers_every_unit_and_each_group_is_a_compliant_order(lines, freight):
    policy = LimitPolicy()
    groups = suggest_split(lines, freight, policy)
    covered = Counter()
    price = {basket_line.sku: basket_line.unit_price for basket_line in lines}
    for group in groups:
        assert group and all(qty >= 1 for _, qty in group)
        covered.update(dict(group))
        value = sum(price[sku] * qty for sku, qty in group) + freight
        assert value <= policy.per_order_limit or group == [(group[0][0], 1)]
    assert covered == Counter({basket_line.sku: basket_line.qty for basket_line in lines})
    assert suggest_split(lines, freight, policy) == groups
