"""Who is calling: roles and the principal a request acts as. Pure rules, no I/O."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    BUYER = "buyer"
    HOST = "host"
    MODERATOR = "moderator"
    MERCHANT = "merchant"
    OPERATOR = "operator"


STAFF_ROLES = frozenset({Role.HOST, Role.MODERATOR, Role.OPERATOR})
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,63}$")
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int
    role: Role
    display_name: str
    exhibitor_id: int | None = None
    identity_hash: str | None = None

    @property
    def is_operator(self) -> bool:
        return self.role is Role.OPERATOR


def normalise_email(email: str) -> str:
    return email.strip().lower()


def is_valid_email(email: str) -> bool:
    return bool(EMAIL_RE.match(email))


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"A password needs at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > 256:
        return "A password may have at most 256 characters."
    return None


def token_digest(token: str) -> str:
    """Tokens are stored only as their SHA-256: a stolen table yields no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()
