"""The outside world of customs: the single window (gateway) and the logistics carrier."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True, slots=True)
class HeldMessage:
    """A message as the single window holds it for an order."""

    msg_type: str
    guid: str
    received_at: datetime
    status: str
    info: str
    xml: str


class CustomsGateway(Protocol):
    def register(self, *, dxp_id: str, customs_code: str, name: str, certificate: bytes, receipt_url: str) -> None:
        """Files a signing certificate and where receipts go (done once, offline, with a real
        single window; the sandbox takes it over HTTP)."""
        ...

    def submit(self, envelope: bytes) -> None:
        """Hands over one DXP envelope; receipts come back asynchronously."""
        ...

    def messages(self, order_no: str) -> list[HeldMessage]: ...


@dataclass(frozen=True, slots=True)
class WaybillRequest:
    order_no: str
    ebp_code: str
    ebp_name: str
    consignee: str
    consignee_telephone: str
    consignee_address: str
    freight: Decimal
    weight_kg: Decimal
    goods_info: str
    trade_mode: str = "1210"


@dataclass(frozen=True, slots=True)
class Transport:
    """How a direct-mail (9610) parcel flies in: the inventory list carries it."""

    traf_mode: str
    traf_no: str
    voyage_no: str
    bill_no: str


@dataclass(frozen=True, slots=True)
class Waybill:
    logistics_code: str
    logistics_name: str
    logistics_no: str
    transport: Transport | None = None


class Carrier(Protocol):
    def create_waybill(self, request: WaybillRequest) -> Waybill:
        """The same order again returns the same waybill; the carrier files CEB511 itself."""
        ...
