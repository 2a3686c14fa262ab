"""The SQL baseline of the flash-sale bench: one PostgreSQL transaction per claim.

What a commerce engine without a gate does: a conditional ``UPDATE … SET on_sale =
on_sale - n WHERE drop_id = $1 AND on_sale >= n`` plus the reservation insert, on pooled
connections. It answers ``try_reserve`` only — the bench puts it in place of the gate
behind the same claim route, on the same server, so the two figures differ by the gate
alone. It is a yardstick, not a product adapter: no limits, expiry or idempotency.
"""
from __future__ import annotations

import asyncio
import secrets
from datetime import datetime

import psycopg

from liveport.flashsale.domain import ClaimOutcome, ClaimResult, Reservation

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS bench_sql_stock (drop_id integer PRIMARY KEY, on_sale integer NOT NULL);
CREATE TABLE IF NOT EXISTS bench_sql_reservations (
  id text PRIMARY KEY, drop_id integer NOT NULL, buyer_key text NOT NULL, qty integer NOT NULL,
  idempotency_key text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
"""


def prepare(dsn: str, drop_id: int, stock: int) -> None:
    """Create the baseline's tables and put ``stock`` units of ``drop_id`` on sale."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA_SQL)
        conn.execute("DELETE FROM bench_sql_reservations WHERE drop_id = %s", (drop_id,))
        conn.execute(
            "INSERT INTO bench_sql_stock (drop_id, on_sale) VALUES (%s, %s) "
            "ON CONFLICT (drop_id) DO UPDATE SET on_sale = EXCLUDED.on_sale", (drop_id, stock))


class SqlBaselineGate:
    def __init__(self, dsn: str, pool_size: int = 16, timeout_s: float = 5.0) -> None:
        self._dsn = dsn
        self._size = pool_size
        self._timeout = timeout_s
        self._pool: asyncio.Queue[psycopg.AsyncConnection] | None = None
        self._opened = 0

    async def _connection(self) -> psycopg.AsyncConnection:
        if self._pool is None:
            self._pool = asyncio.Queue()
        if self._pool.empty() and self._opened < self._size:
            self._opened += 1
            return await psycopg.AsyncConnection.connect(self._dsn, connect_timeout=int(self._timeout))
        return await self._pool.get()

    async def try_reserve(self, drop_id: int, buyer_key: str, qty: int, idempotency_key: str,
                          now: datetime) -> ClaimResult:
        conn = await self._connection()
        try:
            async with conn.transaction():
                row = await (await conn.execute(
                    "UPDATE bench_sql_stock SET on_sale = on_sale - %s "
                    "WHERE drop_id = %s AND on_sale >= %s RETURNING on_sale",
                    (qty, drop_id, qty))).fetchone()
                if row is None:
                    return ClaimResult(ClaimOutcome.SOLD_OUT, None, 0)
                reservation_id = secrets.token_hex(8)
                await conn.execute(
                    "INSERT INTO bench_sql_reservations (id, drop_id, buyer_key, qty, idempotency_key) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    (reservation_id, drop_id, buyer_key, qty, idempotency_key))
        finally:
            assert self._pool is not None
            self._pool.put_nowait(conn)
        now_ms = int(now.timestamp() * 1000)
        reservation = Reservation(reservation_id, drop_id, buyer_key, qty, idempotency_key,
                                  now_ms, now_ms + 600_000)
        return ClaimResult(ClaimOutcome.RESERVED, reservation, int(row[0]))
