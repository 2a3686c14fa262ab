"""The carrier as fulfilment needs it: hand a packed parcel over, read its tracking."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Protocol

from liveport.fulfilment.domain import TrackingEvent


class ParcelCarrier(Protocol):
    def hand_over(self, logistics_no: str, weight_kg: Decimal) -> datetime:
        """The parcel is ready at the warehouse; the same parcel again answers the first time."""
        ...

    def events(self, logistics_no: str) -> list[TrackingEvent]:
        """The waybill's tracking events, oldest first."""
        ...
