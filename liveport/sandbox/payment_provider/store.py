"""The provider's own SQLite store: trades, refunds, notifications, declarations, nonces.

Every change is one ``BEGIN IMMEDIATE`` transaction, so a payment (debit, trade paid,
notification queued) happens whole or not at all, also under concurrent requests.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from liveport.protocols.payment_wire import WireError, utc_text
from liveport.sandbox.sqlite_file import SqliteFile

CHINA = ZoneInfo("Asia/Shanghai")

SCHEMA = """
CREATE TABLE IF NOT EXISTS nonces (
    mch_id TEXT NOT NULL, nonce TEXT NOT NULL, seen_at REAL NOT NULL,
    PRIMARY KEY (mch_id, nonce)
);
CREATE TABLE IF NOT EXISTS trades (
    trade_no TEXT PRIMARY KEY,
    mch_id TEXT NOT NULL,
    out_trade_no TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    description TEXT NOT NULL,
    notify_url TEXT NOT NULL,
    buyer_name TEXT,
    buyer_id_no TEXT,
    token TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    state TEXT NOT NULL,
    refunded INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount),
    paid_at TEXT,
    payer_name TEXT,
    payer_id_no TEXT,
    payer_account TEXT,
    source TEXT,
    UNIQUE (mch_id, out_trade_no)
);
CREATE TABLE IF NOT EXISTS refunds (
    refund_no TEXT PRIMARY KEY,
    mch_id TEXT NOT NULL,
    out_refund_no TEXT NOT NULL,
    trade_no TEXT NOT NULL REFERENCES trades (trade_no),
    out_trade_no TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    reason TEXT,
    refunded_at TEXT NOT NULL,
    UNIQUE (mch_id, out_refund_no)
);
CREATE TABLE IF NOT EXISTS notifications (
    notify_id TEXT PRIMARY KEY,
    trade_no TEXT NOT NULL REFERENCES trades (trade_no),
    url TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL,
    last_error TEXT,
    delivered_at TEXT
);
CREATE TABLE IF NOT EXISTS declarations (
    declaration_no TEXT PRIMARY KEY,
    mch_id TEXT NOT NULL,
    out_trade_no TEXT NOT NULL,
    order_no TEXT NOT NULL,
    ebp_code TEXT NOT NULL,
    ebp_name TEXT NOT NULL,
    customs_code TEXT NOT NULL,
    pay_code TEXT NOT NULL,
    status TEXT NOT NULL,
    received_at TEXT NOT NULL,
    UNIQUE (mch_id, out_trade_no, order_no)
);
"""

NONCE_KEEP_S = 900


def new_reference(prefix: str) -> str:
    return prefix + datetime.now(UTC).strftime("%Y%m%d") + secrets.token_hex(8).upper()


def china_day_bounds(day: date) -> tuple[str, str]:
    start = datetime.combine(day, time(0), tzinfo=CHINA)
    return utc_text(start), utc_text(start + timedelta(days=1))


class TradeStore(SqliteFile):
    def __init__(self, path: Path, extra_schema: str = "") -> None:
        super().__init__(path)
        with self.connection() as conn:
            conn.executescript(SCHEMA + extra_schema)

    # -- requests ---------------------------------------------------------------------------

    def use_nonce(self, mch_id: str, nonce: str, now: float) -> bool:
        """False when the nonce was seen (a replay)."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM nonces WHERE seen_at < ?", (now - NONCE_KEEP_S,))
            cursor = conn.execute(
                "INSERT INTO nonces (mch_id, nonce, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (mch_id, nonce, now),
            )
            return cursor.rowcount == 1

    # -- trades -----------------------------------------------------------------------------

    def create_trade(self, fields: dict[str, str], now: datetime, expires_at: datetime) -> dict[str, Any]:
        """A new trade, or the same one again when the same order is pre-ordered twice."""
        amount = int(fields["amount"])
        if amount <= 0:
            raise WireError("bad_request", "amount must be above zero")
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM trades WHERE mch_id = ? AND out_trade_no = ?",
                (fields["mch_id"], fields["out_trade_no"]),
            ).fetchone()
            if row is not None:
                same = (row["amount"], row["buyer_id_no"]) == (amount, fields.get("buyer_id_no"))
                if not same:
                    raise WireError("out_trade_no_used", status=409)
                if row["state"] == "SUCCESS":
                    raise WireError("order_paid", status=409)
                if row["state"] == "CLOSED" or row["expires_at"] <= utc_text(now):
                    raise WireError("order_closed", status=409)
                return dict(row)
            values = {
                "trade_no": new_reference("T"),
                "mch_id": fields["mch_id"],
                "out_trade_no": fields["out_trade_no"],
                "amount": amount,
                "currency": fields["currency"],
                "description": fields["description"],
                "notify_url": fields["notify_url"],
                "buyer_name": fields.get("buyer_name"),
                "buyer_id_no": fields.get("buyer_id_no"),
                "token": secrets.token_urlsafe(18),
                "created_at": utc_text(now),
                "expires_at": utc_text(expires_at),
                "state": "NOTPAY",
            }
            names = ", ".join(values)
            marks = ", ".join("?" for _ in values)
            conn.execute(f"INSERT INTO trades ({names}) VALUES ({marks})", tuple(values.values()))
            return dict(conn.execute("SELECT * FROM trades WHERE trade_no = ?", (values["trade_no"],)).fetchone())

    def trade(self, mch_id: str, out_trade_no: str) -> dict[str, Any]:
        with self.connection() as conn:
            row = conn.execute(
                "SELECT * FROM trades WHERE mch_id = ? AND out_trade_no = ?", (mch_id, out_trade_no)
            ).fetchone()
        if row is None:
            raise WireError("order_not_found", status=404)
        return dict(row)

    def trade_by_token(self, token: str) -> dict[str, Any] | None:
        with self.connection() as conn:
            row = conn.execute("SELECT * FROM trades WHERE token = ?", (token,)).fetchone()
        return None if row is None else dict(row)

    @staticmethod
    def payable(conn: sqlite3.Connection, token: str, now: datetime) -> dict[str, Any]:
        """The trade behind a cashier token, inside a payment's transaction, if it can be paid."""
        row = conn.execute("SELECT * FROM trades WHERE token = ?", (token,)).fetchone()
        if row is None:
            raise WireError("order_not_found", status=404)
        if row["state"] == "SUCCESS":
            raise WireError("order_paid", status=409)
        if row["state"] == "CLOSED":
            raise WireError("order_closed", status=409)
        if row["expires_at"] <= utc_text(now):
            conn.execute("UPDATE trades SET state = 'CLOSED' WHERE trade_no = ?", (row["trade_no"],))
            raise WireError("order_expired", status=409)
        return dict(row)

    @staticmethod
    def mark_paid(
        conn: sqlite3.Connection, trade: dict[str, Any], payer: dict[str, str | None], now: datetime
    ) -> None:
        """Within a payment's transaction: the trade is paid and its notification queued."""
        updated = conn.execute(
            "UPDATE trades SET state = 'SUCCESS', paid_at = ?, payer_name = ?, payer_id_no = ?,"
            " payer_account = ?, source = ? WHERE trade_no = ? AND state = 'NOTPAY'",
            (utc_text(now), payer.get("payer_name"), payer.get("payer_id_no"),
             payer.get("payer_account"), payer.get("source"), trade["trade_no"]),
        ).rowcount
        if updated != 1:
            raise WireError("order_paid", status=409)
        conn.execute(
            "INSERT INTO notifications (notify_id, trade_no, url, state, next_at) VALUES (?, ?, ?, 'pending', ?)",
            (new_reference("N"), trade["trade_no"], trade["notify_url"], now.timestamp()),
        )

    @staticmethod
    def trade_fields(row: dict[str, Any], now: datetime) -> dict[str, str]:
        state = row["state"]
        if state == "NOTPAY" and row["expires_at"] <= utc_text(now):
            state = "CLOSED"
        if state == "SUCCESS" and row["refunded"] > 0:
            state = "REFUND"
        fields = {
            "out_trade_no": row["out_trade_no"],
            "trade_no": row["trade_no"],
            "amount": str(row["amount"]),
            "currency": row["currency"],
            "trade_state": state,
            "refunded_amount": str(row["refunded"]),
        }
        for name in ("paid_at", "payer_name", "payer_id_no", "payer_account"):
            if row.get(name):
                fields[name] = row[name]
        return fields

    # -- refunds ----------------------------------------------------------------------------

    def refund(
        self,
        fields: dict[str, str],
        now: datetime,
        credit: Callable[[sqlite3.Connection, dict[str, Any], int], None],
    ) -> dict[str, Any]:
        """Refunds ``amount`` of a paid trade back to its source (``credit``); the same
        out_refund_no again answers the same refund."""
        amount = int(fields["amount"])
        if amount <= 0:
            raise WireError("bad_request", "amount must be above zero")
        with self.transaction() as conn:
            known = conn.execute(
                "SELECT * FROM refunds WHERE mch_id = ? AND out_refund_no = ?",
                (fields["mch_id"], fields["out_refund_no"]),
            ).fetchone()
            if known is not None:
                if (known["out_trade_no"], known["amount"]) != (fields["out_trade_no"], amount):
                    raise WireError("out_refund_no_used", status=409)
                return dict(known)
            trade = conn.execute(
                "SELECT * FROM trades WHERE mch_id = ? AND out_trade_no = ?",
                (fields["mch_id"], fields["out_trade_no"]),
            ).fetchone()
            if trade is None:
                raise WireError("order_not_found", status=404)
            if trade["state"] != "SUCCESS":
                raise WireError("order_not_paid", status=409)
            taken = conn.execute(
                "UPDATE trades SET refunded = refunded + ? WHERE trade_no = ? AND refunded + ? <= amount",
                (amount, trade["trade_no"], amount),
            ).rowcount
            if taken != 1:
                raise WireError("refund_exceeds_payment", status=409)
            credit(conn, dict(trade), amount)
            row = {
                "refund_no": new_reference("R"),
                "mch_id": fields["mch_id"],
                "out_refund_no": fields["out_refund_no"],
                "trade_no": trade["trade_no"],
                "out_trade_no": trade["out_trade_no"],
                "amount": amount,
                "reason": fields.get("reason"),
                "refunded_at": utc_text(now),
            }
            conn.execute(
                "INSERT INTO refunds (refund_no, mch_id, out_refund_no, trade_no, out_trade_no, amount,"
                " reason, refunded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                tuple(row.values()),
            )
            return row

    # -- statements and declarations ---------------------------------------------------------

    def statement(self, mch_id: str, day: date) -> list[dict[str, str]]:
        start, end = china_day_bounds(day)
        with self.connection() as conn:
            paid = conn.execute(
                "SELECT out_trade_no, trade_no, amount, paid_at FROM trades WHERE mch_id = ?"
                " AND paid_at >= ? AND paid_at < ? ORDER BY paid_at, trade_no",
                (mch_id, start, end),
            ).fetchall()
            refunded = conn.execute(
                "SELECT out_trade_no, trade_no, out_refund_no, refund_no, amount, refunded_at FROM refunds"
                " WHERE mch_id = ? AND refunded_at >= ? AND refunded_at < ? ORDER BY refunded_at, refund_no",
                (mch_id, start, end),
            ).fetchall()
        entries = [
            {"kind": "payment", "out_trade_no": r["out_trade_no"], "trade_no": r["trade_no"],
             "amount": str(r["amount"]), "at": r["paid_at"]}
            for r in paid
        ] + [
            {"kind": "refund", "out_trade_no": r["out_trade_no"], "trade_no": r["trade_no"],
             "out_refund_no": r["out_refund_no"], "refund_no": r["refund_no"],
             "amount": str(r["amount"]), "at": r["refunded_at"]}
            for r in refunded
        ]
        return sorted(entries, key=lambda e: (e["at"], e["kind"], e.get("refund_no", e["trade_no"])))

    def declare(self, fields: dict[str, str], pay_code: str, now: datetime) -> dict[str, Any]:
        """Records a request to declare a paid trade to customs (CEB411 is sent by the
        customs integration later); the same order declared again answers the same record."""
        trade = self.trade(fields["mch_id"], fields["out_trade_no"])
        if trade["state"] != "SUCCESS":
            raise WireError("order_not_paid", status=409)
        with self.transaction() as conn:
            known = conn.execute(
                "SELECT * FROM declarations WHERE mch_id = ? AND out_trade_no = ? AND order_no = ?",
                (fields["mch_id"], fields["out_trade_no"], fields["order_no"]),
            ).fetchone()
            if known is not None:
                return dict(known)
            row = {
                "declaration_no": new_reference("D"),
                "mch_id": fields["mch_id"],
                "out_trade_no": fields["out_trade_no"],
                "order_no": fields["order_no"],
                "ebp_code": fields["ebp_code"],
                "ebp_name": fields["ebp_name"],
                "customs_code": fields["customs_code"],
                "pay_code": pay_code,
                "status": "RECEIVED",
                "received_at": utc_text(now),
            }
            names = ", ".join(row)
            conn.execute(
                f"INSERT INTO declarations ({names}) VALUES ({', '.join('?' for _ in row)})",
                tuple(row.values()),
            )
            return row

    def declarations(self, mch_id: str, out_trade_no: str) -> list[dict[str, Any]]:
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT * FROM declarations WHERE mch_id = ? AND out_trade_no = ? ORDER BY received_at",
                (mch_id, out_trade_no),
            ).fetchall()
        return [dict(r) for r in rows]

    # -- notifications ----------------------------------------------------------------------

    def due_notifications(self, now: float, limit: int = 20) -> list[dict[str, Any]]:
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT n.notify_id, n.attempts, n.url, t.* FROM notifications n JOIN trades t"
                " ON t.trade_no = n.trade_no WHERE n.state = 'pending' AND n.next_at <= ?"
                " ORDER BY n.next_at LIMIT ?",
                (now, limit),
            ).fetchall()
        return [dict(r) for r in rows]

    def next_notification_at(self) -> float | None:
        with self.connection() as conn:
            row = conn.execute("SELECT min(next_at) FROM notifications WHERE state = 'pending'").fetchone()
        return None if row[0] is None else float(row[0])

    def record_attempt(self, notify_id: str, delivered: bool, error: str | None, next_at: float | None, now: datetime) -> None:
        state = "delivered" if delivered else ("pending" if next_at is not None else "failed")
        with self.transaction() as conn:
            conn.execute(
                "UPDATE notifications SET attempts = attempts + 1, state = ?, next_at = coalesce(?, next_at),"
                " last_error = ?, delivered_at = ? WHERE notify_id = ?",
                (state, next_at, error, utc_text(now) if delivered else None, notify_id),
            )

    def notifications(self, trade_no: str | None = None) -> list[dict[str, Any]]:
        with self.connection() as conn:
            if trade_no is None:
                rows = conn.execute("SELECT * FROM notifications ORDER BY rowid").fetchall()
            else:
                rows = conn.execute("SELECT * FROM notifications WHERE trade_no = ? ORDER BY rowid", (trade_no,)).fetchall()
        return [dict(r) for r in rows]
