"""The single window's own SQLite store: filed parties, messages as received, the business
documents inside them (one row per node, with its current status), receipts (also the
delivery queue), scheduled work and the failure rules asked for by tests.

Every change is one ``BEGIN IMMEDIATE`` transaction, so two processes serving the same data
dir never handle the same job twice: a job is read, acted on and removed in one transaction.
"""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from liveport.sandbox.sqlite_file import SqliteFile

SCHEMA = """
CREATE TABLE IF NOT EXISTS parties (
    dxp_id TEXT NOT NULL,
    customs_code TEXT NOT NULL,
    name TEXT NOT NULL,
    certificate BLOB NOT NULL,
    fingerprint TEXT NOT NULL,
    receipt_url TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    PRIMARY KEY (dxp_id, customs_code)
);
CREATE TABLE IF NOT EXISTS messages (
    msg_id INTEGER PRIMARY KEY AUTOINCREMENT,
    cop_msg_id TEXT NOT NULL,
    sender_id TEXT NOT NULL,
    msg_type TEXT NOT NULL,
    guid TEXT,
    received_at TEXT NOT NULL,
    data BLOB NOT NULL,
    state TEXT NOT NULL,
    status TEXT,
    info TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS messages_guid ON messages (guid);
CREATE TABLE IF NOT EXISTS documents (
    doc_id INTEGER PRIMARY KEY AUTOINCREMENT,
    msg_id INTEGER NOT NULL REFERENCES messages (msg_id),
    msg_type TEXT NOT NULL,
    position INTEGER NOT NULL,
    app_type TEXT NOT NULL DEFAULT '1',
    order_no TEXT NOT NULL,
    ebp_code TEXT NOT NULL DEFAULT '',
    key_a TEXT NOT NULL DEFAULT '',
    key_b TEXT NOT NULL DEFAULT '',
    logistics_code TEXT NOT NULL DEFAULT '',
    logistics_no TEXT NOT NULL DEFAULT '',
    cop_no TEXT,
    pre_no TEXT,
    invt_no TEXT,
    receipt_keys TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL,
    info TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 0,
    deadline REAL,
    released_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_order ON documents (order_no, msg_type);
CREATE INDEX IF NOT EXISTS documents_keys ON documents (msg_type, key_a, key_b);
CREATE INDEX IF NOT EXISTS documents_invt ON documents (invt_no);
CREATE TABLE IF NOT EXISTS receipts (
    receipt_id INTEGER PRIMARY KEY AUTOINCREMENT,
    msg_id INTEGER NOT NULL REFERENCES messages (msg_id),
    doc_id INTEGER REFERENCES documents (doc_id),
    msg_type TEXT NOT NULL,
    status TEXT NOT NULL,
    info TEXT NOT NULL,
    receiver TEXT NOT NULL,
    envelope BLOB NOT NULL,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL,
    last_error TEXT,
    delivered_at TEXT,
    lane TEXT
);
CREATE INDEX IF NOT EXISTS receipts_pending ON receipts (state, receiver, receipt_id);
CREATE TABLE IF NOT EXISTS jobs (
    job_id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    ref INTEGER NOT NULL,
    arg TEXT NOT NULL DEFAULT '',
    due_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (due_at, job_id);
CREATE TABLE IF NOT EXISTS rules (
    rule_id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_no TEXT NOT NULL,
    msg_type TEXT NOT NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at TEXT
);
"""

# A lane is one order's receipts to one receiver (or one unreadable message's): they go out
# in the order they were made, while other lanes go on beside them.
LANE_INDEX = """
CREATE INDEX IF NOT EXISTS receipts_lanes ON receipts (state, receiver, lane, receipt_id);
"""


def iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class CustomsStore(SqliteFile):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        with self.connection() as conn:
            columns = {row["name"] for row in conn.execute("PRAGMA table_info(receipts)")}
            if columns and "lane" not in columns:  # a data dir from before receipts had lanes
                conn.execute("ALTER TABLE receipts ADD COLUMN lane TEXT")
            conn.executescript(SCHEMA + LANE_INDEX)

    # -- parties ------------------------------------------------------------------------------

    def register(self, party: dict[str, Any]) -> None:
        """A party's certificate under (dxp_id, customs_code), replacing an earlier one; the
        receipt URL is the DXP node's, so every party of that node takes the newest."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO parties (dxp_id, customs_code, name, certificate, fingerprint, receipt_url,"
                " registered_at) VALUES (:dxp_id, :customs_code, :name, :certificate, :fingerprint,"
                " :receipt_url, :registered_at) ON CONFLICT (dxp_id, customs_code) DO UPDATE SET"
                " name = excluded.name, certificate = excluded.certificate, fingerprint ="
                " excluded.fingerprint, receipt_url = excluded.receipt_url, registered_at ="
                " excluded.registered_at",
                {**party, "registered_at": iso_now()},
            )
            conn.execute("UPDATE parties SET receipt_url = ? WHERE dxp_id = ?", (party["receipt_url"], party["dxp_id"]))

    @staticmethod
    def certificates(conn: sqlite3.Connection) -> dict[str, tuple[bytes, set[str]]]:
        """fingerprint → (certificate DER, the customs codes it is filed for)."""
        found: dict[str, tuple[bytes, set[str]]] = {}
        for row in conn.execute("SELECT fingerprint, certificate, customs_code FROM parties"):
            found.setdefault(row["fingerprint"], (bytes(row["certificate"]), set()))[1].add(row["customs_code"])
        return found

    @staticmethod
    def receipt_url(conn: sqlite3.Connection, dxp_id: str) -> str | None:
        row = conn.execute("SELECT receipt_url FROM parties WHERE dxp_id = ? LIMIT 1", (dxp_id,)).fetchone()
        return None if row is None else row["receipt_url"]

    def is_registered(self, dxp_id: str) -> bool:
        with self.connection() as conn:
            return self.receipt_url(conn, dxp_id) is not None

    # -- messages -----------------------------------------------------------------------------

    def receive(self, envelope: dict[str, Any], guid: str | None) -> tuple[str, bool]:
        """Stores a message and schedules its processing: (cop_msg_id, whether new). The same
        message (sender, type and guid) again is not processed twice."""
        with self.transaction() as conn:
            if guid is not None:
                known = conn.execute(
                    "SELECT cop_msg_id FROM messages WHERE sender_id = ? AND msg_type = ? AND guid = ?"
                    " ORDER BY msg_id LIMIT 1",
                    (envelope["sender_id"], envelope["msg_type"], guid),
                ).fetchone()
                if known is not None:
                    return known["cop_msg_id"], False
            msg_id = conn.execute(
                "INSERT INTO messages (cop_msg_id, sender_id, msg_type, guid, received_at, data, state)"
                " VALUES (?, ?, ?, ?, ?, ?, 'received')",
                (envelope["cop_msg_id"], envelope["sender_id"], envelope["msg_type"], guid, iso_now(), envelope["data"]),
            ).lastrowid
            self.schedule(conn, "process", msg_id, time.time())
            return envelope["cop_msg_id"], True

    @staticmethod
    def message(conn: sqlite3.Connection, msg_id: int) -> dict[str, Any]:
        return dict(conn.execute("SELECT * FROM messages WHERE msg_id = ?", (msg_id,)).fetchone())

    @staticmethod
    def settle_message(conn: sqlite3.Connection, msg_id: int, status: str, info: str) -> None:
        conn.execute("UPDATE messages SET state = 'processed', status = ?, info = ? WHERE msg_id = ?",
                     (status, info, msg_id))

    # -- documents ----------------------------------------------------------------------------

    @staticmethod
    def add_document(conn: sqlite3.Connection, fields: dict[str, Any]) -> int:
        values = {**fields, "updated_at": iso_now()}
        values["receipt_keys"] = json.dumps(values.get("receipt_keys", {}))
        names = ", ".join(values)
        marks = ", ".join(f":{name}" for name in values)
        return conn.execute(f"INSERT INTO documents ({names}) VALUES ({marks})", values).lastrowid

    @staticmethod
    def update_document(conn: sqlite3.Connection, doc_id: int, **changes: Any) -> None:
        changes["updated_at"] = iso_now()
        assignments = ", ".join(f"{name} = :{name}" for name in changes)
        conn.execute(f"UPDATE documents SET {assignments} WHERE doc_id = :doc_id", {**changes, "doc_id": doc_id})

    @staticmethod
    def document(conn: sqlite3.Connection, doc_id: int) -> dict[str, Any] | None:
        row = conn.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return None if row is None else _document(row)

    @staticmethod
    def find(conn: sqlite3.Connection, where: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        """Documents matching ``where`` (SQL over documents' columns), newest first."""
        rows = conn.execute(f"SELECT * FROM documents WHERE {where} ORDER BY doc_id DESC", params).fetchall()
        return [_document(row) for row in rows]

    def held_for_order(self, order_no: str) -> list[dict[str, Any]]:
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT d.*, m.guid AS message_guid, m.cop_msg_id, m.sender_id, m.received_at, m.data"
                " FROM documents d JOIN messages m ON m.msg_id = d.msg_id WHERE d.order_no = ?"
                " ORDER BY d.msg_id, d.position",
                (order_no,),
            ).fetchall()
            return [{**_document(row), "history": self._history(conn, row["doc_id"])} for row in rows]

    def held_message(self, guid: str) -> dict[str, Any] | None:
        with self.connection() as conn:
            row = conn.execute("SELECT * FROM messages WHERE guid = ? ORDER BY msg_id DESC LIMIT 1", (guid,)).fetchone()
            if row is None:
                return None
            documents = conn.execute("SELECT * FROM documents WHERE msg_id = ? ORDER BY position", (row["msg_id"],))
            return {
                **dict(row),
                "documents": [{**_document(d), "history": self._history(conn, d["doc_id"])} for d in documents],
                "receipts": [dict(r) for r in conn.execute(
                    "SELECT msg_type, status, info, created_at, state FROM receipts WHERE msg_id = ?"
                    " AND doc_id IS NULL ORDER BY receipt_id", (row["msg_id"],))],
            }

    @staticmethod
    def _history(conn: sqlite3.Connection, doc_id: int) -> list[dict[str, Any]]:
        rows = conn.execute(
            "SELECT msg_type, status, info, created_at, state FROM receipts WHERE doc_id = ? ORDER BY receipt_id",
            (doc_id,),
        )
        return [dict(r) for r in rows]

    # -- receipts (the delivery queue) --------------------------------------------------------

    @staticmethod
    def add_receipt(conn: sqlite3.Connection, receipt: dict[str, Any]) -> None:
        conn.execute(
            "INSERT INTO receipts (msg_id, doc_id, msg_type, status, info, receiver, envelope, created_at,"
            " state, next_at, lane) VALUES (:msg_id, :doc_id, :msg_type, :status, :info, :receiver,"
            " :envelope, :created_at, 'pending', :next_at, :lane)",
            {**receipt, "created_at": iso_now(), "next_at": time.time()},
        )

    def due_receipts(self, now: float, limit: int = 100) -> list[dict[str, Any]]:
        """The oldest pending receipt of each lane, when it is due: a receiver gets one
        order's receipts in the order they were made (120 before 399 before 800)."""
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT r.* FROM receipts r WHERE r.state = 'pending' AND r.next_at <= ? AND NOT EXISTS"
                " (SELECT 1 FROM receipts e WHERE e.state = 'pending' AND e.receiver = r.receiver"
                " AND e.lane IS r.lane AND e.receipt_id < r.receipt_id) ORDER BY r.receipt_id LIMIT ?",
                (now, limit),
            ).fetchall()
            return [{**dict(row), "url": self.receipt_url(conn, row["receiver"])} for row in rows]

    def next_receipt_at(self) -> float | None:
        with self.connection() as conn:
            row = conn.execute("SELECT min(next_at) FROM receipts WHERE state = 'pending'").fetchone()
        return None if row[0] is None else float(row[0])

    def claim_receipt(self, receipt_id: int, now: float, until: float) -> bool:
        """Whether this process may send the receipt now (another serving the same data dir
        may have taken it): it is not due again before ``until``."""
        with self.transaction() as conn:
            return conn.execute(
                "UPDATE receipts SET next_at = ? WHERE receipt_id = ? AND state = 'pending' AND next_at <= ?",
                (until, receipt_id, now),
            ).rowcount == 1

    def record_attempt(self, receipt_id: int, delivered: bool, error: str | None, next_at: float | None) -> None:
        state = "delivered" if delivered else ("pending" if next_at is not None else "failed")
        with self.transaction() as conn:
            conn.execute(
                "UPDATE receipts SET attempts = attempts + 1, state = ?, next_at = coalesce(?, next_at),"
                " last_error = ?, delivered_at = ? WHERE receipt_id = ?",
                (state, next_at, error, iso_now() if delivered else None, receipt_id),
            )

    def receipts(self, receiver: str | None = None) -> list[dict[str, Any]]:
        with self.connection() as conn:
            if receiver is None:
                rows = conn.execute("SELECT * FROM receipts ORDER BY receipt_id").fetchall()
            else:
                rows = conn.execute("SELECT * FROM receipts WHERE receiver = ? ORDER BY receipt_id", (receiver,))
            return [dict(r) for r in rows]

    # -- jobs ---------------------------------------------------------------------------------

    @staticmethod
    def schedule(conn: sqlite3.Connection, kind: str, ref: int, due_at: float, arg: str = "") -> None:
        conn.execute("INSERT INTO jobs (kind, ref, arg, due_at) VALUES (?, ?, ?, ?)", (kind, ref, arg, due_at))

    @staticmethod
    def due_job(conn: sqlite3.Connection, now: float) -> dict[str, Any] | None:
        row = conn.execute("SELECT * FROM jobs WHERE due_at <= ? ORDER BY due_at, job_id LIMIT 1", (now,)).fetchone()
        return None if row is None else dict(row)

    @staticmethod
    def finish_job(conn: sqlite3.Connection, job_id: int, again_at: float | None = None) -> None:
        if again_at is None:
            conn.execute("DELETE FROM jobs WHERE job_id = ?", (job_id,))
        else:
            conn.execute("UPDATE jobs SET due_at = ? WHERE job_id = ?", (again_at, job_id))

    @staticmethod
    def hurry_matches(conn: sqlite3.Connection, order_no: str, now: float) -> None:
        """A document for the order arrived: waiting inventory lists look again now."""
        conn.execute(
            "UPDATE jobs SET due_at = ? WHERE kind = 'match' AND due_at > ? AND ref IN"
            " (SELECT doc_id FROM documents WHERE order_no = ? AND msg_type = 'CEB621Message')",
            (now, now, order_no),
        )

    def next_job_at(self) -> float | None:
        with self.connection() as conn:
            row = conn.execute("SELECT min(due_at) FROM jobs").fetchone()
        return None if row[0] is None else float(row[0])

    # -- failure rules ------------------------------------------------------------------------

    def add_rule(self, order_no: str, msg_type: str, action: str, reason: str) -> int:
        with self.transaction() as conn:
            return conn.execute(
                "INSERT INTO rules (order_no, msg_type, action, reason, created_at) VALUES (?, ?, ?, ?, ?)",
                (order_no, msg_type, action, reason, iso_now()),
            ).lastrowid

    @staticmethod
    def take_rule(conn: sqlite3.Connection, order_no: str, msg_type: str) -> dict[str, Any] | None:
        row = conn.execute(
            "SELECT * FROM rules WHERE order_no = ? AND msg_type = ? AND used_at IS NULL ORDER BY rule_id LIMIT 1",
            (order_no, msg_type),
        ).fetchone()
        if row is None:
            return None
        conn.execute("UPDATE rules SET used_at = ? WHERE rule_id = ?", (iso_now(), row["rule_id"]))
        return dict(row)


def _document(row: sqlite3.Row) -> dict[str, Any]:
    found = dict(row)
    found["receipt_keys"] = json.loads(found["receipt_keys"])
    return found
