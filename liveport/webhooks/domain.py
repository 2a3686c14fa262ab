"""Webhook rules: which events, which URLs, how long between retries. Pure, no I/O."""
from __future__ import annotations

import ipaddress
import secrets
from enum import StrEnum
from urllib.parse import urlsplit

from liveport.core.errors import ValidationFailed

# The order events an exhibitor may subscribe to (outbox types ``order.<status>``).
EVENT_TYPES = ("order.paid", "order.released", "order.shipped", "order.delivered", "order.returned")
SECRET_PREFIX = "whsec_"
MAX_URL = 500


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def check_events(events: list[str]) -> tuple[str, ...]:
    """The subscribed types in the canonical order; unknown or none refused."""
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown or not events:
        raise ValidationFailed(
            "Subscribe to one or more of: " + ", ".join(EVENT_TYPES) + ".",
            code="invalid_webhook_events", details={"unknown": unknown, "allowed": list(EVENT_TYPES)})
    return tuple(t for t in EVENT_TYPES if t in events)


def _invalid(reason: str) -> ValidationFailed:
    return ValidationFailed(f"That webhook URL is not allowed: {reason}.", code="invalid_webhook_url",
                            details={"reason": reason})


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_public_address(address: str) -> bool:
    """An address a production server may call: not private, loopback, link-local (cloud
    metadata), multicast, reserved or unspecified."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, production: bool) -> str:
    """Production: https to a public host only (no SSRF into our own network). Dev, demo and
    test also take plain http, but only to loopback (a receiver on this machine)."""
    if len(url) > MAX_URL:
        raise _invalid("too long")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _invalid("not a URL") from exc
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in ("https", "http") or not host:
        raise _invalid("an absolute https URL is needed")
    if parts.username or parts.password:
        raise _invalid("credentials in the URL")
    if port == 0:
        raise _invalid("port 0")
    loopback = is_loopback_host(host)
    if parts.scheme == "http" and (production or not loopback):
        raise _invalid("https is required" if production else "plain http only to loopback")
    if production:
        if loopback or host.endswith((".localhost", ".internal", ".local")):
            raise _invalid("a private host")
        try:
            public = is_public_address(host)
        except ValueError:
            public = True  # a name: resolved and checked again at each send
        if not public:
            raise _invalid("a private address")
    return url


def retry_delay_s(attempts: int, base_s: float, max_s: float) -> float:
    """Delay after the ``attempts``-th failure: base, 2×base, 4×base … capped."""
    return min(base_s * 2 ** max(attempts - 1, 0), max_s)


def is_exhausted(attempts: int, max_attempts: int) -> bool:
    return attempts >= max_attempts
