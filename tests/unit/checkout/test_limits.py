"""The per-order limit, the single-item exception, the annual quota, the split, the China year."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from liveport.checkout.domain import (
    AnnualQuotaExceeded,
    LimitPolicy,
    OrderLimitExceeded,
    Regime,
    check_order_limits,
    china_year,
    compute_tax,
    remaining_quota,
    suggest_split,
)
from tests.unit.checkout.baskets import SERUM_30ML, line

D = Decimal
POLICY = LimitPolicy()


def checked(lines, freight="0", remaining=None, policy=POLICY):
    quote = compute_tax(lines, D(freight), policy=policy)
    check_order_limits(quote, lines, policy, None if remaining is None else D(remaining))
    return quote


def test_exactly_the_order_limit_is_allowed():
    quote = checked([line("A", 2, "2490.00")], freight="20.00")
    assert (quote.dutiable_value, quote.regime) == (D("5000.00"), Regime.CBEC)


def test_one_fen_above_the_order_limit_is_refused_with_a_split():
    lines = [line("A", 2, "2490.00")]
    with pytest.raises(OrderLimitExceeded) as refused:
        checked(lines, freight="20.01")
    error = refused.value
    assert (error.code, error.status) == ("order_limit_exceeded", 422)
    assert error.details == {
        "limit": "5000.00", "dutiable_value": "5000.01", "split": [[["A", 1]], [["A", 1]]]
    }
    assert error.message == (
        "This order is worth ¥5,000.01 including shipping, above the ¥5,000.00 allowed for one "
        "cross-border order. Please split it into 2 orders."
    )
    assert error.message_zh == (
        "本订单含运费的完税价格为 ¥5,000.01，超过跨境电商单笔交易限值 ¥5,000.00，"
        "请拆分为 2 个订单分别购买。"
    )
    assert error.message_in("zh") == error.message_zh and error.message_in("en") == error.message


def test_one_unit_above_the_limit_clears_under_full_tax():
    quote = checked([line("GOLD", 1, "5000.01")], remaining="26000")
    assert (quote.regime, quote.tax_total) == (Regime.FULL_TAX, D("650.00"))


def test_two_units_above_the_limit_are_refused_and_each_unit_is_its_own_order():
    with pytest.raises(OrderLimitExceeded) as refused:
        checked([line("GOLD", 2, "5000.01")])
    assert refused.value.split == [[("GOLD", 1)], [("GOLD", 1)]]


def test_the_single_item_exception_still_needs_the_quota():
    with pytest.raises(AnnualQuotaExceeded) as refused:
        checked([line("GOLD", 1, "6000.00")], remaining="5999.99")
    assert refused.value.details == {"remaining": "5999.99", "dutiable_value": "6000.00"}


def test_exactly_the_remaining_quota_is_allowed():
    quote = checked([line("A", 1, "980.00")], freight="20.00", remaining="1000.00")
    assert quote.dutiable_value == D("1000.00")


def test_one_fen_above_the_remaining_quota_is_refused():
    with pytest.raises(AnnualQuotaExceeded) as refused:
        checked([line("A", 1, "980.01")], freight="20.00", remaining="1000.00")
    error = refused.value
    assert (error.code, error.status) == ("annual_quota_exceeded", 422)
    assert error.details == {"remaining": "1000.00", "dutiable_value": "1000.01"}
    assert error.message_zh == (
        "本订单含运费的完税价格为 ¥1,000.01，超出您本年度剩余的跨境电商个人额度 ¥1,000.00。"
    )


def test_an_anonymous_quote_skips_the_quota_but_not_the_order_limit():
    assert checked([line("A", 1, "4999.00")], remaining=None).dutiable_value == D("4999.00")
    with pytest.raises(OrderLimitExceeded):
        checked([line("A", 2, "4999.00")], remaining=None)


def test_the_order_limit_is_checked_before_the_quota():
    with pytest.raises(OrderLimitExceeded):
        checked([line("A", 2, "4999.00")], remaining="0")


def test_a_quote_made_under_another_policy_is_not_trusted():
    quote = compute_tax([line("GOLD", 1, "6000.00")], D("0"), policy=LimitPolicy(per_order_limit=D(8000)))
    with pytest.raises(ValueError):
        check_order_limits(quote, [line("GOLD", 1, "6000.00")], POLICY, None)


def test_remaining_quota_subtracts_used_and_held_and_never_goes_negative():
    assert remaining_quota(D("26000"), D("20000.00"), D("1000.00")) == D("5000.00")
    assert remaining_quota(D("26000"), D("25000.00"), D("1000.01")) == D("0")


def test_the_year_runs_in_china_time():
    assert china_year(datetime(2026, 12, 31, 16, 0, tzinfo=UTC)) == 2027
    assert china_year(datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC)) == 2026


def test_split_of_twelve_serums_fills_the_first_order():
    lines = [line("SERUM", 12, "450.00", SERUM_30ML)]
    assert suggest_split(lines, D("20.00"), POLICY) == [[("SERUM", 11)], [("SERUM", 1)]]


def test_split_packs_dearest_units_first_and_fills_gaps_with_cheaper_ones():
    lines = [line("C", 5, "100.00"), line("A", 3, "2000.00"), line("B", 2, "1500.00")]
    groups = suggest_split(lines, D("20.00"), POLICY)
    assert groups == [[("A", 2), ("C", 5)], [("A", 1), ("B", 1)], [("B", 1)]]


def test_split_gives_units_above_the_limit_a_group_each():
    groups = suggest_split([line("Y", 1, "100.00"), line("X", 2, "4990.00")], D("20.00"), POLICY)
    assert groups == [[("X", 1)], [("X", 1)], [("Y", 1)]]


def test_split_of_a_compliant_basket_is_the_basket():
    groups = suggest_split([line("A", 2, "100.00"), line("B", 1, "50.00")], D("0"), POLICY)
    assert groups == [[("A", 2), ("B", 1)]]


def test_the_goods_value_basis_ignores_freight_in_limits_and_split():
    policy = LimitPolicy(basis="goods_value")
    quote = checked([line("A", 2, "2500.00")], freight="20.00", remaining="5000.00", policy=policy)
    assert quote.dutiable_value == D("5020.00")
    assert suggest_split([line("A", 3, "2500.00")], D("20.00"), policy) == [[("A", 2)], [("A", 1)]]
