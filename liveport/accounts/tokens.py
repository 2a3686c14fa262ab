"""Signed bearer tokens: who the caller is, verifiable without a database read.

A flash-sale burst is hundreds of thousands of buyers each calling once; looking each token
up in SQL would cap the claim path at the database's speed. The token therefore carries the
principal (user, role, name, exhibitor, verified identity hash) under an HMAC-SHA256 of the
session secret. Revocation still works: every token also has a row (stored as its SHA-256
digest), and each process keeps the set of revoked digests, refreshed from the database.
Pure functions: no I/O.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

PREFIX = "lp1"


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: int
    role: str
    display_name: str
    exhibitor_id: int | None
    identity_hash: str | None
    expires_at: int | None  # epoch seconds; None = until revoked
    nonce: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), f"{PREFIX}.{payload}".encode(), hashlib.sha256).digest())


def sign_token(
    secret: str,
    *,
    user_id: int,
    role: str,
    display_name: str,
    exhibitor_id: int | None,
    identity_hash: str | None,
    expires_at: int | None,
) -> str:
    body = {"u": user_id, "r": role, "d": display_name, "x": exhibitor_id, "h": identity_hash, "e": expires_at,
            "n": secrets.token_urlsafe(12)}
    payload = _b64(json.dumps(body, separators=(",", ":")).encode())
    return f"{PREFIX}.{payload}.{_mac(secret, payload)}"


def verify_token(secret: str, token: str) -> TokenClaims | None:
    """The claims of a token signed with ``secret``; None for anything else."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != PREFIX or len(token) > 1024:
        return None
    _, payload, mac = parts
    if not hmac.compare_digest(mac, _mac(secret, payload)):
        return None
    try:
        body = json.loads(_unb64(payload))
        return TokenClaims(
            user_id=int(body["u"]), role=str(body["r"]), display_name=str(body["d"]),
            exhibitor_id=body["x"],
            identity_hash=body["h"], expires_at=body["e"], nonce=str(body["n"]),
        )
    except (ValueError, KeyError, TypeError):
        return None
