from __future__ import annotations

from decimal import Decimal

import pytest

from liveport.core.money import Money, round_fen


def test_round_fen_rounds_half_up():
    assert round_fen(Decimal("113.645")) == Decimal("113.65")
    assert round_fen(Decimal("98.4941")) == Decimal("98.49")
    assert round_fen(Decimal("-0.005")) == Decimal("-0.01")


def test_money_adds_same_currency_only():
    assert Money.cny("1.10") + Money.cny("2.05") == Money(Decimal("3.15"), "CNY")
    with pytest.raises(ValueError, match="currency mismatch"):
        Money.cny("1") + Money(Decimal("1"), "RUB")


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        Money.cny(0.1)
    with pytest.raises(TypeError):
        Money.cny("1") * 1.5


def test_money_rejects_bad_currency_and_non_finite():
    with pytest.raises(ValueError):
        Money(Decimal("1"), "cny")
    with pytest.raises(ValueError):
        Money.cny("NaN")
