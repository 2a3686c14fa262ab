"""The order state machine allows exactly the listed transitions."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from liveport.core.errors import InvalidTransition
from liveport.orders.domain import (
    ORDER_NO_RE,
    TRANSITIONS,
    OrderStatus,
    check_transition,
    new_order_no,
)

S = OrderStatus
ALLOWED = {
    (S.PENDING_PAYMENT, S.PAID), (S.PAID, S.DECLARED), (S.DECLARED, S.RELEASED), (S.RELEASED, S.SHIPPED),
    (S.SHIPPED, S.DELIVERED), (S.PENDING_PAYMENT, S.EXPIRED), (S.PAID, S.CANCELLED), (S.DECLARED, S.CANCELLED),
    (S.DECLARED, S.CUSTOMS_REJECTED), (S.CUSTOMS_REJECTED, S.REFUNDED), (S.DELIVERED, S.RETURN_REQUESTED),
    (S.RETURN_REQUESTED, S.RETURNED),
}


def test_exactly_the_listed_transitions_are_allowed():
    for current in S:
        for target in S:
            if (current, target) in ALLOWED:
                check_transition(current, target)
            else:
                with pytest.raises(InvalidTransition):
                    check_transition(current, target)
    assert {(a, b) for a, nxt in TRANSITIONS.items() for b in nxt} == ALLOWED


def test_a_refused_transition_says_why_in_both_languages():
    with pytest.raises(InvalidTransition) as caught:
        check_transition(S.EXPIRED, S.PAID)
    assert caught.value.code == "invalid_order_transition"
    assert caught.value.details == {"from": "expired", "to": "paid"}
    assert caught.value.message_in("zh") != caught.value.message_in("en")


def test_order_numbers_fit_customs_and_carry_china_time():
    number = new_order_no(datetime(2026, 12, 31, 16, 0, 5, tzinfo=UTC), random_part="ABCDEFGH23")
    assert number == "LP20270101000005ABCDEFGH23"
    assert ORDER_NO_RE.fullmatch(number) and len(number) <= 60
    assert len({new_order_no(datetime(2026, 1, 1, tzinfo=UTC)) for _ in range(1000)}) == 1000


def test_an_order_number_is_never_masked_as_an_id_number():
    from liveport.logging_setup import mask_id_numbers

    numbers = [new_order_no(datetime(2026, 11, 26, 8, 0, tzinfo=UTC)) for _ in range(5000)]
    assert all(ORDER_NO_RE.fullmatch(n) and mask_id_numbers(n) == n for n in numbers)
    # the reason for the rule: digits right after the time would read as an ID number
    assert mask_id_numbers("LP202611260800001234ABCDEF") != "LP202611260800001234ABCDEF"
