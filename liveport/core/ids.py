"""Identifiers that leave the system: random, URL-safe, never guessable from a sequence."""
from __future__ import annotations

import secrets
import uuid


def public_id(prefix: str, nbytes: int = 9) -> str:
    return f"{prefix}_{secrets.token_urlsafe(nbytes).replace('-', 'x').replace('_', 'y')}"


def new_guid() -> str:
    """36-character upper-case GUID, the form customs messages use."""
    return str(uuid.uuid4()).upper()


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)
