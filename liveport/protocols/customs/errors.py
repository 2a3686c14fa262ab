"""Errors of the customs wire layer.

They are plain exceptions, not ``AppError``: ``liveport.protocols`` imports nothing from the
rest of Liveport (the sandboxes use it too). A domain service translates them.
"""

from __future__ import annotations

from dataclasses import dataclass


class CustomsWireError(ValueError):
    """Base of every error raised by ``liveport.protocols.customs``."""


class CustomsEncodingError(CustomsWireError):
    """A dataclass value that cannot be written as the standard asks (a float, an amount
    finer than the fen, more than 100 business nodes, ...)."""


class CustomsParseError(CustomsWireError):
    """Bytes that are not a customs message this package reads."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a message is refused: where (``/CEB311Message/Order[1]/OrderHead/appTime``)
    and which rule it breaks."""

    path: str
    rule: str

    def __str__(self) -> str:
        return f"{self.path}: {self.rule}"


class CustomsSchemaError(CustomsWireError):
    """A message that breaks the standard's structure. ``source`` says which validator spoke:
    ``"xsd"`` (the official schema) or ``"own"`` (Liveport's structural checks)."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...], source: str) -> None:
        self.problems = tuple(problems)
        self.source = source
        shown = "; ".join(str(p) for p in self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"customs message refused by the {source} checks: {shown}{more}")


class CustomsSchemaUnavailable(CustomsWireError):
    """The configured XSD directory does not hold a usable ``ceb-import.xsd``."""


class CertificateError(CustomsWireError):
    """A certificate or key that cannot be read or does not fit its key."""


class SignatureError(CustomsWireError):
    """A signature that is not accepted. Refuse the message on any subclass."""


class SignatureMissing(SignatureError):
    """The message carries no ``ds:Signature``."""


class SignatureInvalid(SignatureError):
    """The signature does not hold: altered after signing, digest mismatch, a damaged value,
    a reference that does not cover the whole message."""


class UntrustedCertificate(SignatureError):
    """The signing certificate is not one of the trusted ones, or not valid at that time."""


class SignatureUnverifiable(SignatureError):
    """A signature this package recognises but cannot check, such as the RSA-SHA1 signatures
    of the official samples (RSA certificates of other parties). Distinct from invalid: the
    message may be genuine, but nothing here vouches for it."""
