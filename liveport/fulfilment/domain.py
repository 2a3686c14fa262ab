"""Pure rules of fulfilment: what a parcel may weigh, and which order moves a carrier's
tracking events call for. No I/O."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_UP, Decimal

from liveport.core.errors import ValidationFailed
from liveport.orders.domain import OrderStatus

MAX_PARCEL_KG = Decimal(1000)
GRAM = Decimal("0.001")
# The order status each carrier step means; the carrier's other events (accepted,
# customs_cleared, returned) move nothing here.
STEP_STATUS = {
    "picked_up": OrderStatus.SHIPPED,
    "in_transit": OrderStatus.SHIPPED,
    "out_for_delivery": OrderStatus.SHIPPED,
    "delivered": OrderStatus.DELIVERED,
}


class InvalidParcelWeight(ValidationFailed):
    code = "invalid_parcel_weight"
    message = "A parcel weighs more than 0 and at most 1000 kg, to the gram."
    message_zh = "包裹重量须大于 0、不超过 1000 千克，精确到克。"


@dataclass(frozen=True, slots=True)
class TrackingEvent:
    event: str
    at: datetime
    description: str


def parcel_weight(value: Decimal) -> Decimal:
    if not value.is_finite() or not 0 < value <= MAX_PARCEL_KG or value != value.quantize(GRAM):
        raise InvalidParcelWeight(details={"weight_kg": str(value)})
    return value.quantize(GRAM)


def estimated_weight(lines: Iterable[tuple[Decimal, int]]) -> Decimal:
    """A parcel's weight from its lines' gross weight per unit (for auto-packing), rounded
    up to the gram."""
    total = sum((gross * qty for gross, qty in lines), Decimal(0))
    return max(total.quantize(GRAM, rounding=ROUND_UP), GRAM)


def moves_for(current: OrderStatus, events: Sequence[TrackingEvent]) -> list[tuple[OrderStatus, TrackingEvent]]:
    """The order's moves the events call for, oldest first, each with the event that made it.
    A delivery seen without an earlier step still passes through ``shipped``."""
    reached, moves = current, []
    for event in events:
        target = STEP_STATUS.get(event.event)
        if target is None:
            continue
        if reached is OrderStatus.RELEASED:
            moves.append((OrderStatus.SHIPPED, event))
            reached = OrderStatus.SHIPPED
        if target is OrderStatus.DELIVERED and reached is OrderStatus.SHIPPED:
            moves.append((OrderStatus.DELIVERED, event))
            reached = OrderStatus.DELIVERED
    return moves
