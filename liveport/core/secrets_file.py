"""The data dir's secrets file for dev and demo: generated once, mode 0600, never in code."""
from __future__ import annotations

import json
import os
import secrets

from cryptography.fernet import Fernet

from liveport.core.settings import SECRETS_FILE_NAME, Settings


def init_secrets(settings: Settings) -> Settings:
    """Create the secrets file once; existing secrets are kept. Returns settings that use it."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / SECRETS_FILE_NAME
    if not path.exists():
        stored = {
            "session_secret": secrets.token_urlsafe(32),
            "identity_key": Fernet.generate_key().decode(),
            "identity_hash_key": secrets.token_urlsafe(32),
            "identity_verifier_key": secrets.token_urlsafe(24),
        }
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(stored, handle)
    return settings.with_file_secrets()
