"""The sandbox's registry of known persons and its log of checks, in its own SQLite file."""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS persons (
    id_number TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    registered_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS checks (
    reference TEXT PRIMARY KEY,
    id_tail TEXT NOT NULL,
    result TEXT NOT NULL,
    reason TEXT,
    checked_at TEXT NOT NULL
);
"""


def comparable_name(name: str) -> str:
    """Width, case and spacing do not make a different name; anything else does."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _now() -> str:
    return datetime.now(UTC).isoformat()


class Registry:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as conn:
            conn.executescript(SCHEMA)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            yield conn
        finally:
            conn.close()

    def name_of(self, id_number: str) -> str | None:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT name FROM persons WHERE id_number = ?", (id_number,)
            ).fetchone()
        return None if row is None else str(row[0])

    def register(self, id_number: str, name: str, source: str) -> str:
        """Adds the person unless the number is known; returns the registered name."""
        with self._connection() as conn:
            conn.execute(
                "INSERT INTO persons (id_number, name, source, registered_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id_number) DO NOTHING",
                (id_number, name, source, _now()),
            )
            row = conn.execute(
                "SELECT name FROM persons WHERE id_number = ?", (id_number,)
            ).fetchone()
        return str(row[0])

    def log_check(self, reference: str, id_tail: str, result: str, reason: str | None) -> None:
        with self._connection() as conn:
            conn.execute(
                "INSERT INTO checks (reference, id_tail, result, reason, checked_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (reference, id_tail, result, reason, _now()),
            )

    def count_checks(self) -> int:
        with self._connection() as conn:
            return int(conn.execute("SELECT count(*) FROM checks").fetchone()[0])
