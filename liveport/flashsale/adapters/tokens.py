"""Random reservation tokens, read from the OS in blocks.

A claim needs 12 random bytes; one ``os.urandom`` call per claim is a system call on the
hot path (tens of microseconds under load), one per thousand claims is not.
"""
from __future__ import annotations

import base64
import os
import threading


class TokenSource:
    def __init__(self, nbytes: int = 12, per_read: int = 1024) -> None:
        self._nbytes = nbytes
        self._block = nbytes * per_read
        self._buffer = b""
        self._pos = 0
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            if self._pos >= len(self._buffer):
                self._buffer, self._pos = os.urandom(self._block), 0
            chunk = self._buffer[self._pos:self._pos + self._nbytes]
            self._pos += self._nbytes
        return base64.urlsafe_b64encode(chunk).decode().rstrip("=")
