"""The ``Liveport-Signature`` header, Stripe-style, and the check a receiver makes.

Header: ``Liveport-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``.
The receiver takes the raw request body (bytes, before any JSON parsing), recomputes the
HMAC with the endpoint's secret, compares in constant time and refuses a timestamp older or
newer than its tolerance (five minutes by default), which stops a captured request being
replayed later. ``Liveport-Webhook-Id`` carries the delivery id, the same on every retry:
receivers de-duplicate by it. Pure: exhibitors may copy ``verify`` into their own code.
"""
from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Liveport-Signature"
ID_HEADER = "Liveport-Webhook-Id"
DEFAULT_TOLERANCE_S = 300


class SignatureInvalid(ValueError):
    """The header is missing, malformed, stale, or does not match the body and secret."""


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The header value for ``body`` sent at ``timestamp`` (unix seconds)."""
    return f"t={timestamp},v1={_mac(secret, timestamp, body)}"


def verify(secret: str, body: bytes, header: str | None, now: int,
           tolerance_s: int = DEFAULT_TOLERANCE_S) -> int:
    """The signed timestamp if ``header`` proves ``body`` came from Liveport; raises otherwise.

    Several ``v1=`` values may appear (we may sign with two secrets while one is rotated
    out); one match is enough.
    """
    if not header:
        raise SignatureInvalid("no signature header")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError as exc:
                raise SignatureInvalid("the timestamp is not a number") from exc
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureInvalid("the header needs t= and v1=")
    if abs(now - timestamp) > tolerance_s:
        raise SignatureInvalid("the timestamp is outside the tolerance")
    expected = _mac(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, c) for c in candidates):
        raise SignatureInvalid("the signature does not match")
    return timestamp
