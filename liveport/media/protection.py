"""Stream keys at rest, and the shared secret the media server's callbacks carry.

A key is looked up by its keyed hash (HMAC-SHA256) and kept encrypted (Fernet) so the host
console can show it again. Both keys, and the callbacks' secret, come from settings
(``LIVEPORT_MEDIA_KEY_SECRET``, ``LIVEPORT_MEDIA_HOOK_SECRET``) or, when those are unset,
are derived from the session secret with HKDF (one label per purpose), so the embedded
setup needs no further secret. Changing the secret they come from makes stored stream keys
unreadable: hosts then rotate their keys.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from liveport.core.errors import AppError
from liveport.core.settings import Settings
from liveport.media.domain import STREAM_KEY_PREFIX


class StreamKeyUnreadable(AppError):
    code = "stream_key_unreadable"
    status = 409
    message = "The stored stream key cannot be read with the configured secret; rotate the key."


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"liveport media " + purpose).derive(secret.encode())


def _base(settings: Settings, name: str) -> str:
    own = getattr(settings, name)
    return own.get_secret_value() if own is not None else settings.secret("session_secret")


def hook_secret(settings: Settings) -> str:
    """What the media server's callback URLs carry (``?token=``)."""
    if settings.media_hook_secret is not None:
        return settings.media_hook_secret.get_secret_value()
    raw = _derive(settings.secret("session_secret"), b"hook token")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def hook_token_matches(settings: Settings, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), hook_secret(settings).encode())


def new_stream_key() -> str:
    return STREAM_KEY_PREFIX + secrets.token_urlsafe(24)


class StreamKeyProtector:
    def __init__(self, settings: Settings) -> None:
        base = _base(settings, "media_key_secret")
        self._digest_key = _derive(base, b"stream key digest")
        self._cipher = Fernet(base64.urlsafe_b64encode(_derive(base, b"stream key cipher")))

    def digest(self, key: str) -> str:
        return hmac.new(self._digest_key, key.encode(), hashlib.sha256).hexdigest()

    def encrypt(self, key: str) -> str:
        return self._cipher.encrypt(key.encode()).decode("ascii")

    def decrypt(self, cipher_text: str) -> str:
        try:
            return self._cipher.decrypt(cipher_text.encode("ascii")).decode()
        except InvalidToken as exc:
            raise StreamKeyUnreadable() from exc

    def __repr__(self) -> str:
        return "StreamKeyProtector(<keys hidden>)"
