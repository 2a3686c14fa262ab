"""Encryption at rest and the keyed hash of resident ID numbers.

Fernet (``cryptography``) encrypts: AES-128-CBC with an HMAC-SHA256 tag, so a changed
ciphertext is refused rather than decrypted to garbage. ``LIVEPORT_IDENTITY_KEY`` may hold
several comma-separated keys to rotate: the first encrypts, all decrypt.

The keyed hash (HMAC-SHA256 with ``LIVEPORT_IDENTITY_HASH_KEY``) is what limits and quotas
count by: equal for the same person on any account, useless to someone who has the table
but not the key (an 18-digit ID space is small enough to enumerate a plain hash).

Keys are read when first needed, so a process that never touches identities starts without
them; a key that is present but malformed stops the start at once.
"""

from __future__ import annotations

import hashlib
import hmac
import threading

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from liveport.core.errors import AppError, ConfigurationError
from liveport.core.settings import Settings


class IdentityDecryptionFailed(AppError):
    code = "identity_unreadable"
    status = 500
    message = "A stored identity could not be decrypted with the configured keys."


def _fernet(raw: str) -> MultiFernet:
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except (ValueError, TypeError) as exc:
        # The message names the setting, never the key.
        raise ConfigurationError(
            "LIVEPORT_IDENTITY_KEY must be one or more Fernet keys (url-safe base64 of 32 bytes).",
            code="invalid_identity_key",
        ) from exc


class IdentityProtector:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._cipher: MultiFernet | None = None
        self._hash_key: bytes | None = None
        if settings.identity_key is not None:
            self._cipher = _fernet(settings.identity_key.get_secret_value())
        if settings.identity_hash_key is not None:
            self._hash_key = self._check_hash_key(settings.identity_hash_key.get_secret_value())

    @classmethod
    def from_settings(cls, settings: Settings) -> IdentityProtector:
        return cls(settings)

    @staticmethod
    def _check_hash_key(raw: str) -> bytes:
        if len(raw) < 16:
            raise ConfigurationError(
                "LIVEPORT_IDENTITY_HASH_KEY must have at least 16 characters.",
                code="invalid_identity_hash_key",
            )
        return raw.encode()

    def _get_cipher(self) -> MultiFernet:
        if self._cipher is None:
            with self._lock:
                if self._cipher is None:
                    self._cipher = _fernet(self._settings.secret("identity_key"))
        return self._cipher

    def _get_hash_key(self) -> bytes:
        if self._hash_key is None:
            self._hash_key = self._check_hash_key(self._settings.secret("identity_hash_key"))
        return self._hash_key

    def encrypt(self, id_number: str) -> str:
        return self._get_cipher().encrypt(id_number.encode()).decode("ascii")

    def decrypt(self, cipher_text: str) -> str:
        try:
            return self._get_cipher().decrypt(cipher_text.encode("ascii")).decode()
        except InvalidToken as exc:
            raise IdentityDecryptionFailed() from exc

    def encrypt_text(self, text: str) -> str:
        """A whole message that carries ID numbers (a signed customs declaration kept to be
        resent byte for byte), encrypted at rest like the ID numbers themselves."""
        return self._get_cipher().encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt_text(self, cipher_text: str) -> str:
        try:
            return self._get_cipher().decrypt(cipher_text.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise IdentityDecryptionFailed() from exc

    def keyed_hash(self, id_number: str) -> str:
        """64 hex characters; give it the normalised number (upper-case X)."""
        return hmac.new(self._get_hash_key(), id_number.encode(), hashlib.sha256).hexdigest()

    def rotate(self, cipher_text: str) -> str:
        """Re-encrypt under the first (newest) key."""
        return self._get_cipher().rotate(cipher_text.encode("ascii")).decode("ascii")

    def __repr__(self) -> str:
        return "IdentityProtector(<keys hidden>)"
