"""Resolves a bearer token to its principal, usually without touching the database.

The signature proves who the caller is; the database still decides whether the token was
revoked. Each process keeps the set of revoked digests and refreshes it at most every
``refresh_s`` seconds, so a token revoked elsewhere stops working within that time (at once
in the process that revoked it). One exception reads the database: a buyer token signed
before its owner's identity was verified, so that verifying takes effect without a new token.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import select

from liveport.accounts.domain import Principal, Role, token_digest
from liveport.accounts.models import ApiToken
from liveport.accounts.services import principal_for_token
from liveport.accounts.tokens import verify_token
from liveport.core.clock import utcnow
from liveport.core.db import Database


class TokenResolver:
    def __init__(self, db: Database, secret: str, refresh_s: float) -> None:
        self._db = db
        self._secret = secret
        self._refresh_s = refresh_s
        self._revoked: set[str] = set()
        self._revoked_since: datetime | None = None
        self._next_refresh = 0.0
        self._unverified: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()

    def _refresh_revoked(self) -> None:
        now = time.monotonic()
        if now < self._next_refresh:
            return
        with self._lock:
            if now < self._next_refresh:
                return
            since = self._revoked_since
            # A small overlap: a revocation committed while we read is caught next time.
            self._revoked_since = utcnow() - timedelta(seconds=5)
            query = select(ApiToken.digest).where(ApiToken.revoked_at.is_not(None))
            if since is not None:
                query = query.where(ApiToken.revoked_at >= since)
            with self._db.reader() as session:
                self._revoked.update(session.scalars(query))
            self._next_refresh = now + self._refresh_s

    def resolve(self, token: str) -> Principal | None:
        decided, principal = self.resolve_in_memory(token, may_read=True)
        return principal if decided else self._current(token)

    def resolve_in_memory(self, token: str, *, may_read: bool = False) -> tuple[bool, Principal | None]:
        """(True, principal or None) when memory decides; (False, None) when only the
        database can (an unverified buyer's token, or the revocation list is due a refresh
        and ``may_read`` is false — the caller is an event loop that must not block)."""
        claims = verify_token(self._secret, token)
        if claims is None:
            return True, None
        if claims.expires_at is not None and claims.expires_at <= time.time():
            return True, None
        if time.monotonic() >= self._next_refresh:
            if not may_read:
                return False, None
            self._refresh_revoked()
        if token_digest(token) in self._revoked:
            return True, None
        role = Role(claims.role)
        if role is Role.BUYER and claims.identity_hash is None:
            hit = self._unverified.get(token)
            if hit is not None and hit[0] > time.monotonic():
                return True, hit[1]
            return False, None
        return True, Principal(user_id=claims.user_id, role=role, display_name=claims.display_name,
                               exhibitor_id=claims.exhibitor_id, identity_hash=claims.identity_hash)

    def _current(self, token: str) -> Principal | None:
        """The buyer as the database has them now (their identity may be verified since)."""
        now = time.monotonic()
        hit = self._unverified.get(token)
        if hit is not None and hit[0] > now:
            return hit[1]
        principal = principal_for_token(self._db, token)
        if self._refresh_s > 0:
            with self._lock:
                if len(self._unverified) > 100_000:
                    self._unverified.clear()
                self._unverified[token] = (now + self._refresh_s, principal)
        return principal

    def reread(self, token: str) -> None:
        """The account changed (an identity was verified): read it again on next use."""
        with self._lock:
            self._unverified.pop(token, None)

    def forget(self, token: str) -> None:
        """This process revoked the token: refuse it from now on."""
        with self._lock:
            self._revoked.add(token_digest(token))
            self._unverified.pop(token, None)
