"""The data dir's secrets file for dev and demo: generated once, mode 0600, never in code.

Existing secrets are kept; secrets added by a later version (e.g. the SM2 merchant keys of
the payment providers) are added to an existing file. Beside each SM2 private key the file
keeps its public half, which is what the provider (the mounted sandbox) reads.
"""
from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable

from cryptography.fernet import Fernet

from liveport.core.settings import SECRETS_FILE_NAME, Settings
from liveport.protocols import sm2sign


def _generators() -> dict[str, Callable[[], str]]:
    return {
        "session_secret": lambda: secrets.token_urlsafe(32),
        "identity_key": lambda: Fernet.generate_key().decode(),
        "identity_hash_key": lambda: secrets.token_urlsafe(32),
        "identity_verifier_key": lambda: secrets.token_urlsafe(24),
    }


def _add_sm2_pair(stored: dict[str, str], prefix: str) -> bool:
    private_name, public_name = f"{prefix}_private_key", f"{prefix}_public_key"
    if private_name in stored:
        if public_name not in stored:
            stored[public_name] = sm2sign.public_key_of(stored[private_name])
            return True
        return False
    pair = sm2sign.generate_keypair()
    stored[private_name], stored[public_name] = pair.private_key, pair.public_key
    return True


def _write_private(path: os.PathLike[str], stored: dict[str, str]) -> None:
    temporary = f"{os.fspath(path)}.{secrets.token_hex(4)}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(stored, handle)
    os.replace(temporary, path)


def init_secrets(settings: Settings) -> Settings:
    """Create the secrets file, or complete it; existing secrets are kept. Returns settings
    that use it."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / SECRETS_FILE_NAME
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    changed = not path.exists()
    for name, generate in _generators().items():
        if name not in stored:
            stored[name] = generate()
            changed = True
    for prefix in ("ecny_merchant", "card_merchant", "carrier_merchant"):
        changed = _add_sm2_pair(stored, prefix) or changed
    if changed:
        _write_private(path, stored)
    return settings.with_file_secrets()
