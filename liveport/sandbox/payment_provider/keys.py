"""The provider's own SM2 key pair (made on first start, kept in its data dir), its customs
certificate, and the merchants' public keys."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from liveport.protocols import customs as ceb
from liveport.protocols import sm2sign

KEY_FILE = "provider_key.json"
PUBLIC_KEY_FILE = "provider_public_key.hex"


def provider_keypair(directory: Path) -> sm2sign.KeyPair:
    """Loads the key pair, or makes it once: the private half mode 0600, the public half
    beside it for merchants to configure."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / KEY_FILE
    if not path.exists():
        pair = sm2sign.generate_keypair()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: use theirs
        else:
            with os.fdopen(fd, "w") as handle:
                json.dump({"private_key": pair.private_key, "public_key": pair.public_key}, handle)
    stored = json.loads(path.read_text())
    pair = sm2sign.KeyPair(
        sm2sign.check_private_key(stored["private_key"]), sm2sign.check_public_key(stored["public_key"])
    )
    public_path = directory / PUBLIC_KEY_FILE
    if not public_path.exists() or public_path.read_text().strip() != pair.public_key:
        public_path.write_text(pair.public_key + "\n")
    return pair


class Merchants:
    """mch_id → public key. Given explicitly, or (embedded layout) the one merchant of the
    ``secrets.json`` beside the sandbox's data dir, read when first needed."""

    def __init__(
        self,
        explicit: Mapping[str, str] | None,
        secrets_file: Path,
        default_mch_id: str,
        secrets_entry: str,
    ) -> None:
        self._keys = {k: sm2sign.check_public_key(v) for k, v in (explicit or {}).items()}
        self._explicit = explicit is not None
        self._secrets_file = secrets_file
        self._default_mch_id = default_mch_id
        self._secrets_entry = secrets_entry

    def public_key(self, mch_id: str) -> str | None:
        if mch_id not in self._keys and not self._explicit and mch_id == self._default_mch_id:
            self._load_embedded()
        return self._keys.get(mch_id)

    def _load_embedded(self) -> None:
        try:
            value = json.loads(self._secrets_file.read_text()).get(self._secrets_entry)
            self._keys[self._default_mch_id] = sm2sign.check_public_key(str(value))
        except (OSError, ValueError, AttributeError):
            return


PARTY_FILE = "customs_party.json"


def customs_party(directory: Path, name: str, customs_code: str) -> ceb.PartyCredentials:
    """The provider's certificate for signing CEB411 (customs_filing.py), made at first use
    and kept beside its key pair (mode 0600)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / PARTY_FILE
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: use theirs
        else:
            with os.fdopen(fd, "w") as handle:
                json.dump(ceb.generate_party(name, customs_code).to_dict(), handle)
    party = ceb.PartyCredentials.from_dict(json.loads(path.read_text()))
    if party.customs_code != customs_code:
        raise ceb.CertificateError(f"{path} is for {party.customs_code}, not {customs_code}")
    return party
