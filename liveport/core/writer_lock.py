"""One writer at a time per SQLite file, queued inside this process.

SQLite lets one connection write at a time. A writer that finds the file locked sleeps in
SQLite's busy handler (1, 2, 5 … up to 100 ms) and tries again, so in a crowd the file often
sits unlocked while every waiting writer sleeps, and throughput falls as load rises. Threads
of one process queue on a lock instead and take the file the moment the last writer
commits. Writers in other processes still meet the busy handler, as before.

The wait is bounded: a writer that waits longer than ``wait_s`` goes ahead without the
lock and SQLite's own busy timeout decides, so a thread that holds the lock while it waits
for something else can slow the others but never deadlock them.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_registry: dict[str, WriterLock] = {}
_registry_lock = threading.Lock()


class WriterLock:
    def __init__(self, wait_s: float) -> None:
        self.wait_s = wait_s
        self._lock = threading.RLock()  # a unit of work may nest another on the same file

    @contextmanager
    def held(self) -> Iterator[None]:
        acquired = self._lock.acquire(timeout=self.wait_s)
        try:
            yield
        finally:
            if acquired:
                self._lock.release()


def writer_lock(file_key: str, wait_s: float = 10.0) -> WriterLock:
    """The lock of one SQLite file (``file_key``: its resolved path, or the URL of an
    in-memory database), shared by every store and engine of this process that writes it."""
    with _registry_lock:
        lock = _registry.get(file_key)
        if lock is None:
            lock = _registry[file_key] = WriterLock(wait_s)
        return lock
