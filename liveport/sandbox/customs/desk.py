"""One unit of the window's work inside one transaction: settle a document's status and
queue the receipt that tells its sender (one receipt per node, in the sender's DXP
envelope). Shared by the message processing and the inventory list's progress."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from liveport.protocols import customs as ceb
from liveport.sandbox.customs import answers
from liveport.sandbox.customs.documents import RECEIPT_TYPE, items_of
from liveport.sandbox.customs.store import CustomsStore

INVENTORY_FAMILY = ("CEB621Message", "CEB623Message", "CEB625Message")
IN_CUSTOMS = ("120", "300", "399", "500")  # taken, not yet released


@dataclass(frozen=True)
class WindowConfig:
    dxp_id: str = "DXPEDCCEB0000002"  # the single window's DXP node (ReceiverId)
    xsd_dir: Path | None = None  # the official schemas; None: the own structural checks
    step_delay_s: float = 0.2  # between 120 → 300/500 → 399 → 800
    review_rate: float = 0.0  # share of lists sent to manual review (300)
    inspection_rate: float = 0.0  # share of lists inspected (500)
    match_wait_s: float = 120.0  # how long a list waits for its order, payment and waybill
    # A waiting list is looked at again as soon as a document for its order is taken; this is
    # only the safety net (a waybill filed under another order number, say).
    match_poll_s: float = 5.0
    return_days: int = 30  # returns are declared within this many days of release
    seed: int | None = 0  # of the review / inspection draw


class Desk:
    def __init__(self, store: CustomsStore, conn: sqlite3.Connection, config: WindowConfig) -> None:
        self.store = store
        self.conn = conn
        self.config = config
        self.receipts_made = 0

    def now(self) -> datetime:
        return datetime.now(ceb.CHINA_TIME)

    def item(self, doc: dict[str, Any]) -> Any:
        """The node a document stands for, parsed again from the message as received."""
        data = self.conn.execute("SELECT data FROM messages WHERE msg_id = ?", (doc["msg_id"],)).fetchone()["data"]
        return items_of(ceb.from_bytes(bytes(data)))[doc["position"]]

    def current(self, msg_type: str, where: str, params: tuple[Any, ...]) -> dict[str, Any] | None:
        """The document in force (accepted, active) of that type, newest first."""
        found = self.store.find(self.conn, f"msg_type = ? AND active = 1 AND status = '120' AND {where}",
                                (msg_type, *params))
        return found[0] if found else None

    def last_refusal(self, msg_type: str, where: str, params: tuple[Any, ...]) -> str | None:
        found = self.store.find(self.conn, f"msg_type = ? AND status = '100' AND {where}", (msg_type, *params))
        return found[0]["info"] if found else None

    def settle(self, doc: dict[str, Any], status: str, info: str, *, notify: bool = True, **changes: Any) -> None:
        """The document's new status; its sender gets a receipt unless ``notify`` is False."""
        self.store.update_document(self.conn, doc["doc_id"], status=status, info=info, **changes)
        doc.update(status=status, info=info, **changes)
        if notify:
            self.emit(doc, status, info)

    def emit(self, doc: dict[str, Any], status: str, info: str) -> None:
        sender = self.conn.execute("SELECT sender_id FROM messages WHERE msg_id = ?", (doc["msg_id"],)).fetchone()
        keys = dict(doc["receipt_keys"])
        if doc["msg_type"] in INVENTORY_FAMILY:
            if not doc["pre_no"]:  # refused before it got one (a bad signature): 622 needs it
                doc["pre_no"] = self.pre_no(doc["doc_id"])
                self.store.update_document(self.conn, doc["doc_id"], pre_no=doc["pre_no"])
            keys.update(cop_no=doc["cop_no"], pre_no=doc["pre_no"], invt_no=doc["invt_no"] or keys.get("invt_no"))
        receipt_type = RECEIPT_TYPE[doc["msg_type"]]
        message = answers.receipt(receipt_type, keys, status, info, self.now())
        envelope = answers.envelope(message, sender_id=self.config.dxp_id, receiver_id=sender["sender_id"])
        self.store.add_receipt(self.conn, {
            "msg_id": doc["msg_id"], "doc_id": doc["doc_id"], "msg_type": receipt_type, "status": status,
            "info": info, "receiver": sender["sender_id"], "envelope": envelope,
            "lane": doc.get("order_no") or f"message {doc['msg_id']}",
        })
        self.receipts_made += 1

    def emit_format_failure(self, msg: dict[str, Any], problems: str) -> None:
        original = bytes(msg["data"])
        message = answers.format_receipt(problems, msg["cop_msg_id"], msg["msg_type"], original, self.now())
        try:
            envelope = answers.envelope(message, sender_id=self.config.dxp_id, receiver_id=msg["sender_id"])
        except ceb.CustomsWireError:  # the original text cannot travel inside XML
            message = answers.format_receipt(problems, msg["cop_msg_id"], msg["msg_type"], b"", self.now())
            envelope = answers.envelope(message, sender_id=self.config.dxp_id, receiver_id=msg["sender_id"])
        self.store.add_receipt(self.conn, {
            "msg_id": msg["msg_id"], "doc_id": None, "msg_type": "CEB900Message",
            "status": ceb.ReturnStatus.FORMAT_ERROR, "info": problems, "receiver": msg["sender_id"],
            "envelope": envelope, "lane": f"message {msg['msg_id']}",
        })
        self.receipts_made += 1

    def pre_no(self, doc_id: int) -> str:
        """The window's number of a list, cancellation or return: 18 characters."""
        return f"B{self.now():%Y%m%d}{doc_id:09d}"

    def invt_no(self, customs_code: str, doc_id: int) -> str:
        """The inventory list's number once customs took it: 18 characters."""
        return f"{customs_code[:4]:0>4}{self.now():%Y}I{doc_id:09d}"
