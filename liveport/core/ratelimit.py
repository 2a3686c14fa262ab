"""Fixed-window rate limiting behind a small port, in-process or shared through Redis.

The contract both limiters keep (tests/integration/core/test_ratelimit_contract.py): within
one window of ``window_s`` seconds (windows are aligned to the epoch, so every worker agrees
on them) at most ``limit`` hits of a key are allowed, even when they race; a refused hit says
how many whole seconds remain until the window ends (at least 1); the same key under another
window size is a separate counter.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import redis

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    retry_after_s: int


class RateLimiter(Protocol):
    def hit(self, key: str, limit: int, window_s: int) -> RateDecision: ...


def _check(limit: int, window_s: int) -> None:
    if limit < 1 or window_s < 1:
        raise ValueError(f"a rate limit needs limit >= 1 and window_s >= 1, got {limit}/{window_s}")


def _decide(count: int, limit: int, window: int, window_s: int, now: float) -> RateDecision:
    if count <= limit:
        return RateDecision(True, 0)
    return RateDecision(False, max(1, math.ceil((window + 1) * window_s - now)))


class MemoryRateLimiter:
    """Counters of one process. Expired windows are swept when there are many keys, at most
    once per second, so a flood of distinct keys costs memory but never a scan per hit."""

    def __init__(self, clock: Clock = time.time, max_keys: int = 200_000) -> None:
        self._clock = clock
        self._max_keys = max_keys
        # (key, window_s) → (window index, count)
        self._windows: dict[tuple[str, int], tuple[int, int]] = {}
        self._next_sweep = 0.0
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, window_s: int) -> RateDecision:
        _check(limit, window_s)
        now = self._clock()
        window = int(now // window_s)
        with self._lock:
            if len(self._windows) > self._max_keys and now >= self._next_sweep:
                self._sweep(now)
            start, count = self._windows.get((key, window_s), (window, 0))
            count = count + 1 if start == window else 1
            self._windows[(key, window_s)] = (window, count)
        return _decide(count, limit, window, window_s, now)

    def _sweep(self, now: float) -> None:
        self._windows = {k: v for k, v in self._windows.items() if v[0] == int(now // k[1])}
        self._next_sweep = now + 1.0

    @property
    def tracked_keys(self) -> int:
        with self._lock:
            return len(self._windows)


_INCR_WITH_TTL = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""


class RedisRateLimiter:
    """Counters shared by every worker process; one round trip per hit."""

    def __init__(
        self, client: redis.Redis, prefix: str = "lp:rl:", clock: Clock = time.time
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._clock = clock
        self._script = client.register_script(_INCR_WITH_TTL)

    def hit(self, key: str, limit: int, window_s: int) -> RateDecision:
        _check(limit, window_s)
        now = self._clock()
        window = int(now // window_s)
        # One counter per window, living a little longer than the window so it cleans itself.
        count = self._script(keys=[f"{self._prefix}{key}:{window_s}:{window}"], args=[window_s + 1])
        return _decide(int(count), limit, window, window_s, now)
