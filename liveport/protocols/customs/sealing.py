"""The one call before a message leaves: build, sign, validate."""

from __future__ import annotations

from pathlib import Path

from liveport.protocols.customs.certificates import PartyCredentials
from liveport.protocols.customs.codec import to_bytes
from liveport.protocols.customs.validation import validate
from liveport.protocols.customs.xmldsig import sign


def seal(message: object, credentials: PartyCredentials | None, xsd_dir: Path | None = None) -> bytes:
    """The message's bytes, signed when ``credentials`` are given (621/623/625 must be),
    and validated (official XSD in ``xsd_dir``, else the own checks) after signing, since
    the schema requires the signature on those messages. Raises CustomsEncodingError or
    CustomsSchemaError; nothing invalid is ever returned."""
    data = to_bytes(message)
    if credentials is not None:
        data = sign(data, credentials)
    validate(data, xsd_dir)
    return data
