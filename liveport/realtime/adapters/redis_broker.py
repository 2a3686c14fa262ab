"""The Redis broker: any number of server processes share each room (DESIGN.md §5).

One Lua script per publish INCRs the channel's seq and PUBLISHes the finished frame, so
seq order is Redis's execution order and every process relays the same bytes. Counters
(likes, presence) are kept and published by scripts too, so a total never goes out twice
or out of order. Each process reads all its rooms' events from one pub/sub connection,
whose messages Redis delivers in publish order.

Keys, all under ``prefix`` (default ``lp:room:``), expire two days after their last use:
``{channel}:seq``, ``{channel}:likes`` (+ ``:likes:pub``, ``:likes:tick``),
``{channel}:presence`` / ``:presence:seen`` (+ ``:viewers:pub``, ``:viewers:tick``),
``rl:{key}:{window}``; the pub/sub channel is ``{prefix}{channel}``.
"""
from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from liveport.realtime.domain import FRAME_PREFIX, seq_of
from liveport.realtime.ports import CounterResult, FrameHandler

log = logging.getLogger("liveport.realtime.redis")
TTL_S = 2 * 24 * 3600

_PUBLISH = """
local seq = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', ARGV[1], ARGV[4] .. seq .. ARGV[2])
return seq
"""

# Shared tail of the counter scripts: publish `total` unless it is what went out last, and
# at most once per ARGV[2] ms (a held-back total is published by a later call).
_PUBLISH_TOTAL = """
local published = redis.call('GET', KEYS[2])
if published and tonumber(published) == total then return {total, 0, 0} end
if not redis.call('SET', KEYS[3], '1', 'NX', 'PX', math.max(1, tonumber(ARGV[2]))) then
  return {total, 0, 1}
end
redis.call('SET', KEYS[2], total, 'EX', ARGV[3])
local seq = redis.call('INCR', KEYS[4])
redis.call('EXPIRE', KEYS[4], ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[7] .. seq .. ARGV[5] .. total .. ARGV[6])
return {total, seq, 0}
"""

# KEYS: likes, likes:pub, likes:tick, seq; ARGV: taps, every_ms, ttl, pubsub channel,
# body before the total, after it, frame prefix
_LIKES = """
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
""" + _PUBLISH_TOTAL

# KEYS: viewers:pub, viewers:tick, seq, presence, presence:seen (KEYS[1] unused: the
# shared tail reads KEYS[2..4]); ARGV as above plus ARGV[8] process, ARGV[9] count,
# ARGV[10] stale_ms
_PRESENCE = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('HSET', KEYS[5], ARGV[8], ARGV[9])
redis.call('HSET', KEYS[6], ARGV[8], now_ms)
redis.call('EXPIRE', KEYS[5], ARGV[3])
redis.call('EXPIRE', KEYS[6], ARGV[3])
local seen = redis.call('HGETALL', KEYS[6])
local total = 0
for i = 1, #seen, 2 do
  if now_ms - tonumber(seen[i + 1]) > tonumber(ARGV[10]) then
    redis.call('HDEL', KEYS[5], seen[i])
    redis.call('HDEL', KEYS[6], seen[i])
  else
    total = total + tonumber(redis.call('HGET', KEYS[5], seen[i]) or '0')
  end
end
""" + _PUBLISH_TOTAL

_COUNT = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local seen = redis.call('HGETALL', KEYS[2])
local total = 0
for i = 1, #seen, 2 do
  if now_ms - tonumber(seen[i + 1]) <= tonumber(ARGV[1]) then
    total = total + tonumber(redis.call('HGET', KEYS[1], seen[i]) or '0')
  end
end
return total
"""

_WINDOW = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""


class RedisBroker:
    def __init__(self, url: str, *, prefix: str = "lp:room:", timeout_s: float = 5.0) -> None:
        self._prefix = prefix
        self._redis = aioredis.Redis.from_url(url, socket_timeout=timeout_s,
                                              socket_connect_timeout=timeout_s)
        # The pub/sub connection blocks on reads: no socket timeout there.
        self._sub_client = aioredis.Redis.from_url(url, socket_connect_timeout=timeout_s)
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._handlers: dict[str, FrameHandler] = {}  # pub/sub channel → handler
        self._waiting: dict[str, asyncio.Future[None]] = {}
        self._scripts = {name: self._redis.register_script(src) for name, src in
                         (("publish", _PUBLISH), ("likes", _LIKES), ("presence", _PRESENCE),
                          ("count", _COUNT), ("window", _WINDOW))}

    def _key(self, channel: str, suffix: str) -> str:
        return f"{self._prefix}{channel}:{suffix}"

    def _topic(self, channel: str) -> str:
        return f"{self._prefix}{channel}"

    async def publish(self, channel: str, body: bytes) -> int:
        return int(await self._scripts["publish"](
            keys=[self._key(channel, "seq")],
            args=[self._topic(channel), body, TTL_S, FRAME_PREFIX]))

    async def signal(self, channel: str, payload: bytes) -> None:
        await self._redis.publish(self._topic(channel), b"!" + payload)

    async def current_seq(self, channel: str) -> int:
        return int(await self._redis.get(self._key(channel, "seq")) or 0)

    # ---- subscriptions -----------------------------------------------------------------

    async def subscribe(self, channel: str, handler: FrameHandler) -> None:
        topic = self._topic(channel)
        self._handlers[topic] = handler
        if self._pubsub is None:
            self._pubsub = self._sub_client.pubsub()
        confirmed = asyncio.get_running_loop().create_future()
        self._waiting[topic] = confirmed
        await self._pubsub.subscribe(topic)
        if self._reader is None or self._reader.done():
            self._reader = asyncio.get_running_loop().create_task(self._read())
        await asyncio.wait_for(confirmed, 10)

    async def unsubscribe(self, channel: str) -> None:
        topic = self._topic(channel)
        self._handlers.pop(topic, None)
        if self._pubsub is not None:
            await self._pubsub.unsubscribe(topic)

    async def _read(self) -> None:
        prefix_len = len(self._prefix)
        while True:
            try:
                message = await self._pubsub.get_message(ignore_subscribe_messages=False, timeout=1.0)
            except asyncio.CancelledError:
                raise
            except (RedisConnectionError, OSError) as exc:
                # redis-py re-subscribes on reconnect; events missed meanwhile show up as
                # a seq gap, which the hub repairs with fresh snapshots.
                log.warning("room pub/sub connection lost (%s); reconnecting", exc)
                await asyncio.sleep(0.5)
                continue
            except RedisError:
                log.exception("room pub/sub read failed")
                await asyncio.sleep(0.5)
                continue
            if message is None:
                continue
            topic = message["channel"].decode() if isinstance(message["channel"], bytes) else message["channel"]
            kind = message["type"]
            if kind == "subscribe":
                waiting = self._waiting.pop(topic, None)
                if waiting is not None and not waiting.done():
                    waiting.set_result(None)
            elif kind == "message":
                handler = self._handlers.get(topic)
                if handler is not None:
                    data: bytes = message["data"]
                    try:
                        seq = seq_of(data) if data.startswith(FRAME_PREFIX) else 0
                        handler(topic[prefix_len:], seq, data)
                    except Exception:  # one bad frame must not stop every room
                        log.exception("room event handler failed")

    # ---- counters ----------------------------------------------------------------------

    def _counter_args(self, channel: str, every_ms: int, parts: tuple[bytes, bytes]) -> list[Any]:
        return [every_ms, TTL_S, self._topic(channel), parts[0], parts[1], FRAME_PREFIX]

    @staticmethod
    def _result(raw: list[Any]) -> CounterResult:
        total, seq, held = (int(x) for x in raw)
        return CounterResult(total, seq or None, bool(held))

    async def add_likes(self, channel: str, taps: int, every_ms: int,
                        parts: tuple[bytes, bytes]) -> CounterResult:
        keys = [self._key(channel, s) for s in ("likes", "likes:pub", "likes:tick", "seq")]
        return self._result(await self._scripts["likes"](
            keys=keys, args=[max(0, taps), *self._counter_args(channel, every_ms, parts)]))

    async def like_total(self, channel: str) -> int:
        return int(await self._redis.get(self._key(channel, "likes")) or 0)

    async def report_presence(self, channel: str, process_id: str, count: int, stale_ms: int,
                              every_ms: int, parts: tuple[bytes, bytes]) -> CounterResult:
        keys = [self._key(channel, s) for s in
                ("unused", "viewers:pub", "viewers:tick", "seq", "presence", "presence:seen")]
        return self._result(await self._scripts["presence"](
            keys=keys, args=[0, *self._counter_args(channel, every_ms, parts), process_id,
                             count, stale_ms]))

    async def viewer_count(self, channel: str, stale_ms: int) -> int:
        keys = [self._key(channel, "presence"), self._key(channel, "presence:seen")]
        return int(await self._scripts["count"](keys=keys, args=[stale_ms]))

    async def allow(self, key: str, limit: int, window_s: int) -> int:
        now = time.time()
        window = int(now // window_s)
        count = int(await self._scripts["window"](
            keys=[f"{self._prefix}rl:{key}:{window_s}:{window}"], args=[window_s + 1]))
        return 0 if count <= limit else max(1, math.ceil((window + 1) * window_s - now))

    async def aclose(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self._pubsub is not None:
            try:
                await self._pubsub.aclose()
            except RedisError:
                pass
        await self._sub_client.aclose()
        await self._redis.aclose()
