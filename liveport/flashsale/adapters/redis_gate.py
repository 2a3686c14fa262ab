"""The Redis gate: one Lua script per claim, any number of server processes.

Each claim is one EVALSHA that checks the drop, the buyer's holding and the idempotency
record, takes the units, stores the reservation, indexes its expiry and appends it to the
gate's stream, atomically. The stream is the reconciliation feed: a reconciler
(``liveport.flashsale.recovery``) copies it into the database and then trims it. When Redis
comes back empty the ``alive`` key is gone, every call answers GateUnavailable, and the
gate is rebuilt from the database with ``restore()`` under a lock, ``alive`` set last.

What Redis acknowledged but the reconciler had not yet copied is only as durable as Redis
itself (run it with appendonly yes; appendfsync everysec loses at most a second).
"""
from __future__ import annotations

import functools
import secrets
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from liveport.flashsale.adapters import redis_scripts as lua
from liveport.flashsale.adapters.redis_pipeline import ClaimPipeline
from liveport.flashsale.adapters.tokens import TokenSource
from liveport.flashsale.domain import (
    ClaimOutcome,
    ClaimResult,
    DropChanged,
    DropClosed,
    DropNotLoaded,
    DropSpec,
    DropSpecConflict,
    DropState,
    DropStatus,
    GateCounts,
    GateUnavailable,
    Reservation,
    ReservationChanged,
    ReservationNotFound,
    ReservationReleased,
    ReservationSold,
    check_claim,
    counts_of,
    decode_drop,
    decode_reservation,
    drop_of_reservation,
    encode_reservation,
    reservation_id,
    to_ms,
)
from liveport.flashsale.ports import ChangeBatch

_OUTCOMES = {o.value: o for o in ClaimOutcome}
_RESTORE_LOCK_MS = 120_000
_RESTORE_CHUNK = 2_000


_NETWORK_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


def _reachable(method: F) -> F:
    """Redis out of reach is GateUnavailable (503), never a 500."""

    @functools.wraps(method)
    async def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return await method(*args, **kwargs)
        except _NETWORK_ERRORS as exc:
            raise GateUnavailable(code="gate_unreachable") from exc

    return call  # type: ignore[return-value]


def _status(meta: list[Any]) -> DropStatus:
    drop_id, q, lim, hold, closes, state, opens, on_sale, reserved, sold = meta
    spec = DropSpec(int(drop_id), int(q), int(lim), int(hold), int(closes) if closes else None)
    return DropStatus(spec, DropState(state), int(opens) if opens else None,
                      GateCounts(int(on_sale), int(reserved), int(sold)))


class RedisGate:
    def __init__(self, url: str, *, prefix: str = "lp:gate:", timeout_s: float = 5.0,
                 max_connections: int = 64) -> None:
        self.source = f"redis:{prefix}"
        self._prefix = prefix
        # Every script is idempotent (a claim by its key, the rest by state), so a call that
        # met a dead pooled connection (Redis restarted) is simply sent again.
        self._pool = aioredis.BlockingConnectionPool.from_url(
            url, max_connections=max_connections, timeout=timeout_s, decode_responses=True,
            socket_timeout=timeout_s, socket_connect_timeout=timeout_s,
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.01), 3),
            retry_on_error=[RedisConnectionError, RedisTimeoutError])
        self._redis = aioredis.Redis(connection_pool=self._pool)
        self._claims = ClaimPipeline(self._pool, self._redis, lua.CLAIM, keys_per_call=7, args_per_call=6)
        self._claim_heads: dict[int, bytes] = {}
        self._tokens = TokenSource()
        self._load = self._redis.register_script(lua.LOAD)
        self._open = self._redis.register_script(lua.OPEN)
        self._close = self._redis.register_script(lua.CLOSE)
        self._settle = self._redis.register_script(lua.SETTLE)
        self._expire = self._redis.register_script(lua.EXPIRE)
        self._finish_restore = self._redis.register_script(lua.FINISH_RESTORE)
        self._alive, self._drops, self._log = prefix + "alive", prefix + "drops", prefix + "log"
        self._restoring = prefix + "restoring"
        self._keys: dict[int, tuple[str, str, str, str, str]] = {}

    def _drop_keys(self, drop_id: int) -> tuple[str, str, str, str, str]:
        """(meta, buyers, idempotency, reservations, expiry) of a drop."""
        keys = self._keys.get(drop_id)
        if keys is None:
            base = f"{self._prefix}d{drop_id}:"
            keys = self._keys[drop_id] = (base + "m", base + "b", base + "i", base + "r", base + "x")
        return keys

    async def _run(self, script: Any, keys: list[str], args: list[Any]) -> Any:
        try:
            answer = await script(keys=keys, args=args)
        except _NETWORK_ERRORS as exc:
            raise GateUnavailable(code="gate_unreachable") from exc
        if isinstance(answer, list) and answer and answer[0] == "lost":
            raise GateUnavailable(code="gate_lost")
        return answer

    # ---- the drop ----

    async def load(self, spec: DropSpec) -> DropStatus:
        m = self._drop_keys(spec.drop_id)[0]
        closes = "" if spec.closes_at_ms is None else spec.closes_at_ms
        answer = await self._run(self._load, [self._alive, m, self._drops, self._log],
                                 [spec.drop_id, spec.quantity, spec.per_buyer_limit, spec.hold_s, closes])
        status = _status(answer[1])
        if status.spec != spec:
            raise DropSpecConflict()
        return status

    async def open(self, drop_id: int, now: datetime, countdown_s: int = 0) -> DropStatus:
        m = self._drop_keys(drop_id)[0]
        answer = await self._run(self._open, [self._alive, m, self._log], [to_ms(now), countdown_s * 1000])
        return self._drop_answer(answer)

    async def close(self, drop_id: int, now: datetime) -> DropStatus:
        m = self._drop_keys(drop_id)[0]
        return self._drop_answer(await self._run(self._close, [self._alive, m, self._log], []))

    @staticmethod
    def _drop_answer(answer: list[Any]) -> DropStatus:
        if answer[0] == "none":
            raise DropNotLoaded()
        if answer[0] == "closed":
            raise DropClosed()
        return _status(answer[1])

    # ---- claims and reservations ----

    async def try_reserve(self, drop_id: int, buyer_key: str, qty: int, idempotency_key: str,
                          now: datetime) -> ClaimResult:
        check_claim(buyer_key, qty, idempotency_key)
        head = self._claim_heads.get(drop_id)
        if head is None:
            m, b, i, r, x = self._drop_keys(drop_id)
            head = self._claim_heads[drop_id] = self._claims.prefix((self._alive, m, b, i, r, x, self._log))
        rid = reservation_id(drop_id, self._tokens())
        answer: str = await self._claims.submit(
            head, (buyer_key, qty, idempotency_key, to_ms(now), rid, drop_id))
        if answer == "lost":
            raise GateUnavailable(code="gate_lost")
        if answer == "none":
            raise DropNotLoaded()
        kind, on_sale, replayed, rest = answer.split("\t", 3)
        if kind == "R":
            return ClaimResult(ClaimOutcome.RESERVED, decode_reservation(rest), int(on_sale), replayed == "1")
        return ClaimResult(_OUTCOMES[rest], None, int(on_sale), replayed == "1")

    async def _settle_one(self, rid: str, now: datetime, status: str) -> Reservation:
        m, b, _i, r, x = self._drop_keys(drop_of_reservation(rid))
        answer = await self._run(self._settle, [self._alive, m, b, r, x, self._log],
                                 [rid, to_ms(now), status])
        if answer[0] == "none":
            raise ReservationNotFound()
        if answer[0] == "released":
            raise ReservationReleased()
        if answer[0] == "sold":
            raise ReservationSold()
        return decode_reservation(answer[1])

    async def confirm(self, reservation_id: str, now: datetime) -> Reservation:
        return await self._settle_one(reservation_id, now, "sold")

    async def release(self, reservation_id: str, now: datetime) -> Reservation:
        return await self._settle_one(reservation_id, now, "released")

    @_reachable
    async def expire_due(self, now: datetime, limit: int = 1000) -> list[Reservation]:
        released: list[Reservation] = []
        for drop_id in sorted(await self._loaded()):
            if len(released) >= limit:
                break
            m, b, _i, r, x = self._drop_keys(drop_id)
            records = await self._run(self._expire, [self._alive, m, b, r, x, self._log],
                                      [to_ms(now), limit - len(released)])
            released.extend(decode_reservation(rec) for rec in records)
        return released

    async def _loaded(self) -> list[int]:
        return [int(d) for d in await self._redis.smembers(self._drops)]

    # ---- reading ----

    @_reachable
    async def status(self, drop_id: int) -> DropStatus | None:
        meta = await self._redis.hmget(self._drop_keys(drop_id)[0], lua.META_FIELDS)
        return None if meta[0] is None else _status(meta)

    async def counts(self, drop_id: int) -> GateCounts:
        status = await self.status(drop_id)
        if status is None:
            raise DropNotLoaded()
        return status.counts

    @_reachable
    async def get(self, reservation_id: str) -> Reservation | None:
        try:
            r = self._drop_keys(drop_of_reservation(reservation_id))[3]
        except ReservationNotFound:
            return None
        rec = await self._redis.hget(r, reservation_id)
        return None if rec is None else decode_reservation(rec)

    @_reachable
    async def reservations(self, drop_id: int) -> list[Reservation]:
        r = self._drop_keys(drop_id)[3]
        return [decode_reservation(rec) async for _rid, rec in self._redis.hscan_iter(r, count=1000)]

    # ---- reconciliation and recovery ----

    @_reachable
    async def read_changes(self, after: str, limit: int) -> ChangeBatch:
        start = "-" if after in ("0", "0-0", "") else f"({after}"
        entries = await self._redis.xrange(self._log, min=start, max="+", count=limit)
        changes: list[Any] = []
        for _entry_id, fields in entries:
            if "r" in fields:
                changes.append(ReservationChanged(decode_reservation(fields["r"])))
            else:
                changes.append(DropChanged(decode_drop(fields["d"])))
        return ChangeBatch(changes, entries[-1][0] if entries else after)

    @_reachable
    async def trim_changes(self, upto: str) -> None:
        if upto not in ("0", "0-0", ""):
            await self._redis.xtrim(self._log, minid=upto, approximate=False)

    @_reachable
    async def intact(self) -> bool:
        return bool(await self._redis.exists(self._alive))

    @_reachable
    async def restore(self, drops: Sequence[DropStatus], reservations: Sequence[Reservation]) -> None:
        """Write the database's copy into Redis, then set ``alive``. One restorer at a time
        (a lock with a timeout); claims keep answering GateUnavailable until it is done."""
        token = secrets.token_hex(8)
        if not await self._redis.set(self._restoring, token, nx=True, px=_RESTORE_LOCK_MS):
            raise GateUnavailable("Another process is restoring the gate.", code="gate_restoring")
        try:
            # A store that still answers but went back in time keeps serving until here.
            await self._redis.delete(self._alive)
            await self._write_snapshot(drops, reservations)
            if not await self._finish_restore(keys=[self._alive, self._restoring], args=[token]):
                raise GateUnavailable("The restore took too long and lost its lock.", code="gate_restoring")
        except BaseException:
            if await self._redis.get(self._restoring) == token:
                await self._redis.delete(self._restoring)
            raise

    async def _write_snapshot(self, drops: Sequence[DropStatus], reservations: Sequence[Reservation]) -> None:
        stale = {int(d) for d in await self._redis.smembers(self._drops)} | {d.drop_id for d in drops}
        for drop_id in stale:
            await self._redis.delete(*self._drop_keys(drop_id))
        await self._redis.delete(self._drops, self._log)
        by_drop: dict[int, list[Reservation]] = {d.drop_id: [] for d in drops}
        for res in reservations:
            if res.drop_id in by_drop:
                by_drop[res.drop_id].append(res)
        for status in drops:
            await self._write_drop(status, by_drop[status.drop_id])

    async def _write_drop(self, status: DropStatus, reservations: list[Reservation]) -> None:
        spec = status.spec
        m, b, i, r, x = self._drop_keys(spec.drop_id)
        counts = counts_of(spec.quantity, reservations)
        held: dict[str, int] = {}
        pipe = self._redis.pipeline(transaction=False)
        pipe.hset(m, mapping={
            "id": spec.drop_id, "q": spec.quantity, "lim": spec.per_buyer_limit, "hold": spec.hold_s,
            "closes": "" if spec.closes_at_ms is None else spec.closes_at_ms,
            "state": status.state.value, "opens": "" if status.opens_at_ms is None else status.opens_at_ms,
            "on_sale": counts.on_sale, "reserved": counts.reserved, "sold": counts.sold})
        pipe.sadd(self._drops, spec.drop_id)
        for n, res in enumerate(reservations, 1):
            pipe.hset(r, res.id, encode_reservation(res))
            pipe.hset(i, f"{res.buyer_key}\t{res.idempotency_key}", res.id)
            if res.status.value != "released":
                held[res.buyer_key] = held.get(res.buyer_key, 0) + res.qty
            if res.status.value == "reserved":
                pipe.zadd(x, {res.id: res.expires_ms})
            if n % _RESTORE_CHUNK == 0:
                await pipe.execute()
        if held:
            pipe.hset(b, mapping=held)
        await pipe.execute()

    @_reachable
    async def forget(self, drop_id: int) -> None:
        await self._redis.delete(*self._drop_keys(drop_id))
        await self._redis.srem(self._drops, drop_id)

    async def aclose(self) -> None:
        await self._redis.aclose()
        await self._pool.disconnect()

    # ---- for tests and the bench ----

    async def purge_all(self) -> None:
        """Delete every key under this gate's prefix (SCAN, never FLUSH)."""
        keys = [k async for k in self._redis.scan_iter(match=f"{self._prefix}*", count=1000)]
        for n in range(0, len(keys), 500):
            await self._redis.delete(*keys[n:n + 500])
