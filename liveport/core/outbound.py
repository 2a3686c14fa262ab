"""One pooled HTTP client per outside party, made on first use and shared by every thread.

Building an ``httpx.Client`` loads the CA bundle into a fresh SSL context: tens of
milliseconds of CPU on this machine, more than the call it was made for. An adapter that made
one per call spent most of a busy night's CPU there, and opened a new TCP connection each
time; this keeps one client (and its keep-alive connections) per adapter. ``httpx.Client``
is safe to share between threads."""
from __future__ import annotations

import threading
from typing import Any

import httpx


class OutboundClient:
    def __init__(self, timeout_s: float, transport: httpx.BaseTransport | None = None, **options: Any) -> None:
        self._options = {"timeout": timeout_s, "transport": transport, **options}
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def get(self) -> httpx.Client:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    self._client = httpx.Client(**self._options)
                client = self._client
        return client

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()
