"""Pure rules of fulfilment: a parcel's weight, and the order moves tracking events call for."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from liveport.fulfilment.domain import (
    InvalidParcelWeight,
    TrackingEvent,
    estimated_weight,
    moves_for,
    parcel_weight,
)
from liveport.orders.domain import OrderStatus as S


def _event(name: str, minute: int) -> TrackingEvent:
    return TrackingEvent(name, datetime(2026, 11, 26, 10, minute, tzinfo=UTC), name)


def test_a_parcel_weighs_more_than_nothing_and_at_most_a_tonne_to_the_gram():
    assert parcel_weight(Decimal("0.001")) == Decimal("0.001")
    assert parcel_weight(Decimal(1000)) == Decimal("1000.000")
    for bad in ("0", "-1", "1000.001", "0.0005", "NaN", "Infinity"):
        with pytest.raises(InvalidParcelWeight):
            parcel_weight(Decimal(bad))


def test_an_estimated_weight_sums_the_lines_and_rounds_up_to_the_gram():
    assert estimated_weight([(Decimal("0.2505"), 2), (Decimal("0.1"), 1)]) == Decimal("0.601")
    assert estimated_weight([(Decimal(0), 3)]) == Decimal("0.001")


def test_the_first_step_ships_a_released_order_and_delivery_delivers_it():
    events = [_event("accepted", 0), _event("picked_up", 1), _event("in_transit", 2),
              _event("out_for_delivery", 3), _event("delivered", 4)]
    assert [(s, e.event) for s, e in moves_for(S.RELEASED, events)] == [
        (S.SHIPPED, "picked_up"), (S.DELIVERED, "delivered")]


def test_events_already_followed_move_nothing_more():
    events = [_event("picked_up", 1), _event("in_transit", 2)]
    assert moves_for(S.SHIPPED, events) == []
    assert moves_for(S.DELIVERED, events + [_event("delivered", 4)]) == []


def test_a_delivery_seen_first_still_passes_through_shipped():
    delivered = _event("delivered", 4)
    assert moves_for(S.RELEASED, [delivered]) == [(S.SHIPPED, delivered), (S.DELIVERED, delivered)]


def test_a_released_order_with_only_the_carriers_acceptance_stays_released():
    assert moves_for(S.RELEASED, [_event("accepted", 0)]) == []
