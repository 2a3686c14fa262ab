"""The order's state machine and numbering (issue 6; cross-border.md §4–6). Pure, no I/O.

pending_payment → paid → declared → released → shipped → delivered
pending_payment → expired
paid | declared → cancelled            (a declared one is withdrawn from customs with CEB623)
declared → customs_rejected → refunded
delivered → return_requested → returned
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime
from enum import StrEnum

from liveport.core.clock import CHINA, as_utc
from liveport.core.errors import InvalidTransition


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    DECLARED = "declared"
    RELEASED = "released"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    CUSTOMS_REJECTED = "customs_rejected"
    REFUNDED = "refunded"
    RETURN_REQUESTED = "return_requested"
    RETURNED = "returned"


S = OrderStatus
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.EXPIRED}),
    S.PAID: frozenset({S.DECLARED, S.CANCELLED}),
    S.DECLARED: frozenset({S.RELEASED, S.CANCELLED, S.CUSTOMS_REJECTED}),
    S.RELEASED: frozenset({S.SHIPPED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.RETURN_REQUESTED}),
    S.CUSTOMS_REJECTED: frozenset({S.REFUNDED}),
    S.RETURN_REQUESTED: frozenset({S.RETURNED}),
    S.EXPIRED: frozenset(),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
    S.RETURNED: frozenset(),
}
# States in which the order's quota counts as held (unpaid) or used (paid, not given back).
HOLDING = frozenset({S.PENDING_PAYMENT})
OPEN_STATES = frozenset(s for s, nxt in TRANSITIONS.items() if nxt)


class Source(StrEnum):
    BASKET = "basket"
    DROP = "drop"  # from a flash-sale reservation


class TradeMode(StrEnum):
    BONDED = "1210"  # stock already in a bonded warehouse in China
    DIRECT_MAIL = "9610"  # each parcel flies in from abroad


def trade_mode_for(warehouse_kind: str) -> TradeMode:
    return TradeMode.BONDED if warehouse_kind == "bonded" else TradeMode.DIRECT_MAIL


def check_transition(current: OrderStatus, target: OrderStatus) -> None:
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(
            f"An order that is {current.value} cannot become {target.value}.",
            code="invalid_order_transition",
            details={"from": current.value, "to": target.value},
            message_zh=f"订单当前为“{current.value}”，不能变为“{target.value}”。",
        )


ORDER_NO_RE = re.compile(r"^LP[0-9]{14}[A-HJ-NP-WYZ][0-9A-HJ-NP-Z]{9}$")
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: order numbers are read aloud
# The first random character is a letter, and never X: the 14 digits of the time then never
# run on into 18 characters shaped like a resident ID number, which every page masks.
_FIRST = "ABCDEFGHJKLMNPQRSTUVWYZ"


def new_order_no(at: datetime, random_part: str | None = None) -> str:
    """``LP`` + the China-time second it was placed + 10 random characters: 26 characters,
    within customs' 60, unique without a database round trip (23 × 34^9 per second), sortable."""
    stamp = as_utc(at).astimezone(CHINA).strftime("%Y%m%d%H%M%S")
    tail = random_part or secrets.choice(_FIRST) + "".join(secrets.choice(_ALPHABET) for _ in range(9))
    return f"LP{stamp}{tail}"
