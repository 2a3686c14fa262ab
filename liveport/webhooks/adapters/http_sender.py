"""POSTs a webhook with httpx: a timeout on every call, no redirects followed, and in
production only to public addresses (a name that resolves into our network is refused)."""
from __future__ import annotations

import socket
from urllib.parse import urlsplit

import httpx

from liveport.webhooks.domain import is_public_address
from liveport.webhooks.ports import SendOutcome

MAX_ANSWER = 64 * 1024


class HttpWebhookSender:
    def __init__(self, timeout_s: float, *, production: bool) -> None:
        self.timeout_s = timeout_s
        self.production = production

    def _blocked(self, url: str) -> str | None:
        parts = urlsplit(url)
        host = parts.hostname or ""
        try:
            infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
        except OSError as exc:
            return f"cannot resolve {host}: {exc}"
        addresses = {info[4][0] for info in infos}
        bad = sorted(a for a in addresses if not is_public_address(a))
        return f"{host} resolves to a non-public address" if bad else None

    def send(self, url: str, body: bytes, headers: dict[str, str]) -> SendOutcome:
        if self.production:
            # Checked at each send: a name registered as public may later point inside.
            # (A rebinding between this lookup and httpx's own remains possible.)
            blocked = self._blocked(url)
            if blocked:
                return SendOutcome(None, blocked)
        try:
            with httpx.Client(timeout=self.timeout_s, follow_redirects=False, trust_env=False) as client:
                answer = client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return SendOutcome(None, f"{type(exc).__name__}: {exc}"[:300])
        if 200 <= answer.status_code < 300:
            return SendOutcome(answer.status_code, None)
        return SendOutcome(answer.status_code, f"HTTP {answer.status_code}: {answer.text[:200]}")
