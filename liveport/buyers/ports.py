"""The outside world of the buyers domain: a real-name verification service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """The verifier's answer to a two-element check (name + ID number).

    ``reason`` is the verifier's own word for a mismatch (e.g. ``name_mismatch``,
    ``not_registered``, ``invalid_id_number``); ``reference`` identifies the check at the
    verifier, for audits.
    """

    matched: bool
    reason: str | None
    reference: str


class IdentityVerifier(Protocol):
    def verify(self, full_name: str, id_number: str) -> VerificationResult:
        """Raise ``UpstreamError`` (code ``verifier_unavailable``) when the verifier cannot
        answer; a definite mismatch is a result, not an error."""
        ...
