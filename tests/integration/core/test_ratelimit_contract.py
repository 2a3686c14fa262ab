"""One contract, two limiters: the in-process one and the Redis one behave the same.

Time is a fake clock (windows are aligned to the epoch); Redis runs at the ``redis_url``
database with a key prefix of its own per test, removed afterwards (never a FLUSH).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator

import pytest
import redis

from liveport.core.ratelimit import MemoryRateLimiter, RateDecision, RateLimiter, RedisRateLimiter

T0 = 1_800_000_000.0  # a multiple of 3600: the start of a window of every size used here


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def prefix(redis_client: redis.Redis) -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    mine = f"lp:test:rl:{uuid.uuid4().hex}:"
    yield mine
    keys = list(redis_client.scan_iter(match=f"{mine}*", count=1000))
    if keys:
        redis_client.delete(*keys)


@pytest.fixture(params=["memory", "redis"])
def make_limiter(request: pytest.FixtureRequest, clock: FakeClock) -> Callable[[], RateLimiter]:
    """Builds limiters that share state the way worker processes would (Redis: one prefix)."""
    if request.param == "memory":
        shared = MemoryRateLimiter(clock=clock)
        return lambda: shared
    client, mine = request.getfixturevalue("redis_client"), request.getfixturevalue("prefix")
    return lambda: RedisRateLimiter(client, prefix=mine, clock=clock)


def test_allows_exactly_the_limit_in_a_window_then_refuses(make_limiter, clock):
    limiter = make_limiter()
    clock.now = T0 + 2.0
    decisions = [limiter.hit("login:ip:1.2.3.4", 3, 10) for _ in range(5)]
    assert decisions == [RateDecision(True, 0)] * 3 + [RateDecision(False, 8)] * 2


@pytest.mark.parametrize("offset, retry", [(0.0, 10), (0.25, 10), (5.5, 5), (9.25, 1), (9.999, 1)])
def test_a_refusal_counts_whole_seconds_to_the_end_of_the_window(
    make_limiter, clock, offset, retry
):
    limiter = make_limiter()
    clock.now = T0 + offset
    assert limiter.hit("k", 1, 10) == RateDecision(True, 0)
    assert limiter.hit("k", 1, 10) == RateDecision(False, retry)


def test_the_next_window_starts_a_fresh_count(make_limiter, clock):
    limiter = make_limiter()
    clock.now = T0 + 59.9
    assert [limiter.hit("k", 2, 60).allowed for _ in range(3)] == [True, True, False]
    clock.now = T0 + 60.0
    assert [limiter.hit("k", 2, 60).allowed for _ in range(3)] == [True, True, False]


def test_keys_are_counted_apart(make_limiter):
    limiter = make_limiter()
    assert limiter.hit("login:user:1", 1, 60).allowed
    assert limiter.hit("login:user:2", 1, 60).allowed
    assert not limiter.hit("login:user:1", 1, 60).allowed


def test_one_key_under_two_window_sizes_is_two_counters(make_limiter):
    limiter = make_limiter()
    assert limiter.hit("k", 1, 60).allowed
    assert limiter.hit("k", 1, 3600).allowed
    assert not limiter.hit("k", 1, 60).allowed
    assert not limiter.hit("k", 1, 3600).allowed


def test_limiters_of_one_deployment_share_their_counts(make_limiter):
    first, second = make_limiter(), make_limiter()
    assert [
        first.hit("k", 3, 60).allowed,
        second.hit("k", 3, 60).allowed,
        first.hit("k", 3, 60).allowed,
        second.hit("k", 3, 60).allowed,
    ] == [True, True, True, False]


def test_racing_hits_never_allow_more_than_the_limit(make_limiter):
    limiter = make_limiter()
    allowed = []
    lock = threading.Lock()
    go = threading.Barrier(8)

    def burst() -> None:
        go.wait(timeout=10)
        for _ in range(25):
            decision = limiter.hit("drop:claims", 50, 60)
            with lock:
                allowed.append(decision.allowed)

    threads = [threading.Thread(target=burst) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert (len(allowed), allowed.count(True)) == (200, 50)


@pytest.mark.parametrize("limit, window_s", [(0, 60), (-1, 60), (5, 0), (5, -60)])
def test_impossible_limits_are_refused(make_limiter, limit, window_s):
    with pytest.raises(ValueError):
        make_limiter().hit("k", limit, window_s)


def test_redis_counters_expire_soon_after_their_window(redis_client, prefix, clock):
    limiter = RedisRateLimiter(redis_client, prefix=prefix, clock=clock)
    limiter.hit("k", 5, 10)
    limiter.hit("k", 5, 10)
    [key] = list(redis_client.scan_iter(match=f"{prefix}*"))
    assert int(redis_client.get(key)) == 2
    assert 0 < redis_client.ttl(key) <= 11


def test_redis_limiters_with_other_prefixes_do_not_share(redis_client, prefix, clock):
    ours = RedisRateLimiter(redis_client, prefix=prefix + "a:", clock=clock)
    theirs = RedisRateLimiter(redis_client, prefix=prefix + "b:", clock=clock)
    assert ours.hit("k", 1, 60).allowed
    assert theirs.hit("k", 1, 60).allowed


def test_memory_limiter_sweeps_past_windows_but_keeps_live_counts(clock):
    limiter = MemoryRateLimiter(clock=clock, max_keys=2)
    for key in ("a", "b", "c"):
        limiter.hit(key, 1, 10)
    assert limiter.tracked_keys == 3
    clock.now = T0 + 10
    limiter.hit("d", 1, 10)  # over the bound in a new window: a, b and c are swept
    assert limiter.tracked_keys == 1
    assert not limiter.hit("d", 1, 10).allowed
