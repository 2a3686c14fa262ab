"""The identity verifier over HTTP: the sandbox's wire contract (see the sandbox app's doc).

Requests are signed with HMAC-SHA256 over ``<timestamp>.<body>`` under
``LIVEPORT_IDENTITY_VERIFIER_KEY``. Anything but a well-formed answer — refused connection,
timeout, 5xx, a refused signature, a body we cannot read — is ``verifier_unavailable``
(an UpstreamError, 502/503), never a 500, and its message never carries the request body.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

import httpx

from liveport.buyers.ports import VerificationResult
from liveport.core.errors import ConfigurationError, UpstreamError
from liveport.core.outbound import OutboundClient
from liveport.core.settings import Settings

log = logging.getLogger("liveport.buyers.verifier")


class VerifierUnavailable(UpstreamError):
    code = "verifier_unavailable"
    status = 503
    message = "The identity verification service is not answering; try again in a minute."


class VerifierBadAnswer(VerifierUnavailable):
    status = 502
    message = "The identity verification service gave an answer we could not use."


def sign(key: str, timestamp: str, body: bytes) -> str:
    return hmac.new(key.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class HttpIdentityVerifier:
    def __init__(
        self,
        base_url: str,
        key: str | None,
        timeout_s: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._key = key
        self._timeout = timeout_s
        self._http = OutboundClient(timeout_s, transport)

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpIdentityVerifier:
        return cls(
            settings.identity_verifier_url or settings.sandbox_url("identity"),
            # Looked up when a request is made, so a process without the key still starts.
            settings.identity_verifier_key.get_secret_value()
            if settings.identity_verifier_key
            else None,
            settings.outbound_timeout_s,
        )

    def _post(self, path: str, payload: dict[str, object]) -> httpx.Response:
        if not self._key:
            raise ConfigurationError(
                "LIVEPORT_IDENTITY_VERIFIER_KEY is not set; run `liveport secrets "
                "init` or set it in the environment"
            )
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        stamp = str(int(time.time()))
        headers = {
            "content-type": "application/json",
            "x-timestamp": stamp,
            "x-signature": sign(self._key, stamp, body),
        }
        try:
            return self._http.get().post(f"{self._base_url}{path}", content=body, headers=headers)
        except httpx.TimeoutException as exc:
            log.warning("identity verifier timed out after %.1fs", self._timeout)
            raise VerifierUnavailable(details={"reason": "timeout"}) from exc
        except httpx.HTTPError as exc:
            # The exception type only: its text may quote the request.
            log.warning("identity verifier unreachable: %s", type(exc).__name__)
            raise VerifierUnavailable(details={"reason": "unreachable"}) from exc

    def verify(self, full_name: str, id_number: str) -> VerificationResult:
        response = self._post("/v1/verify", {"name": full_name, "id_number": id_number})
        if response.status_code != 200:
            log.warning("identity verifier answered HTTP %s", response.status_code)
            kind = VerifierUnavailable if response.status_code >= 500 else VerifierBadAnswer
            raise kind(details={"reason": "http_status", "status": response.status_code})
        try:
            data = response.json()
            result, reason, reference = data["result"], data.get("reason"), data["reference"]
        except (ValueError, KeyError, TypeError) as exc:
            raise VerifierBadAnswer(details={"reason": "malformed_answer"}) from exc
        if result not in {"match", "mismatch", "invalid"} or not isinstance(reference, str):
            raise VerifierBadAnswer(details={"reason": "malformed_answer"})
        return VerificationResult(
            matched=result == "match",
            reason=None if result == "match" else str(reason or result),
            reference=reference[:64],
        )

    def register_person(self, full_name: str, id_number: str) -> int:
        """Sandbox only: add a test person; returns the HTTP status (201 new, 200 known)."""
        response = self._post("/v1/persons", {"name": full_name, "id_number": id_number})
        if response.status_code not in (200, 201):
            raise VerifierBadAnswer(
                details={"reason": "http_status", "status": response.status_code}
            )
        return response.status_code
