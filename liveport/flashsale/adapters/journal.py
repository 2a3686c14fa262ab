"""A durable append-only journal in SQLite, written by one thread with group commit.

Callers append records from the event loop and await a future; the writer thread takes
everything queued, writes it as ONE row (the batch's records, one per line) in one
transaction (WAL, synchronous=FULL: one fsync per batch), commits, and only then resolves
the batch's futures, one wake-up per event loop. One row per batch matters as much as one
fsync: SQLite hands the GIL back on every statement step, and while the event loop is busy
each hand-back costs the writer up to a switch interval (5 ms), so a row per record would
make a batch of 500 wait seconds. Records are committed in the order they were appended:
an answer that depends on an earlier change is never durable before that change.
"""
from __future__ import annotations

import asyncio
import logging
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from queue import Empty, SimpleQueue
from typing import Any

log = logging.getLogger("liveport.flashsale.journal")

Line = str  # one record: kind TAB body (no newline inside)
Encoder = Callable[[Any], Line]

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS batches (seq INTEGER PRIMARY KEY AUTOINCREMENT, lines TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
)

_STOP = object()
_BARRIER = object()


class JournalFailed(RuntimeError):
    """The journal could not commit; the process must restart and replay it."""


class JournalClosed(RuntimeError):
    """The journal was closed (the process is shutting down); nothing more can be read."""


def _connect(path: Path, synchronous: str) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    return conn


def split_line(line: Line) -> tuple[str, str]:
    kind, _, body = line.partition("\t")
    return kind, body


class GroupCommitJournal:
    def __init__(self, path: Path, encode: Encoder, *, synchronous: str = "FULL",
                 max_batch: int = 8192, every_s: float = 0.002) -> None:
        if synchronous not in {"FULL", "NORMAL", "EXTRA"}:
            raise ValueError(f"synchronous must be FULL, NORMAL or EXTRA, not {synchronous!r}")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._encode = encode
        self._max_batch = max_batch
        # At most one commit per ``every_s``: under load a batch then carries the claims of
        # a whole interval, and the writer wakes (and takes the GIL from the event loop)
        # a few hundred times a second instead of once or twice per claim.
        self._every_s = every_s
        self._conn = _connect(path, synchronous)
        for statement in _SCHEMA:
            self._conn.execute(statement)
        # A journal's own name: a new file (the old one lost) is a new change feed.
        self._conn.execute("INSERT OR IGNORE INTO meta VALUES ('id', ?)", (secrets.token_hex(8),))
        self.journal_id: str = self._conn.execute("SELECT value FROM meta WHERE name = 'id'").fetchone()[0]
        self._reader = _connect(path, synchronous)
        # Guards the reader connection, and its closing: a read running in a worker thread
        # while shutdown closes the connection would crash the interpreter inside SQLite.
        self._reader_lock = threading.Lock()
        self._reader_closed = False
        self._queue: SimpleQueue[tuple[Any, asyncio.Future[None] | None]] = SimpleQueue()
        self._thread: threading.Thread | None = None
        self.failure: BaseException | None = None
        # Appends made / appends known durable: equal means nothing is waiting for disk.
        self.submitted = 0
        self.durable = 0
        self.batches = 0

    # ---- reading ----

    def records(self) -> Iterator[Line]:
        """Every record in order (for the replay at start)."""
        with self._reader_lock:
            self._check_open()
            rows = self._reader.execute("SELECT lines FROM batches ORDER BY seq").fetchall()
        for (lines,) in rows:
            yield from lines.split("\n")

    def read_after(self, seq: int, limit: int) -> tuple[list[Line], int]:
        """Records of the batches after ``seq``, about ``limit`` of them (whole batches);
        and the seq of the last batch read."""
        found: list[Line] = []
        last = seq
        with self._reader_lock:
            self._check_open()
            cursor = self._reader.execute("SELECT seq, lines FROM batches WHERE seq > ? ORDER BY seq", (seq,))
            for batch_seq, lines in cursor:
                found.extend(lines.split("\n"))
                last = batch_seq
                if len(found) >= limit:
                    break
            cursor.close()
        return found, last

    def _check_open(self) -> None:
        if self._reader_closed:
            raise JournalClosed(f"journal {self.path} is closed")

    # ---- running ----

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="flashsale-journal", daemon=True)
        self._thread.start()

    def append(self, record: Any, waiter: asyncio.Future[None] | None) -> None:
        """Queue a record; ``waiter`` resolves once it is committed. Callers append under
        their own lock, so the journal's order is the order the changes were made in.
        The record is encoded here, on the caller's thread: the writer thread then does
        almost nothing in Python and seldom needs the GIL."""
        self.submitted += 1
        self._queue.put((self._encode(record), waiter))

    def barrier(self, waiter: asyncio.Future[None]) -> None:
        """Resolve ``waiter`` once everything appended before it is durable."""
        self.submitted += 1
        self._queue.put((_BARRIER, waiter))

    @property
    def pending(self) -> bool:
        return self.durable < self.submitted

    def close(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put((_STOP, None))
            self._thread.join(timeout=30)
        self._conn.close()
        with self._reader_lock:
            if not self._reader_closed:
                self._reader_closed = True
                self._reader.close()

    # ---- the writer thread ----

    def _run(self) -> None:
        last = 0.0
        while True:
            first = self._queue.get()
            wait = last + self._every_s - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except Empty:
                    break
            stop = any(item is _STOP for item, _ in batch)
            error = self.failure
            if error is None:
                try:
                    lines = [item for item, _ in batch if item is not _STOP and item is not _BARRIER]
                    if lines:
                        self._write("\n".join(lines))
                except Exception as exc:  # the disk is full or gone: stop acknowledging
                    log.exception("flash-sale journal commit failed; the gate stops taking claims")
                    self.failure = error = exc
            last = time.monotonic()
            self.durable += len(batch)
            self.batches += 1
            self._settle([w for _, w in batch if w is not None], error)
            if stop:
                return

    def _write(self, lines: str) -> None:
        # One statement in an implicit transaction: a single commit, a single fsync.
        self._conn.execute("INSERT INTO batches (lines) VALUES (?)", (lines,))

    @staticmethod
    def _settle(waiters: list[asyncio.Future[None]], error: BaseException | None) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
        for waiter in waiters:
            by_loop.setdefault(waiter.get_loop(), []).append(waiter)
        for loop, futures in by_loop.items():
            try:
                loop.call_soon_threadsafe(_resolve, futures, error)
            except RuntimeError:  # that loop is closed: nobody waits any more
                pass


def _resolve(futures: list[asyncio.Future[None]], error: BaseException | None) -> None:
    for future in futures:
        if future.done():
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(JournalFailed(str(error)))
