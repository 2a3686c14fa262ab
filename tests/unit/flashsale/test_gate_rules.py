"""The gate's pure rules: the order of refusals, the ledger, its replay, and its records."""
from __future__ import annotations

import random

import pytest

from liveport.core.errors import ValidationFailed
from liveport.flashsale.domain import (
    ClaimOutcome,
    DropChanged,
    DropSpec,
    DropState,
    GateCounts,
    Reservation,
    ReservationNotFound,
    ReservationReleased,
    ReservationSold,
    ReservationStatus,
    check_claim,
    decide,
    decode_drop,
    decode_reservation,
    drop_of_reservation,
    encode_drop,
    encode_reservation,
    reservation_id,
)
from liveport.flashsale.ledger import DropLedger

OPEN, SCHEDULED, COUNTDOWN, CLOSED = DropState.OPEN, DropState.SCHEDULED, DropState.COUNTDOWN, DropState.CLOSED
NOW = 1_000_000


@pytest.mark.parametrize("state, opens, closes, on_sale, held, qty, expected", [
    (OPEN, 0, None, 10, 0, 1, ClaimOutcome.RESERVED),
    (OPEN, 0, None, 10, 1, 1, ClaimOutcome.RESERVED),  # limit 2: exactly at the limit is fine
    (OPEN, 0, None, 10, 2, 1, ClaimOutcome.LIMIT_REACHED),
    (OPEN, 0, None, 10, 0, 3, ClaimOutcome.LIMIT_REACHED),
    (OPEN, 0, None, 0, 2, 1, ClaimOutcome.SOLD_OUT),  # sold out beats the limit
    (OPEN, 0, None, 1, 0, 2, ClaimOutcome.SOLD_OUT),  # fewer left than asked for
    (SCHEDULED, None, None, 10, 0, 1, ClaimOutcome.NOT_OPEN),
    (COUNTDOWN, NOW + 1, None, 10, 0, 1, ClaimOutcome.NOT_OPEN),
    (COUNTDOWN, NOW, None, 10, 0, 1, ClaimOutcome.RESERVED),  # the countdown ended
    (OPEN, 0, NOW, 10, 0, 1, ClaimOutcome.CLOSED),  # past the closing time
    (CLOSED, 0, None, 0, 0, 1, ClaimOutcome.CLOSED),  # closed beats sold out
    (SCHEDULED, None, NOW, 10, 0, 1, ClaimOutcome.CLOSED),
])
def test_decide_answers_in_a_fixed_order(state, opens, closes, on_sale, held, qty, expected):
    assert decide(state, opens, closes, on_sale, held, 2, qty, NOW) is expected


def _ids():
    n = iter(range(10_000))
    return lambda: reservation_id(1, f"tok{next(n):08d}")


def test_a_ledger_rebuilt_from_its_records_is_the_same_ledger():
    # given a ledger driven through 400 random claims, payments, releases and expiries
    rng = random.Random(7)
    live = DropLedger(DropSpec(1, 50, 3, 60))
    records = [live.open(0, 0)]
    make_id = _ids()
    for step in range(400):
        now = step * 1000
        action = rng.random()
        if action < 0.6:
            _, record = live.claim(f"b{rng.randrange(20)}", rng.randint(1, 3), f"k{rng.randrange(300)}", now, make_id)
        elif live.reservations and action < 0.8:
            rid = rng.choice(list(live.reservations))
            try:
                _, record = (live.confirm if action < 0.7 else live.release)(rid, now)
            except (ReservationReleased, ReservationSold):
                record = None
        else:
            for rid in live.due(now, 5):
                records.append(live.release(rid, now)[1])
            record = None
        if record is not None:
            records.append(record)
        assert live.counts().initial == 50
    # when another ledger applies the records in order (and each record twice)
    copy = DropLedger(DropSpec(1, 50, 3, 60))
    for record in records:
        copy.apply(record)
        copy.apply(record)
    # then it is the same ledger
    assert copy.counts() == live.counts()
    assert copy.held == live.held
    assert copy.answers == live.answers
    assert copy.reservations == live.reservations
    assert copy.status() == live.status()


def test_the_ledger_counts_move_with_each_status():
    ledger = DropLedger(DropSpec(1, 10, 5, 60))
    ledger.open(0, 0)
    make_id = _ids()
    result, _ = ledger.claim("p", 3, "k", 0, make_id)
    assert (ledger.counts(), ledger.held) == (GateCounts(7, 3, 0), {"p": 3})
    ledger.confirm(result.reservation.id, 1)
    assert (ledger.counts(), ledger.held) == (GateCounts(7, 0, 3), {"p": 3})
    other, _ = ledger.claim("q", 2, "k", 0, make_id)
    ledger.release(other.reservation.id, 2)
    assert (ledger.counts(), ledger.held) == (GateCounts(7, 0, 3), {"p": 3})
    with pytest.raises(ReservationNotFound):
        ledger.confirm("r1-nosuchthing", 3)


def test_records_survive_encoding():
    r = Reservation("r12-abcdefgh", 12, "0f" * 32, 2, "idem-1:x", 1_893_456_000_000, 1_893_456_600_000,
                    ReservationStatus.SOLD, 1_893_456_100_000)
    assert decode_reservation(encode_reservation(r)) == r
    assert decode_reservation(encode_reservation(r).encode()) == r
    status = DropLedger(DropSpec(3, 10, 2, 600, closes_at_ms=5)).status()
    assert decode_drop(encode_drop(status)) == status
    status_open = DropLedger(DropSpec(3, 10, 2, 600))
    status_open.open(99, 5)
    assert decode_drop(encode_drop(status_open.status())).opens_at_ms == 5099
    assert isinstance(DropChanged(status), DropChanged)


def test_reservation_ids_carry_their_drop():
    assert drop_of_reservation(reservation_id(42, "abcdefgh12")) == 42
    for bad in ("", "r-abcdefgh", "rx-abcdefgh", "r1-short", "r1-has space!", "x1-abcdefgh"):
        with pytest.raises(ReservationNotFound):
            drop_of_reservation(bad)


@pytest.mark.parametrize("qty, key, buyer, code", [
    (0, "k", "b", "invalid_quantity"),
    (True, "k", "b", "invalid_quantity"),
    (1001, "k", "b", "invalid_quantity"),
    (1, "", "b", "invalid_idempotency_key"),
    (1, "a b", "b", "invalid_idempotency_key"),
    (1, "é", "b", "invalid_idempotency_key"),
    (1, "k", "", "invalid_buyer_key"),
])
def test_bad_claims_are_refused_with_a_code(qty, key, buyer, code):
    with pytest.raises(ValidationFailed) as caught:
        check_claim(buyer, qty, key)
    assert caught.value.code == code


def test_a_drop_needs_positive_numbers():
    with pytest.raises(ValidationFailed):
        DropSpec(1, 0, 1, 60)
