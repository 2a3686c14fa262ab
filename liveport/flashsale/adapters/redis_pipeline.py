"""Claims that arrive together travel to Redis together: automatic pipelining.

Each claim is still exactly one EVALSHA of the claim script (atomic on its own); what is
shared is the trip. Claims queue while the previous batch is on the wire and leave as the
next one, so under load one write and one read carry hundreds of claims and the client's
per-command costs (connection checkout, a socket write, a wake-up) are paid once per batch;
with one claim in flight it is a plain round trip. The commands are encoded here, once per
claim with the drop's constant part cached, because the generic encoder of redis-py costs
more than the script itself takes to run in Redis (see ``liveport.flashsale.bench_gate``).
"""
from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from liveport.flashsale.domain import GateUnavailable

MAX_BATCH = 1000
_NETWORK_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)


def _bulk(value: str | int | bytes) -> bytes:
    data = value if isinstance(value, bytes) else str(value).encode()
    return b"$%d\r\n%s\r\n" % (len(data), data)


class ClaimPipeline:
    def __init__(self, pool: aioredis.ConnectionPool, client: aioredis.Redis, script: str,
                 keys_per_call: int, args_per_call: int) -> None:
        self._pool = pool
        self._client = client
        self._script = script
        sha = hashlib.sha1(script.encode()).hexdigest()
        self._head = (b"*%d\r\n" % (3 + keys_per_call + args_per_call)) + _bulk("EVALSHA") + _bulk(sha) \
            + _bulk(keys_per_call)
        self._keys_per_call = keys_per_call
        self._queue: list[tuple[bytes, asyncio.Future[Any]]] = []
        self._scheduled = False
        self._lock: asyncio.Lock | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def prefix(self, keys: Sequence[str]) -> bytes:
        """The constant start of every call with these keys (cache it per drop)."""
        assert len(keys) == self._keys_per_call
        return self._head + b"".join(_bulk(k) for k in keys)

    def submit(self, prefix: bytes, args: Sequence[str | int]) -> asyncio.Future[Any]:
        """Queue one EVALSHA; the future resolves with its reply (or a ResponseError)."""
        command = prefix + b"".join(_bulk(a) for a in args)
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.append((command, future))
        if not self._scheduled:
            self._schedule(loop)
        return future

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        self._scheduled = True
        task = loop.create_task(self._flush())
        self._tasks.add(task)  # the loop holds tasks only weakly
        task.add_done_callback(self._tasks.discard)

    async def _flush(self) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:  # one batch on the wire at a time; the next one fills meanwhile
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            self._scheduled = False
            if self._queue:
                self._schedule(asyncio.get_running_loop())
            if not batch:
                return
            try:
                replies = await self._send([command for command, _ in batch])
            except _NETWORK_ERRORS as exc:
                self._fail(batch, GateUnavailable(code="gate_unreachable"), exc)
                return
            except asyncio.CancelledError:
                self._fail(batch, GateUnavailable(code="gate_unreachable"), None)
                raise
        for (_, future), reply in zip(batch, replies, strict=True):
            if future.done():
                continue
            if isinstance(reply, ResponseError):
                future.set_exception(reply)
            else:
                future.set_result(reply)

    async def _send(self, commands: list[bytes]) -> list[Any]:
        # A claim is idempotent by its key, so sending a batch again (after a dropped
        # connection, or after Redis forgot the script) answers each claim the same.
        for attempt in range(3):
            try:
                replies = await self._execute(commands)
            except _NETWORK_ERRORS:
                if attempt == 2:
                    raise
                await asyncio.sleep(0.01 * (attempt + 1))
                continue
            if any(isinstance(reply, NoScriptError) for reply in replies) and attempt < 2:
                await self._client.script_load(self._script)
                continue
            return replies
        raise AssertionError("unreachable")

    async def _execute(self, commands: list[bytes]) -> list[Any]:
        conn = await self._pool.get_connection()
        try:
            await conn.send_packed_command(b"".join(commands), check_health=False)
            replies: list[Any] = []
            for _ in commands:
                try:
                    replies.append(await conn.read_response())
                except ResponseError as exc:  # one claim's error, the rest still follow
                    replies.append(exc)
            return replies
        except BaseException:
            await conn.disconnect()
            raise
        finally:
            await self._pool.release(conn)

    @staticmethod
    def _fail(batch: list[tuple[bytes, asyncio.Future[Any]]], error: BaseException,
              cause: BaseException | None) -> None:
        error.__cause__ = cause
        for _, future in batch:
            if not future.done():
                future.set_exception(error)
