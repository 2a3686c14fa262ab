"""The carrier's own keys, made on first start in its data dir: the SM2 pair that signs its
answers (the public half beside it, ``provider_public_key.hex``, for merchants to
configure), its customs party (SM2 certificate for signing CEB511, ``customs_party.json``),
and the merchants' public keys."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from liveport.protocols import customs as ceb
from liveport.protocols import sm2sign

KEY_FILE = "provider_key.json"
PUBLIC_KEY_FILE = "provider_public_key.hex"
PARTY_FILE = "customs_party.json"


def _made_once(path: Path, make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The JSON in ``path``, written once (mode 0600) by whichever process comes first."""
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                json.dump(make(), handle)
    return json.loads(path.read_text())


def carrier_keypair(directory: Path) -> sm2sign.KeyPair:
    directory.mkdir(parents=True, exist_ok=True)

    def make() -> dict[str, Any]:
        pair = sm2sign.generate_keypair()
        return {"private_key": pair.private_key, "public_key": pair.public_key}

    stored = _made_once(directory / KEY_FILE, make)
    pair = sm2sign.KeyPair(sm2sign.check_private_key(stored["private_key"]),
                           sm2sign.check_public_key(stored["public_key"]))
    public_path = directory / PUBLIC_KEY_FILE
    if not public_path.exists() or public_path.read_text().strip() != pair.public_key:
        public_path.write_text(pair.public_key + "\n")
    return pair


def customs_party(directory: Path, name: str, customs_code: str) -> ceb.PartyCredentials:
    """The carrier's signing certificate for customs, generated at first use."""
    directory.mkdir(parents=True, exist_ok=True)
    stored = _made_once(directory / PARTY_FILE, lambda: ceb.generate_party(name, customs_code).to_dict())
    party = ceb.PartyCredentials.from_dict(stored)
    if party.customs_code != customs_code:
        raise ceb.CertificateError(f"{directory / PARTY_FILE} is for {party.customs_code}, not {customs_code}")
    return party


class Merchants:
    """mch_id → public key: given explicitly, or (embedded layout) the one merchant of the
    ``secrets.json`` beside the sandbox's data dir, read when first needed."""

    def __init__(self, explicit: Mapping[str, str] | None, secrets_file: Path, default_mch_id: str,
                 secrets_entry: str) -> None:
        self._keys = {k: sm2sign.check_public_key(v) for k, v in (explicit or {}).items()}
        self._explicit = explicit is not None
        self._secrets_file = secrets_file
        self._default_mch_id = default_mch_id
        self._secrets_entry = secrets_entry

    def public_key(self, mch_id: str) -> str | None:
        if mch_id not in self._keys and not self._explicit and mch_id == self._default_mch_id:
            try:
                value = json.loads(self._secrets_file.read_text()).get(self._secrets_entry)
                self._keys[mch_id] = sm2sign.check_public_key(str(value))
            except (OSError, ValueError, AttributeError):
                return None
        return self._keys.get(mch_id)
