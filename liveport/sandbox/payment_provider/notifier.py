"""Sends the signed notification of each paid trade to the merchant's notify_url, again with
back-off until the merchant answers 200 ``{"code":"SUCCESS"}``, at most ``len(backoff_s)``
times (then the notification is ``failed``; the merchant can still query the trade).

One daemon thread per provider, started by the first payment (or at start when notifications
are pending), so an app that takes no payment runs no thread. It sends up to ``in_flight``
notifications at once, as real providers do: each is about a different trade, and one
merchant answering slowly must not hold every other payment's news behind it (one at a time,
a merchant that takes a second to answer would hear of one payment a second). Every POST has
a timeout.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx

from liveport.protocols import trade_messages
from liveport.protocols.payment_wire import encode
from liveport.sandbox.payment_provider.store import TradeStore

log = logging.getLogger("liveport.sandbox.notifier")

# backoff_s[i] is the wait before attempt i + 1 (attempt 1 goes at once): quick at first,
# then hours, as real operators do; len(backoff_s) attempts in all.
DEFAULT_BACKOFF_S = (0, 15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800)


class Notifier:
    def __init__(
        self,
        store: TradeStore,
        private_key: str,
        backoff_s: Sequence[float] = DEFAULT_BACKOFF_S,
        timeout_s: float = 5.0,
        clock: Callable[[], float] = time.time,
        in_flight: int = 16,
    ) -> None:
        if not backoff_s:
            raise ValueError("at least one attempt")
        self.store = store
        self.private_key = private_key
        self.backoff_s = tuple(float(b) for b in backoff_s)
        self.timeout_s = timeout_s
        self.clock = clock
        self.in_flight = max(1, in_flight)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        """A notification is queued: make sure the sender runs and looks now."""
        with self._lock:
            if self._stop.is_set():
                return
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="sandbox-notifier", daemon=True)
                self._thread.start()
        self._wake.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=self.timeout_s + 2)

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout_s, follow_redirects=False) as client, \
                ThreadPoolExecutor(self.in_flight, thread_name_prefix="sandbox-notify") as senders:
            while not self._stop.is_set():
                self._wake.clear()
                try:
                    due = self.store.due_notifications(self.clock(), limit=self.in_flight * 4)
                    # The whole batch is answered (or timed out) before the next is read,
                    # so a notification is never in flight twice.
                    for done in [senders.submit(self._deliver, client, row) for row in due]:
                        done.result()
                    upcoming = self.clock() if due else self.store.next_notification_at()
                except Exception:  # the sender must outlive a bad row or a locked file
                    log.exception("notification sender failed; retrying")
                    upcoming = self.clock() + 1
                wait = 3600.0 if upcoming is None else max(0.0, upcoming - self.clock())
                self._wake.wait(timeout=min(wait, 3600.0))

    def message(self, row: dict[str, Any]) -> dict[str, Any]:
        now = datetime.fromtimestamp(self.clock(), UTC)
        fields = {
            "notify_id": row["notify_id"],
            "event": "TRADE.SUCCESS",
            "mch_id": row["mch_id"],
            **self.store.trade_fields(row, now),
        }
        # A fresh nonce and timestamp for each attempt; notify_id stays the same.
        return trade_messages.build("notification", fields, self.private_key, self.clock)

    def _deliver(self, client: httpx.Client, row: dict[str, Any]) -> None:
        if self._stop.is_set():
            return
        attempt = row["attempts"] + 1
        error: str | None = None
        try:
            response = client.post(
                row["url"], content=encode(self.message(row)),
                headers={"content-type": "application/json"},
            )
            delivered = trade_messages.is_ack(response.status_code, response.content)
            if not delivered:
                error = f"answered HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            delivered, error = False, type(exc).__name__
        next_at = None
        if not delivered and attempt < len(self.backoff_s):
            next_at = self.clock() + self.backoff_s[attempt]
        if not delivered:
            log.info("notification %s attempt %d not accepted: %s", row["notify_id"], attempt, error)
        self.store.record_attempt(
            row["notify_id"], delivered, error, next_at, datetime.fromtimestamp(self.clock(), UTC)
        )
