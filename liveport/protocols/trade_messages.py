"""The messages both payment providers speak (payment_wire gives the envelope and values).

Each message kind names its required and optional fields and, for lists, the fields of each
item. ``build`` seals a message; ``parse`` checks envelope, signature and fields and returns
the known fields (unknown ones are dropped, so a receiver never acts on a field it did not
check). Paths are the same at both providers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from liveport.protocols.payment_wire import (
    SUCCESS,
    WireError,
    check_envelope,
    decode,
    seal,
    validated,
    validated_list,
)


@dataclass(frozen=True)
class Kind:
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    # list field → (required, optional) fields of its items
    lists: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)


PATHS = {
    "pre_order": "/v1/orders",
    "query": "/v1/orders/query",
    "refund": "/v1/refunds",
    "statement": "/v1/statements",
    "declare": "/v1/customs-declarations",
    "declarations": "/v1/customs-declarations/query",
}

TRADE_REQUIRED = ("out_trade_no", "trade_no", "amount", "currency", "trade_state", "refunded_amount")
TRADE_OPTIONAL = ("paid_at", "payer_name", "payer_id_no", "payer_account")
PRE_ORDER_FIELDS = ("mch_id", "out_trade_no", "amount", "currency", "description", "notify_url")
PRE_ORDER_OPTIONAL = ("time_expire", "buyer_name", "buyer_id_no")
DECLARATION_REQUIRED = ("declaration_no", "out_trade_no", "order_no", "ebp_code", "ebp_name", "customs_code", "status", "received_at")

KINDS: dict[str, Kind] = {
    # merchant → provider
    "pre_order": Kind(PRE_ORDER_FIELDS, PRE_ORDER_OPTIONAL),
    "query": Kind(("mch_id", "out_trade_no")),
    "refund": Kind(("mch_id", "out_trade_no", "out_refund_no", "amount"), ("reason",)),
    "statement": Kind(("mch_id", "date")),
    "declare": Kind(("mch_id", "out_trade_no", "order_no", "ebp_code", "ebp_name", "customs_code")),
    "declarations": Kind(("mch_id", "out_trade_no")),
    # provider → merchant: answers (``code`` SUCCESS) ...
    "pre_order_answer": Kind(
        ("code", "mch_id", "out_trade_no", "trade_no", "amount", "cashier_url", "time_expire"),
        ("code_url",),
    ),
    "trade_answer": Kind(("code", "mch_id", *TRADE_REQUIRED), TRADE_OPTIONAL),
    "refund_answer": Kind(
        ("code", "mch_id", "out_trade_no", "out_refund_no", "refund_no", "amount", "refund_state", "refunded_at")
    ),
    "statement_answer": Kind(
        ("code", "mch_id", "date", "currency", "count", "total_paid", "total_refunded"),
        lists={"entries": (("kind", "out_trade_no", "trade_no", "amount", "at"), ("out_refund_no", "refund_no"))},
    ),
    "declare_answer": Kind(("code", "mch_id", *DECLARATION_REQUIRED), ("pay_code",)),
    "declarations_answer": Kind(
        ("code", "mch_id", "out_trade_no"), lists={"declarations": (DECLARATION_REQUIRED, ("pay_code",))}
    ),
    # ... refusals (any 4xx) ...
    "error": Kind(("code", "message"), ("mch_id", "limit", "decline_reason")),
    # ... and the asynchronous notification of a paid trade.
    "notification": Kind(("notify_id", "event", "mch_id", *TRADE_REQUIRED), TRADE_OPTIONAL),
}


class Refusal(WireError):
    """A well-signed answer whose code is not SUCCESS: the provider said no."""


def register(name: str, kind: Kind, path: str | None = None) -> None:
    """Provider-specific messages (ecny.py, card.py) join the catalogue."""
    KINDS[name] = kind
    if path is not None:
        PATHS[name] = path


def fields_of(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The checked fields of a message of that kind (no envelope check)."""
    spec = KINDS[kind]
    out: dict[str, Any] = validated(data, spec.required, spec.optional)
    for name, (required, optional) in spec.lists.items():
        out[name] = validated_list(data, name, required, optional)
    return out


def build(kind: str, fields: Mapping[str, Any], private_key: str, clock: Callable[[], float] = time.time) -> dict[str, Any]:
    """A sealed message; its fields are checked first so nothing malformed leaves."""
    return seal(fields_of(kind, fields), private_key, clock)


def parse(kind: str, data: Mapping[str, Any], public_key: str, *, clock: Callable[[], float] = time.time) -> dict[str, Any]:
    check_envelope(data, public_key, clock=clock)
    return fields_of(kind, data)


def parse_body(kind: str, body: bytes, public_key: str, *, clock: Callable[[], float] = time.time) -> dict[str, Any]:
    return parse(kind, decode(body), public_key, clock=clock)


def parse_answer(kind: str, body: bytes, public_key: str, *, clock: Callable[[], float] = time.time) -> dict[str, Any]:
    """A provider's answer: the fields of ``kind`` when ``code`` is SUCCESS; a refusal is
    raised as Refusal with the provider's code (``extra`` holds limit/decline_reason); an
    answer that is not well signed or well formed as WireError."""
    data = decode(body)
    check_envelope(data, public_key, clock=clock)
    if data.get("code") != SUCCESS:
        refusal = fields_of("error", data)
        extra = {k: refusal[k] for k in ("limit", "decline_reason") if k in refusal}
        raise Refusal(refusal["code"], refusal["message"], status=409, **extra)
    return fields_of(kind, data)


# The merchant's answer to a notification: anything else and the provider tries again.
NOTIFICATION_ACK = b'{"code":"SUCCESS"}'


def is_ack(status: int, body: bytes) -> bool:
    if status != 200:
        return False
    try:
        data = decode(body)
    except WireError:
        return body.strip().lower() == b"success"
    return data.get("code") == SUCCESS
