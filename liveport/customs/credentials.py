"""The platform's and the agent's signing credentials (SM2 key + X.509 certificate).

A real deployment is given its certificates by the customs CA and points
``LIVEPORT_CUSTOMS_CREDENTIALS_DIR`` at them (files ``platform.json`` and ``agent.json`` in
the format of ``PartyCredentials.to_dict``); outside production, missing ones are made on
first use, for the sandbox, and kept with mode 0600.
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from liveport.core.errors import ConfigurationError
from liveport.core.settings import Settings
from liveport.protocols.customs import PartyCredentials, generate_party

_lock = threading.Lock()
_cache: dict[Path, PartyCredentials] = {}


def credentials_dir(settings: Settings) -> Path:
    return settings.customs_credentials_dir or settings.data_dir / "customs"


def party_credentials(settings: Settings, role: str, name: str, customs_code: str) -> PartyCredentials:
    path = credentials_dir(settings) / f"{role}.json"
    with _lock:
        if path in _cache:
            return _cache[path]
        if path.exists():
            made = PartyCredentials.from_dict(json.loads(path.read_text()))
        elif settings.env == "production":
            raise ConfigurationError(f"customs credentials {path} are missing", code="customs_credentials_missing")
        else:
            made = generate_party(name, customs_code)
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                json.dump(made.to_dict(), handle)
        _cache[path] = made
        return made
