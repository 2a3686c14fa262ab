"""The ledger's journals: balanced, split as agreed, reversed exactly."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liveport.payments.settlement import (
    Journal,
    SaleFacts,
    full_refund_journals,
    partial_refund_journal,
    payment_journal,
    split_journal,
)

D = Decimal
SALE = SaleFacts(provider="ecny", paid=D("1132.14"), goods_value=D("900.00"), tax_total=D("212.14"),
                 exhibitor_id=7, host_rates={42: D("0.05"), 43: D("0.015")}, platform_fee_rate=D("0.03"))


def test_a_payment_is_split_between_tax_hosts_platform_and_exhibitor():
    split = split_journal(SALE)
    assert split.postings == (
        ("escrow", D("1132.14")), ("tax_withheld", D("-212.14")), ("host:42", D("-45.00")),
        ("host:43", D("-13.50")), ("platform_fee", D("-27.00")), ("exhibitor:7", D("-834.50")))


def test_a_full_refund_reverses_both_journals_exactly():
    made = [payment_journal("ecny", SALE.paid), split_journal(SALE)]
    back = full_refund_journals(made)
    net: dict[str, Decimal] = {}
    for journal in made + back:
        for account, amount in journal.postings:
            net[account] = net.get(account, D(0)) + amount
    assert set(net.values()) == {D(0)}
    assert [j.kind for j in back] == ["reversal:split", "reversal:payment"]


def test_reversals_already_written_are_not_reversed_again():
    made = [payment_journal("ecny", SALE.paid), split_journal(SALE)]
    back = full_refund_journals(made + full_refund_journals(made))
    assert [j.kind for j in back] == ["reversal:split", "reversal:payment"]


def test_a_partial_refund_comes_out_of_the_exhibitors_share():
    assert partial_refund_journal("card", 7, D("50.00")).postings == (("exhibitor:7", D("50.00")), ("provider:card", D("-50.00")))


def test_an_unbalanced_or_sub_fen_journal_cannot_exist():
    with pytest.raises(ValueError):
        Journal("payment", (("escrow", D("1.00")), ("provider:ecny", D("-0.99"))))
    with pytest.raises(ValueError):
        Journal("payment", (("escrow", D("0.005")), ("provider:ecny", D("-0.005"))))


@given(paid=st.decimals(min_value=D("1.00"), max_value=D("5000.00"), places=2),
       tax_share=st.decimals(min_value=D("0"), max_value=D("0.3"), places=3),
       rate=st.decimals(min_value=D("0"), max_value=D("0.2"), places=4),
       fee=st.decimals(min_value=D("0"), max_value=D("0.1"), places=4))
def test_every_split_sums_to_zero(paid, tax_share, rate, fee):
    tax = (paid * tax_share).quantize(D("0.01"))
    sale = SaleFacts("ecny", paid, paid - tax, tax, 1, {5: rate}, fee)
    split = split_journal(sale)  # the constructor refuses an unbalanced journal
    assert sum(amount for _, amount in split.postings) == 0
    assert all(amount <= 0 for account, amount in split.postings if account != "escrow")
