"""The signed-JSON wire format shared by the e-CNY operator and the card acquirer.

Every request, response and notification is one UTF-8 JSON object whose values are strings
(a statement's ``entries`` and a declaration query's ``declarations`` are lists of such
objects). Each carries ``nonce`` (16–64 letters or digits, fresh per message), ``timestamp``
(unix seconds), ``sign_type`` ``"SM2"`` and ``sign`` (sm2sign: SM2 over SM3 of the canonical
string). Requests are signed with the merchant's key; responses (of any HTTP status) and
notifications with the provider's key. A receiver refuses a message whose timestamp is more
than ``MAX_SKEW_S`` away from its clock, and a provider refuses a nonce it has seen.

Amounts are integers of fen written in decimal (``"12345"`` is ¥123.45); currency is
``CNY``; times are UTC ``YYYY-MM-DDTHH:MM:SSZ``; a statement date is a China-time calendar
day ``YYYY-MM-DD``. ``code`` is ``SUCCESS`` or one of ``ERROR_CODES``.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from liveport.protocols import sm2sign

MAX_SKEW_S = 300
MAX_BODY = 64 * 1024
SUCCESS = "SUCCESS"
ENVELOPE = ("nonce", "timestamp", "sign_type", "sign")

# code → meaning. A provider answers errors with these codes (and HTTP 4xx); the cashier
# and the hosted card page show them.
ERROR_CODES = {
    "bad_request": "a field is missing or malformed",
    "bad_signature": "the signature does not hold for that merchant's key",
    "stale_request": "timestamp more than 300 s away from the provider's clock",
    "replayed_nonce": "that nonce was used already",
    "unknown_merchant": "no merchant with that mch_id",
    "out_trade_no_used": "that out_trade_no belongs to another order (other amount or buyer)",
    "order_not_found": "no order with that out_trade_no",
    "order_paid": "the order is paid already",
    "order_closed": "the order was closed",
    "order_expired": "the order expired before it was paid",
    "order_not_paid": "the order is not paid",
    "refund_exceeds_payment": "refunds would exceed the amount paid",
    "out_refund_no_used": "that out_refund_no belongs to another refund",
    "wallet_not_found": "no wallet with that number",
    "wrong_pin": "the PIN does not match",
    "wallet_locked": "too many wrong PINs: the wallet is locked",
    "payer_mismatch": "the payer's real-name identity is not the order's buyer",
    "payer_identity_unverified": "an anonymous wallet cannot pay a cross-border order",
    "limit_exceeded": "a wallet limit would be exceeded (see limit)",
    "insufficient_balance": "the wallet's balance is too low",
    "card_declined": "the issuer declined the card (see decline_reason)",
    "invalid_card": "card number, expiry or CVV is not valid",
    "not_authorized": "no authorisation for that order",
    "capture_exceeds_authorization": "capture amount above the authorised amount",
}

TRADE_STATES = ("NOTPAY", "SUCCESS", "REFUND", "CLOSED")


class WireError(Exception):
    """A message that must be refused; ``status`` is the HTTP status a provider answers."""

    def __init__(self, code: str, message: str | None = None, status: int = 400, **extra: str):
        self.code = code
        self.message = message or ERROR_CODES.get(code, code)
        self.status = status
        self.extra = extra
        super().__init__(f"{code}: {self.message}")


# -- values ---------------------------------------------------------------------------------

def fen_text(amount: Decimal) -> str:
    """¥ amount → fen text; refuses fractions of a fen and negative amounts."""
    fen = amount * 100
    if not isinstance(amount, Decimal) or fen != fen.to_integral_value() or fen < 0:
        raise ValueError(f"not a whole number of fen: {amount!r}")
    return str(int(fen))


def amount_of_fen(text: str) -> Decimal:
    if not _FEN.match(text):
        raise ValueError(f"not an amount in fen: {text!r}")
    return (Decimal(text) / 100).quantize(Decimal("0.01"))


def utc_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("aware datetimes only")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc_text(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def new_nonce() -> str:
    return secrets.token_hex(16)


_FEN = re.compile(r"(0|[1-9][0-9]{0,14})\Z")
_RULES: dict[str, Callable[[str], bool]] = {}


def _pattern(regex: str) -> Callable[[str], bool]:
    compiled = re.compile(regex + r"\Z")
    return lambda value: bool(compiled.match(value))


def _text(max_len: int) -> Callable[[str], bool]:
    return lambda value: 0 < len(value) <= max_len and value.strip() == value and value.isprintable()


def _is_date(value: str) -> bool:
    try:
        return date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def _is_time(value: str) -> bool:
    try:
        parse_utc_text(value)
    except ValueError:
        return False
    return True


_REF = _pattern(r"[A-Za-z0-9_\-]{6,32}")
_RULES.update(
    mch_id=_pattern(r"[A-Za-z0-9_\-]{1,32}"),
    nonce=_pattern(r"[A-Za-z0-9]{16,64}"),
    timestamp=_pattern(r"[0-9]{1,12}"),
    sign_type=lambda v: v == sm2sign.SIGN_TYPE,
    sign=_pattern(r"[A-Za-z0-9+/]{86}=="),
    code=_pattern(r"[A-Za-z_]{1,40}"),
    message=_text(256),
    out_trade_no=_REF,
    out_refund_no=_REF,
    trade_no=_REF,
    refund_no=_REF,
    notify_id=_REF,
    auth_id=_REF,
    declaration_no=_REF,
    amount=_FEN.match,
    refunded_amount=_FEN.match,
    total_paid=_FEN.match,
    total_refunded=_FEN.match,
    count=_pattern(r"[0-9]{1,9}"),
    currency=lambda v: v == "CNY",
    description=_text(128),
    reason=_text(128),
    notify_url=_pattern(r"https?://[^\s]{1,250}"),
    code_url=_pattern(r"[a-z][a-z0-9+.\-]*:[^\s]{1,250}"),
    cashier_url=_pattern(r"https?://[^\s]{1,250}"),
    time_expire=_is_time,
    paid_at=_is_time,
    refunded_at=_is_time,
    received_at=_is_time,
    at=_is_time,
    date=_is_date,
    buyer_name=_text(64),
    payer_name=_text(64),
    holder_name=_text(64),
    buyer_id_no=_pattern(r"[0-9]{17}[0-9X]"),
    payer_id_no=_pattern(r"[0-9]{17}[0-9X]"),
    holder_id_no=_pattern(r"[0-9]{17}[0-9X]"),
    payer_account=_text(64),
    trade_state=lambda v: v in TRADE_STATES,
    refund_state=lambda v: v == "SUCCESS",
    auth_state=lambda v: v == "AUTHORIZED",
    event=lambda v: v in ("TRADE.SUCCESS",),
    kind=lambda v: v in ("payment", "refund"),
    limit=lambda v: v in ("per_payment", "daily", "balance"),
    decline_reason=_pattern(r"[a-z_]{1,40}"),
    card_no=_pattern(r"[0-9]{12,19}"),
    card_expiry=_pattern(r"(0[1-9]|1[0-2])[0-9]{2}"),
    card_cvv=_pattern(r"[0-9]{3,4}"),
    order_no=_pattern(r"[A-Za-z0-9_\-]{1,60}"),
    ebp_code=_pattern(r"[A-Za-z0-9]{1,18}"),
    ebp_name=_text(100),
    customs_code=_pattern(r"[0-9]{4}"),
    status=_pattern(r"[A-Z_]{1,20}"),
    pay_code=_pattern(r"[A-Za-z0-9]{1,18}"),
)


def validated(data: Mapping[str, Any], required: Iterable[str], optional: Iterable[str] = ()) -> dict[str, str]:
    """The known fields of ``data``, each checked; unknown fields are dropped."""
    out: dict[str, str] = {}
    for name, needed in [(n, True) for n in required] + [(n, False) for n in optional]:
        value = data.get(name)
        if value is None or value == "":
            if needed:
                raise WireError("bad_request", f"{name} is required")
            continue
        if not isinstance(value, str) or not _RULES[name](value):
            raise WireError("bad_request", f"{name} is malformed")
        out[name] = value
    return out


def validated_list(data: Mapping[str, Any], name: str, required: Iterable[str], optional: Iterable[str] = ()) -> list[dict[str, str]]:
    items = data.get(name)
    if not isinstance(items, list) or len(items) > 100_000:
        raise WireError("bad_request", f"{name} must be a list")
    checked = []
    for item in items:
        if not isinstance(item, dict):
            raise WireError("bad_request", f"{name} holds objects")
        checked.append(validated(item, required, optional))
    return checked


# -- envelope -------------------------------------------------------------------------------

def seal(fields: Mapping[str, object], private_key: str, clock: Callable[[], float] = time.time) -> dict[str, object]:
    """``fields`` with a fresh nonce, the timestamp and the signature (CPU-bound: ~2 ms)."""
    message = {k: v for k, v in fields.items() if v is not None and k not in ENVELOPE}
    message["nonce"] = new_nonce()
    message["timestamp"] = str(int(clock()))
    return sm2sign.sign_fields(message, private_key)


def encode(message: Mapping[str, object]) -> bytes:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode(body: bytes) -> dict[str, Any]:
    if len(body) > MAX_BODY:
        raise WireError("bad_request", "body too large", status=413)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WireError("bad_request", "body is not JSON") from exc
    if not isinstance(data, dict):
        raise WireError("bad_request", "body must be a JSON object")
    return data


def check_envelope(data: Mapping[str, Any], public_key: str, *, clock: Callable[[], float] = time.time, max_skew_s: int = MAX_SKEW_S) -> None:
    """Raises WireError unless the envelope is well formed, fresh and signed by the key's owner
    (CPU-bound: ~3 ms). The nonce's novelty is the receiver's to check."""
    envelope = validated(data, ENVELOPE)
    if abs(clock() - int(envelope["timestamp"])) > max_skew_s:
        raise WireError("stale_request", status=401)
    if not sm2sign.verify_fields(data, public_key):
        raise WireError("bad_signature", status=401)


def open_sealed(body: bytes, public_key: str, *, clock: Callable[[], float] = time.time, max_skew_s: int = MAX_SKEW_S) -> dict[str, Any]:
    data = decode(body)
    check_envelope(data, public_key, clock=clock, max_skew_s=max_skew_s)
    return data
