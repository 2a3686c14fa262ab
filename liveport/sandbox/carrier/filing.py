"""The carrier files each waybill's CEB511 with the customs single window, as a real carrier
does when it issues a waybill: its certificate is filed first (``POST /v1/parties``, again
whenever the receipt URL changes or the window does not know us), then the signed message
goes in a DXP envelope to ``POST /v1/messages``, again with back-off until the window
answers 202 (at most ``len(backoff_s)`` attempts, then ``SEND_FAILED``). Receipts (CEB512,
or CEB900) come back to ``POST /v1/customs-receipts`` and move ``customs_status``.

One daemon thread, started by the first waybill (a mounted app gets no start-up of its
own); every HTTP call has a timeout."""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

import httpx

from liveport.protocols import customs as ceb
from liveport.sandbox.carrier.store import WaybillStore

log = logging.getLogger("liveport.sandbox.carrier")
DEFAULT_BACKOFF_S = (0, 1, 2, 5, 10, 30, 60, 120, 300, 600)
RECEIPT_STATUS = {ceb.ReturnStatus.DECLARING: "DECLARING", ceb.ReturnStatus.ACCEPTED: "ACCEPTED",
                  ceb.ReturnStatus.REJECTED: "REJECTED"}


class CustomsFiler:
    def __init__(self, store: WaybillStore, party: ceb.PartyCredentials, *, customs_url: str, dxp_id: str,
                 window_id: str, backoff_s: Sequence[float] = DEFAULT_BACKOFF_S, timeout_s: float = 5.0) -> None:
        self.store = store
        self.party = party
        self.customs_url = customs_url.rstrip("/")
        self.dxp_id = dxp_id
        self.window_id = window_id
        self.backoff_s = tuple(float(b) for b in backoff_s) or DEFAULT_BACKOFF_S
        self.timeout_s = timeout_s
        self._filed_with: str | None = None  # the receipt URL our certificate was filed with
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        with self._lock:
            if self._stop.is_set():
                return
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="sandbox-carrier-customs", daemon=True)
                self._thread.start()
        self._wake.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout_s * 2 + 2)

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout_s, follow_redirects=False) as client:
            while not self._stop.is_set():
                self._wake.clear()
                try:
                    for row in self.store.due_filings(time.time()):
                        if self._stop.is_set():
                            return
                        self._file(client, row)
                    upcoming = self.store.next_filing_at()
                except Exception:  # the thread must outlive a bad row or a locked file
                    log.exception("filing CEB511 failed; retrying")
                    upcoming = time.time() + 1
                wait = 3600.0 if upcoming is None else max(0.0, upcoming - time.time())
                self._wake.wait(timeout=min(wait, 3600.0))

    def _register(self, client: httpx.Client, receipt_url: str) -> None:
        answer = client.post(self.customs_url + "/v1/parties", json={
            "dxp_id": self.dxp_id, "customs_code": self.party.customs_code, "name": self.party.name,
            "certificate": base64.b64encode(self.party.certificate).decode("ascii"), "receipt_url": receipt_url,
        })
        if answer.status_code != 200:
            raise httpx.HTTPStatusError(f"filing the certificate: HTTP {answer.status_code}", request=answer.request,
                                        response=answer)
        self._filed_with = receipt_url

    def _post(self, client: httpx.Client, row: dict[str, Any]) -> httpx.Response:
        if self._filed_with != row["receipt_url"]:
            self._register(client, row["receipt_url"])
        envelope = ceb.wrap(bytes(row["message"]), sender_id=self.dxp_id, receiver_ids=self.window_id,
                            cop_msg_id=row["message_guid"])
        return client.post(self.customs_url + "/v1/messages", content=envelope,
                           headers={"content-type": "application/xml"})

    def _file(self, client: httpx.Client, row: dict[str, Any]) -> None:
        attempt = row["attempts"] + 1
        error: str | None = None
        try:
            answer = self._post(client, row)
            if answer.status_code == 403:  # the window forgot us (a new store): file again
                self._filed_with = None
                answer = self._post(client, row)
            sent = answer.status_code == 202
            if not sent:
                error = f"HTTP {answer.status_code}: {answer.text[:200]}"
        except httpx.HTTPError as exc:
            sent, error = False, f"{type(exc).__name__}: {exc}"[:300]
        next_at = None
        if not sent and attempt < len(self.backoff_s):
            next_at = time.time() + self.backoff_s[attempt]
        if not sent:
            log.info("CEB511 of %s attempt %d not taken: %s", row["logistics_no"], attempt, error)
        self.store.record_filing(row["logistics_no"], sent, error, next_at)


def apply_receipt(store: WaybillStore, envelope: bytes, logistics_code: str) -> int:
    """A receipt from the window (CEB512 or CEB900) → the waybills' customs_status; returns
    how many changed. Raises CustomsWireError for what is not a receipt."""
    message = ceb.from_bytes(ceb.unwrap(envelope).data)
    changed = 0
    if isinstance(message, ceb.CEB512Message):
        for node in message.returns:
            status = RECEIPT_STATUS.get(node.return_status)
            if status is not None and node.logistics_code == logistics_code:
                changed += store.customs_answered("logistics_no", node.logistics_no, status, node.return_info)
    elif isinstance(message, ceb.CEB900Message):
        for node in message.returns:
            changed += store.customs_answered("message_guid", node.ori_cop_msg_id, "REJECTED", node.return_info)
    else:
        raise ceb.CustomsParseError(f"not a receipt for a carrier: {type(message).__name__}")
    return changed
