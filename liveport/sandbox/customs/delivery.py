"""Sends each receipt envelope to its receiver's filed receipt URL until the receiver answers
HTTP 200, with back-off, at most ``len(backoff_s)`` attempts (then the receipt is
``failed``; the sender can still query the window). A receiver gets each order's receipts in
the order they were made: while one waits for a retry, that order's later ones wait behind
it. Different orders' receipts go out side by side, up to ``in_flight`` at once, so one slow
answer does not hold up every other order. The URL is looked up at every attempt, so a
receiver that files a new one gets what is pending there. Every POST has a timeout."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from liveport.sandbox.customs.pump import Pump
from liveport.sandbox.customs.store import CustomsStore

log = logging.getLogger("liveport.sandbox.customs")

# backoff_s[i] is the wait before attempt i + 1 (the first goes at once).
DEFAULT_BACKOFF_S = (0, 1, 2, 5, 10, 30, 60, 120, 300, 600)


class ReceiptSender:
    def __init__(self, store: CustomsStore, backoff_s: Sequence[float] = DEFAULT_BACKOFF_S,
                 timeout_s: float = 5.0, in_flight: int = 8) -> None:
        if not backoff_s:
            raise ValueError("at least one attempt")
        self.store = store
        self.in_flight = max(1, in_flight)
        self._senders: ThreadPoolExecutor | None = None
        self.backoff_s = tuple(float(b) for b in backoff_s)
        self.timeout_s = timeout_s
        self.pump = Pump("sandbox-customs-receipts", self._step, join_timeout_s=timeout_s + 2)
        self._client: httpx.Client | None = None

    def wake(self) -> None:
        self.pump.wake()

    def close(self) -> None:
        self.pump.close()
        if self._senders is not None:
            self._senders.shutdown(wait=True, cancel_futures=True)
        if self._client is not None:
            self._client.close()

    def _step(self) -> float | None:
        if self._client is None:  # made by the pump's thread; shared by its senders
            self._client = httpx.Client(timeout=self.timeout_s, follow_redirects=False)
            self._senders = ThreadPoolExecutor(self.in_flight, thread_name_prefix="sandbox-receipts")
        assert self._senders is not None
        while not self.pump.stopping:
            due = self.store.due_receipts(time.time(), limit=self.in_flight * 4)
            if not due:
                break
            # One receipt per lane, and the batch ends before the next is read: a lane's
            # next receipt never overtakes the one before it.
            for sent in [self._senders.submit(self._deliver, row) for row in due]:
                sent.result()
        return self.store.next_receipt_at()

    def _deliver(self, row: dict[str, Any]) -> None:
        if self.pump.stopping or not self.store.claim_receipt(row["receipt_id"], time.time(), time.time() + self.timeout_s + 5):
            return
        attempt = row["attempts"] + 1
        error: str | None = None
        delivered = False
        if row["url"] is None:
            error = f"no receipt URL filed for {row['receiver']}"
        else:
            try:
                assert self._client is not None
                answer = self._client.post(row["url"], content=row["envelope"],
                                           headers={"content-type": "application/xml"})
                delivered = answer.status_code == 200
                if not delivered:
                    error = f"answered HTTP {answer.status_code}"
            except httpx.HTTPError as exc:
                error = type(exc).__name__
        next_at = None
        if not delivered and attempt < len(self.backoff_s):
            next_at = time.time() + self.backoff_s[attempt]
        if not delivered:
            log.info("receipt %s (%s %s) attempt %d not accepted: %s", row["receipt_id"], row["msg_type"],
                     row["status"], attempt, error)
        self.store.record_attempt(row["receipt_id"], delivered, error, next_at)
