"""The composition root: what a running Liveport process holds, built from settings.

Built once by the application factory or a CLI command; nothing here runs at import time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import redis

from liveport.accounts.token_resolver import TokenResolver
from liveport.buyers.protection import IdentityProtector
from liveport.core.db import Database
from liveport.core.errors import ConfigurationError
from liveport.core.outbox.registry import HandlerRegistry
from liveport.core.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from liveport.core.settings import Settings


@dataclass
class AppContext:
    settings: Settings
    db: Database
    tokens: TokenResolver
    rate_limiter: RateLimiter
    # Encrypts and hashes resident ID numbers (liveport.buyers.protection).
    identity: IdentityProtector
    redis: redis.Redis | None = None
    # Outbox handlers of this process; start-up hooks register on it (liveport.core.outbox).
    outbox: HandlerRegistry = field(default_factory=HandlerRegistry)
    extras: dict[str, Any] = field(default_factory=dict)

    def close(self) -> None:
        if self.redis is not None:
            self.redis.close()
        self.db.dispose()


def check_process_model(settings: Settings) -> None:
    """DESIGN.md §5: in-process gates and brokers per worker would oversell and split rooms."""
    if settings.workers > 1 and not settings.redis_url:
        raise ConfigurationError(
            f"{settings.workers} worker processes need LIVEPORT_REDIS_URL: without Redis each "
            "process would keep its own flash-sale gate and room broker, overselling stock "
            "and splitting rooms.",
            code="redis_required",
        )
    if settings.workers > 1 and settings.is_sqlite:
        raise ConfigurationError(
            "More than one worker process needs PostgreSQL (LIVEPORT_DATABASE_URL).",
            code="postgresql_required",
        )


def build_context(settings: Settings) -> AppContext:
    check_process_model(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url)
    client = (
        redis.Redis.from_url(
            settings.redis_url,
            socket_timeout=settings.outbound_timeout_s,
            socket_connect_timeout=settings.outbound_timeout_s,
        )
        if settings.redis_url
        else None
    )
    limiter: RateLimiter = RedisRateLimiter(client) if client is not None else MemoryRateLimiter()
    return AppContext(
        settings=settings,
        db=db,
        tokens=TokenResolver(db, settings.secret("session_secret"), settings.token_cache_seconds),
        rate_limiter=limiter,
        identity=IdentityProtector.from_settings(settings),
        redis=client,
        outbox=HandlerRegistry(),
    )
