"""The carrier's own SQLite store: waybills (with the CEB511 each one files and how far that
got at customs), tracking events, and the nonces of merchants' requests."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from liveport.protocols.payment_wire import WireError, utc_text
from liveport.sandbox.sqlite_file import SqliteFile

SCHEMA = """
CREATE TABLE IF NOT EXISTS nonces (
    mch_id TEXT NOT NULL, nonce TEXT NOT NULL, seen_at REAL NOT NULL,
    PRIMARY KEY (mch_id, nonce)
);
CREATE TABLE IF NOT EXISTS waybills (
    logistics_no TEXT PRIMARY KEY,
    mch_id TEXT NOT NULL,
    order_no TEXT NOT NULL,
    ebp_code TEXT NOT NULL,
    ebp_name TEXT NOT NULL,
    consignee TEXT NOT NULL,
    consignee_telephone TEXT NOT NULL,
    consignee_address TEXT NOT NULL,
    freight TEXT NOT NULL,
    insured_fee TEXT NOT NULL,
    weight TEXT NOT NULL,
    goods_info TEXT NOT NULL,
    trade_mode TEXT NOT NULL,
    traf_mode TEXT,
    traf_no TEXT,
    voyage_no TEXT,
    bill_no TEXT,
    created_at TEXT NOT NULL,
    message BLOB NOT NULL,
    message_guid TEXT NOT NULL,
    receipt_url TEXT,
    customs_status TEXT NOT NULL,
    customs_info TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL,
    last_error TEXT,
    UNIQUE (mch_id, order_no)
);
CREATE TABLE IF NOT EXISTS events (
    event_id INTEGER PRIMARY KEY AUTOINCREMENT,
    logistics_no TEXT NOT NULL REFERENCES waybills (logistics_no),
    event TEXT NOT NULL,
    at TEXT NOT NULL,
    description TEXT NOT NULL
);
"""

NONCE_KEEP_S = 900
# The request fields that make a waybill: the same order asked again with other ones is refused.
DETAILS = ("ebp_code", "ebp_name", "consignee", "consignee_telephone", "consignee_address", "freight",
           "insured_fee", "weight", "goods_info", "trade_mode")
# Customs statuses only move forward (receipts of one waybill arrive in order, but a retry
# of an earlier one may come late).
RANK = {"PENDING": 0, "SENT": 1, "SEND_FAILED": 1, "DECLARING": 2, "ACCEPTED": 3, "REJECTED": 3}


class WaybillStore(SqliteFile):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        with self.connection() as conn:
            conn.executescript(SCHEMA)

    def use_nonce(self, mch_id: str, nonce: str, now: float) -> bool:
        with self.transaction() as conn:
            conn.execute("DELETE FROM nonces WHERE seen_at < ?", (now - NONCE_KEEP_S,))
            cursor = conn.execute(
                "INSERT INTO nonces (mch_id, nonce, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (mch_id, nonce, now),
            )
            return cursor.rowcount == 1

    def existing(self, mch_id: str, order_no: str) -> dict[str, Any] | None:
        with self.connection() as conn:
            row = conn.execute("SELECT * FROM waybills WHERE mch_id = ? AND order_no = ?", (mch_id, order_no)).fetchone()
        return None if row is None else dict(row)

    def create(self, waybill: dict[str, Any], now: datetime) -> dict[str, Any]:
        """The new waybill and its first event, or the one made meanwhile for that order."""
        with self.transaction() as conn:
            known = conn.execute("SELECT * FROM waybills WHERE mch_id = ? AND order_no = ?",
                                 (waybill["mch_id"], waybill["order_no"])).fetchone()
            if known is not None:
                return same_or_refused(dict(known), waybill)
            values = {**waybill, "created_at": utc_text(now), "customs_status": "PENDING", "next_at": now.timestamp()}
            names = ", ".join(values)
            conn.execute(f"INSERT INTO waybills ({names}) VALUES ({', '.join('?' for _ in values)})",
                         tuple(values.values()))
            conn.execute("INSERT INTO events (logistics_no, event, at, description) VALUES (?, 'accepted', ?, ?)",
                         (waybill["logistics_no"], utc_text(now), "揽收 parcel accepted by the carrier"))
            return values

    def waybill(self, logistics_no: str) -> dict[str, Any] | None:
        with self.connection() as conn:
            row = conn.execute("SELECT * FROM waybills WHERE logistics_no = ?", (logistics_no,)).fetchone()
        return None if row is None else dict(row)

    def events(self, logistics_no: str) -> list[dict[str, str]]:
        with self.connection() as conn:
            rows = conn.execute("SELECT event, at, description FROM events WHERE logistics_no = ? ORDER BY event_id",
                                (logistics_no,)).fetchall()
        return [dict(row) for row in rows]

    # -- filing with customs ------------------------------------------------------------------

    def due_filings(self, now: float) -> list[dict[str, Any]]:
        with self.connection() as conn:
            rows = conn.execute("SELECT * FROM waybills WHERE customs_status = 'PENDING' AND next_at <= ?"
                                " ORDER BY next_at LIMIT 20", (now,)).fetchall()
        return [dict(row) for row in rows]

    def next_filing_at(self) -> float | None:
        with self.connection() as conn:
            row = conn.execute("SELECT min(next_at) FROM waybills WHERE customs_status = 'PENDING'").fetchone()
        return None if row[0] is None else float(row[0])

    def record_filing(self, logistics_no: str, sent: bool, error: str | None, next_at: float | None) -> None:
        status = "SENT" if sent else ("PENDING" if next_at is not None else "SEND_FAILED")
        with self.transaction() as conn:
            conn.execute("UPDATE waybills SET attempts = attempts + 1, customs_status = ?, last_error = ?,"
                         " next_at = coalesce(?, next_at) WHERE logistics_no = ? AND customs_status = 'PENDING'",
                         (status, error, next_at, logistics_no))

    def customs_answered(self, where: str, key: str, status: str, info: str) -> int:
        """Applies a receipt to the waybill whose ``where`` column (logistics_no or
        message_guid) is ``key``; returns how many changed."""
        with self.transaction() as conn:
            row = conn.execute(f"SELECT customs_status FROM waybills WHERE {where} = ?", (key,)).fetchone()
            if row is None or RANK.get(row["customs_status"], 0) > RANK[status]:
                return 0
            return conn.execute(f"UPDATE waybills SET customs_status = ?, customs_info = ? WHERE {where} = ?",
                                (status, info[:1000], key)).rowcount


def same_or_refused(known: dict[str, Any], asked: dict[str, Any]) -> dict[str, Any]:
    if any(str(known[name]) != str(asked[name]) for name in DETAILS):
        raise WireError("order_no_used", "that order already has a waybill with other details", status=409)
    return known


def new_logistics_no() -> str:
    return "SX" + f"{secrets.randbelow(10**13):013d}"


def now_utc() -> datetime:
    return datetime.now(UTC)
