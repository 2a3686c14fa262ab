"""Fixed-window rate limiting behind a small port, in-process or shared through Redis."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Protocol

import redis


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    retry_after_s: int


class RateLimiter(Protocol):
    def hit(self, key: str, limit: int, window_s: int) -> RateDecision: ...


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, window_s: int) -> RateDecision:
        now = time.time()
        window = int(now // window_s)
        with self._lock:
            if len(self._windows) > 200_000:
                self._windows = {k: v for k, v in self._windows.items() if v[0] == window}
            start, count = self._windows.get(key, (window, 0))
            count = count + 1 if start == window else 1
            self._windows[key] = (window, count)
        retry = int((window + 1) * window_s - now) + 1
        return RateDecision(count <= limit, 0 if count <= limit else retry)


_INCR_WITH_TTL = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('TTL', KEYS[1])}
"""


class RedisRateLimiter:
    """Counters shared by every worker process; one round trip per hit."""

    def __init__(self, client: redis.Redis, prefix: str = "lp:rl:") -> None:
        self._client = client
        self._prefix = prefix
        self._script = client.register_script(_INCR_WITH_TTL)

    def hit(self, key: str, limit: int, window_s: int) -> RateDecision:
        window = int(time.time() // window_s)
        count, ttl = self._script(keys=[f"{self._prefix}{key}:{window}"], args=[window_s + 1])
        allowed = int(count) <= limit
        return RateDecision(allowed, 0 if allowed else max(int(ttl), 1))
