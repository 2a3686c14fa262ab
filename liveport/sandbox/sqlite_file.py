"""The SQLite file behind a sandbox's store: connections (WAL, foreign keys on) lent from a
small pool, and one ``BEGIN IMMEDIATE`` transaction per change, with this process's writers
queued on the file's lock (liveport/core/writer_lock.py) rather than sleeping in SQLite's
busy handler. Two processes serving one data dir still share the file safely.

Connections are kept, not closed after each call: when the last connection to a WAL file
closes, SQLite checkpoints the log into the database and deletes it, so a store that opened
and closed a connection per call paid a full checkpoint on almost every change, and held its
writers' lock while doing so. ``synchronous=NORMAL`` is the WAL mode's usual setting: a
commit survives the process being killed; only a power cut may lose the last ones, which a
sandbox can afford.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from liveport.core.writer_lock import writer_lock

BUSY_TIMEOUT_S = 15.0
IDLE_CONNECTIONS = 8


class SqliteFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._writers = writer_lock(str(path.resolve()), wait_s=BUSY_TIMEOUT_S)
        self._idle: list[sqlite3.Connection] = []
        self._idle_lock = threading.Lock()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        with self._idle_lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._open()
        try:
            yield conn
        except BaseException:
            conn.close()  # it may be half-way through something: not lent again
            raise
        if conn.in_transaction:
            conn.close()
            return
        with self._idle_lock:
            if len(self._idle) < IDLE_CONNECTIONS:
                self._idle.append(conn)
                return
        conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.connection() as conn, self._writers.held():
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
