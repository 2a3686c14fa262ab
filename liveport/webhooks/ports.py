"""What webhooks need from outside: a cipher for secrets at rest, and a way to POST."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class SecretCipher(Protocol):
    """Encrypts endpoint secrets at rest (the identity protector's Fernet keys)."""

    def encrypt_text(self, text: str) -> str: ...

    def decrypt_text(self, cipher_text: str) -> str: ...


@dataclass(frozen=True)
class SendOutcome:
    status_code: int | None  # None: no HTTP answer (refused, timed out, blocked address)
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookSender(Protocol):
    def send(self, url: str, body: bytes, headers: dict[str, str]) -> SendOutcome: ...
