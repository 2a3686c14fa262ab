"""The payment company declares a paid trade to customs itself (CEB411), as real operators do
when the merchant asks (``POST /v1/customs-declarations``).

The declaration's ``status``: ``RECEIVED`` (recorded) → ``SENT`` (the single window took
the envelope) → ``DECLARING`` / ``ACCEPTED`` / ``REJECTED`` from the window's CEB412 (or a
CEB900), or ``SEND_FAILED`` after the last attempt, or ``NOT_DECLARABLE`` when the trade
names no real-name payer. The CEB411: payCode = the provider's customs code,
payTransactionId = its trade_no, the merchant's orderNo / ebpCode / ebpName, the payer
(the wallet owner or card holder, else the buyer the trade was made for), amountPaid,
currency 142, payTime = when it was paid; signed with the provider's own certificate, filed
with the window (``POST /v1/parties``) before the first message. Without a ``customs_url``
declarations are only recorded.

One daemon thread, started by the first declaration; every HTTP call has a timeout.
"""

from __future__ import annotations

import base64
import logging
import os
import threading
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from liveport.protocols import customs as ceb
from liveport.protocols.payment_wire import parse_utc_text
from liveport.sandbox.payment_provider.keys import customs_party
from liveport.sandbox.payment_provider.store import TradeStore

log = logging.getLogger("liveport.sandbox.customs_filing")
DEFAULT_BACKOFF_S = (0, 1, 2, 5, 10, 30, 60, 120, 300, 600)
RECEIPTS_PATH = "/v1/customs-receipts"
SCHEMA = """
CREATE TABLE IF NOT EXISTS customs_filings (
    declaration_no TEXT PRIMARY KEY REFERENCES declarations (declaration_no),
    pay_transaction_id TEXT NOT NULL,
    message BLOB NOT NULL,
    message_guid TEXT NOT NULL,
    receipt_url TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL,
    last_error TEXT,
    info TEXT NOT NULL DEFAULT ''
);
"""
RECEIPT_STATUS = {ceb.ReturnStatus.DECLARING: "DECLARING", ceb.ReturnStatus.ACCEPTED: "ACCEPTED",
                  ceb.ReturnStatus.REJECTED: "REJECTED"}
RANK = {"RECEIVED": 0, "SENT": 1, "SEND_FAILED": 1, "DECLARING": 2, "ACCEPTED": 3, "REJECTED": 3}


class CustomsDeclarer:
    def __init__(self, store: TradeStore, party: ceb.PartyCredentials, *, customs_url: str, dxp_id: str,
                 window_id: str, backoff_s: Sequence[float] = DEFAULT_BACKOFF_S, timeout_s: float = 5.0) -> None:
        self.store = store
        self.party = party
        self.customs_url = customs_url.rstrip("/")
        self.dxp_id = dxp_id
        self.window_id = window_id
        self.backoff_s = tuple(float(b) for b in backoff_s) or DEFAULT_BACKOFF_S
        self.timeout_s = timeout_s
        self._filed_with: str | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        with store.connection() as conn:
            conn.executescript(SCHEMA)

    # -- the declaration ------------------------------------------------------------------------

    def submit(self, declaration: dict[str, Any], receipt_url: str) -> dict[str, Any]:
        """Queues the CEB411 of a new declaration (once); the declaration as it stands now."""
        with self.store.connection() as conn:
            if conn.execute("SELECT 1 FROM customs_filings WHERE declaration_no = ?",
                            (declaration["declaration_no"],)).fetchone() is not None:
                return dict(conn.execute("SELECT * FROM declarations WHERE declaration_no = ?",
                                         (declaration["declaration_no"],)).fetchone())
        trade = self.store.trade(declaration["mch_id"], declaration["out_trade_no"])
        payer_name = trade.get("payer_name") or trade.get("buyer_name")
        payer_id_no = trade.get("payer_id_no") or trade.get("buyer_id_no")
        if not (payer_name and payer_id_no):
            return self._set_status(declaration, "NOT_DECLARABLE")
        message = self._ceb411(declaration, trade, payer_name, payer_id_no)
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO customs_filings (declaration_no, pay_transaction_id, message, message_guid, receipt_url,"
                " state, next_at) VALUES (?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT DO NOTHING",
                (declaration["declaration_no"], trade["trade_no"], ceb.seal(message, self.party), message.guid,
                 receipt_url, time.time()),
            )
        self.wake()
        return declaration

    def _ceb411(self, declaration: dict[str, Any], trade: dict[str, Any], payer_name: str,
                payer_id_no: str) -> ceb.CEB411Message:
        payment = ceb.Payment(
            app_time=ceb.app_time(parse_utc_text(declaration["received_at"])), pay_code=self.party.customs_code,
            pay_name=self.party.name, pay_transaction_id=trade["trade_no"], order_no=declaration["order_no"],
            ebp_code=declaration["ebp_code"], ebp_name=declaration["ebp_name"], payer_id_number=payer_id_no,
            payer_name=payer_name, amount_paid=(Decimal(trade["amount"]) / 100).quantize(Decimal("0.01")),
            pay_time=ceb.app_time(parse_utc_text(trade["paid_at"])),
        )
        transfer = ceb.BaseTransfer(cop_code=self.party.customs_code, cop_name=self.party.name, dxp_id=self.dxp_id)
        return ceb.CEB411Message(payments=(payment,), base_transfer=transfer)

    def _set_status(self, declaration: dict[str, Any], status: str) -> dict[str, Any]:
        with self.store.transaction() as conn:
            conn.execute("UPDATE declarations SET status = ? WHERE declaration_no = ?",
                         (status, declaration["declaration_no"]))
        return {**declaration, "status": status}

    def apply_receipt(self, envelope: bytes) -> int:
        """CEB412 / CEB900 from the window → the declarations' status; how many changed."""
        message = ceb.from_bytes(ceb.unwrap(envelope).data)
        if isinstance(message, ceb.CEB412Message):
            changes = [("pay_transaction_id", n.pay_transaction_id, RECEIPT_STATUS.get(n.return_status), n.return_info)
                       for n in message.returns if n.pay_code == self.party.customs_code]
        elif isinstance(message, ceb.CEB900Message):
            changes = [("message_guid", n.ori_cop_msg_id, "REJECTED", n.return_info) for n in message.returns]
        else:
            raise ceb.CustomsParseError(f"not a receipt for a payment company: {type(message).__name__}")
        changed = 0
        with self.store.transaction() as conn:
            for column, key, status, info in changes:
                if status is None:
                    continue
                rows = conn.execute(f"SELECT f.declaration_no, d.status FROM customs_filings f JOIN declarations d"
                                    f" ON d.declaration_no = f.declaration_no WHERE f.{column} = ?", (key,)).fetchall()
                for row in rows:
                    if RANK.get(row["status"], 0) <= RANK[status]:
                        conn.execute("UPDATE declarations SET status = ? WHERE declaration_no = ?",
                                     (status, row["declaration_no"]))
                        conn.execute("UPDATE customs_filings SET info = ? WHERE declaration_no = ?",
                                     (info[:1000], row["declaration_no"]))
                        changed += 1
        return changed

    # -- sending ----------------------------------------------------------------------------------

    def wake(self) -> None:
        with self._lock:
            if self._stop.is_set():
                return
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="sandbox-payment-customs", daemon=True)
                self._thread.start()
        self._wake.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout_s * 2 + 2)

    def pending(self) -> bool:
        with self.store.connection() as conn:
            return conn.execute("SELECT 1 FROM customs_filings WHERE state = 'pending'").fetchone() is not None

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout_s, follow_redirects=False) as client:
            while not self._stop.is_set():
                self._wake.clear()
                try:
                    with self.store.connection() as conn:
                        due = [dict(r) for r in conn.execute(
                            "SELECT * FROM customs_filings WHERE state = 'pending' AND next_at <= ?"
                            " ORDER BY next_at LIMIT 20", (time.time(),))]
                    for row in due:
                        if self._stop.is_set():
                            return
                        self._file(client, row)
                    with self.store.connection() as conn:
                        upcoming = conn.execute("SELECT min(next_at) FROM customs_filings WHERE state = 'pending'"
                                                ).fetchone()[0]
                except Exception:  # the thread must outlive a bad row or a locked file
                    log.exception("declaring to customs failed; retrying")
                    upcoming = time.time() + 1
                wait = 3600.0 if upcoming is None else max(0.0, upcoming - time.time())
                self._wake.wait(timeout=min(wait, 3600.0))

    def _post(self, client: httpx.Client, row: dict[str, Any]) -> httpx.Response:
        if self._filed_with != row["receipt_url"]:
            answer = client.post(self.customs_url + "/v1/parties", json={
                "dxp_id": self.dxp_id, "customs_code": self.party.customs_code, "name": self.party.name,
                "certificate": base64.b64encode(self.party.certificate).decode("ascii"),
                "receipt_url": row["receipt_url"],
            })
            if answer.status_code != 200:
                return answer
            self._filed_with = row["receipt_url"]
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
        next_at = None if sent or attempt >= len(self.backoff_s) else time.time() + self.backoff_s[attempt]
        state = "sent" if sent else ("pending" if next_at is not None else "failed")
        if not sent:
            log.info("CEB411 of %s attempt %d not taken: %s", row["declaration_no"], attempt, error)
        with self.store.transaction() as conn:
            conn.execute("UPDATE customs_filings SET attempts = attempts + 1, state = ?, last_error = ?,"
                         " next_at = coalesce(?, next_at) WHERE declaration_no = ?",
                         (state, error, next_at, row["declaration_no"]))
            if state != "pending":
                conn.execute("UPDATE declarations SET status = ? WHERE declaration_no = ? AND status = 'RECEIVED'",
                             ("SENT" if sent else "SEND_FAILED", row["declaration_no"]))


def declarer_for(
    home: Path,
    store: TradeStore,
    *,
    pay_code: str,
    pay_name: str,
    dxp_id: str,
    base_url: str | None,
    customs_url: str | None,
    backoff_s: Sequence[float] | None,
    timeout_s: float,
) -> CustomsDeclarer | None:
    """The provider's declarer: to ``customs_url``, else the window mounted beside it on
    ``base_url`` (``/sandbox/customs``), else none."""
    if customs_url is None and base_url is not None:
        customs_url = f"{base_url.rstrip('/')}/sandbox/customs"
    if customs_url is None:
        return None
    return CustomsDeclarer(
        store, customs_party(home, pay_name, pay_code), customs_url=customs_url, dxp_id=dxp_id,
        window_id=os.environ.get("LIVEPORT_CUSTOMS_RECEIVER_ID", "DXPEDCCEB0000002"),
        backoff_s=backoff_s or DEFAULT_BACKOFF_S, timeout_s=timeout_s,
    )
