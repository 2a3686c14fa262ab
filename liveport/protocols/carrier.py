"""The logistics carrier's merchant interface, on payment_wire's signed-JSON envelope (every
message carries nonce, timestamp, sign_type SM2 and sign; requests are signed with the
merchant's key, answers of any status with the carrier's).

- ``POST /v1/waybills``: ``mch_id``, ``order_no``, ``ebp_code``, ``ebp_name``,
  ``consignee``, ``consignee_telephone``, ``consignee_address``, ``freight`` and
  ``insured_fee`` (fen), ``weight`` (kg, decimal text, up to 5 decimals), ``goods_info``;
  optional ``trade_mode`` (``1210`` default, or ``9610``: direct mail, the answer then names
  the flight). Answer: ``code`` SUCCESS, ``mch_id``, ``order_no``, ``logistics_code``,
  ``logistics_name``, ``logistics_no`` (and ``traf_mode``, ``traf_no``, ``voyage_no``,
  ``bill_no`` for 9610). The same order again answers the same waybill; the carrier then
  files CEB511 with customs itself.
- ``GET /v1/waybills/{logistics_no}/events``: answer ``code``, ``logistics_no``,
  ``order_no``, ``customs_status`` and ``events``: a list of ``{"event", "at",
  "description"}``, oldest first (``event`` one of EVENTS).
- ``POST /v1/waybills/{logistics_no}/handover`` (signed by the merchant): ``mch_id``,
  ``logistics_no``, ``weight`` (kg, of the packed parcel): the parcel is ready at the
  warehouse. Answer ``code`` SUCCESS, ``logistics_no``, ``handed_over_at``; again answers the
  first handover. The carrier then picks it up and delivers it, and its events say so
  (picked_up → in_transit → out_for_delivery → delivered) on the carrier's own clock.
- ``GET /v1/carrier-key``: ``{"sign_type": "SM2", "public_key"}`` (unsigned, to set up).
Refusals: ``{"code", "message"}`` with HTTP 4xx, ``code`` one of ERROR_CODES.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from liveport.protocols.payment_wire import WireError

WAYBILLS_PATH = "/v1/waybills"
EVENTS_PATH = "/v1/waybills/{logistics_no}/events"
HANDOVER_PATH = "/v1/waybills/{logistics_no}/handover"
HANDOVER_REQUIRED = ("mch_id", "logistics_no", "weight")
KEY_PATH = "/v1/carrier-key"
WAYBILL_REQUIRED = ("mch_id", "order_no", "ebp_code", "ebp_name", "consignee", "consignee_telephone",
                    "consignee_address", "freight", "weight", "goods_info", "insured_fee")
WAYBILL_OPTIONAL = ("trade_mode",)
EVENTS = ("accepted", "picked_up", "in_transit", "customs_cleared", "out_for_delivery", "delivered", "returned")
CUSTOMS_STATUSES = ("PENDING", "SENT", "DECLARING", "ACCEPTED", "REJECTED", "SEND_FAILED")
ERROR_CODES = {
    "bad_request": "a field is missing or malformed",
    "bad_signature": "the signature does not hold for that merchant's key",
    "stale_request": "timestamp more than 300 s away from the carrier's clock",
    "replayed_nonce": "that nonce was used already",
    "unknown_merchant": "no merchant with that mch_id",
    "order_no_used": "that order already has a waybill with other details",
    "waybill_not_found": "no waybill with that number",
}
# A delivery's progress after the handover, in order (the carrier's own words for it).
DELIVERY = ("picked_up", "in_transit", "out_for_delivery", "delivered")


def _pattern(regex: str) -> Callable[[str], bool]:
    compiled = re.compile(regex)
    return lambda value: compiled.fullmatch(value) is not None


def _text(max_len: int) -> Callable[[str], bool]:
    return lambda value: 0 < len(value) <= max_len and value.strip() == value and value.isprintable()


_FEN = _pattern(r"0|[1-9][0-9]{0,14}")
RULES: dict[str, Callable[[str], bool]] = {
    "mch_id": _pattern(r"[A-Za-z0-9_\-]{1,32}"),
    "order_no": _pattern(r"[A-Za-z0-9_\-]{1,60}"),
    "ebp_code": _pattern(r"[A-Za-z0-9]{1,18}"),
    "ebp_name": _text(100),
    "consignee": _text(100),
    "consignee_telephone": _pattern(r"[0-9+\-() ]{5,50}"),
    "consignee_address": _text(200),
    "freight": _FEN,
    "insured_fee": _FEN,
    "weight": lambda v: bool(re.fullmatch(r"[0-9]{1,9}(\.[0-9]{1,5})?", v)) and float(v) > 0,
    "goods_info": _text(200),
    "trade_mode": lambda v: v in ("1210", "9610"),
    "logistics_code": _pattern(r"[A-Za-z0-9]{1,18}"),
    "logistics_name": _text(100),
    "logistics_no": _pattern(r"[A-Za-z0-9\-]{1,60}"),
    "traf_mode": _pattern(r"[0-9A-Z]"),
    "traf_no": _text(100),
    "voyage_no": _text(32),
    "bill_no": _text(37),
    "customs_status": lambda v: v in CUSTOMS_STATUSES,
    "event": lambda v: v in EVENTS,
    "handed_over_at": _pattern(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"),
    "at": _pattern(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"),
    "description": _text(200),
}


def checked(data: Mapping[str, Any], required: Iterable[str], optional: Iterable[str] = ()) -> dict[str, str]:
    """The named fields of ``data``, each checked (WireError ``bad_request`` otherwise);
    other fields are dropped, so nothing unchecked is acted on."""
    out: dict[str, str] = {}
    for name, needed in [(n, True) for n in required] + [(n, False) for n in optional]:
        value = data.get(name)
        if value is None or value == "":
            if needed:
                raise WireError("bad_request", f"{name} is required")
            continue
        if not isinstance(value, str) or not RULES[name](value):
            raise WireError("bad_request", f"{name} is malformed")
        out[name] = value
    return out


def waybill_request(data: Mapping[str, Any]) -> dict[str, str]:
    return checked(data, WAYBILL_REQUIRED, WAYBILL_OPTIONAL)


def handover_request(data: Mapping[str, Any]) -> dict[str, str]:
    return checked(data, HANDOVER_REQUIRED)
