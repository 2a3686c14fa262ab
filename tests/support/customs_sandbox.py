"""The customs single-window sandbox served over real HTTP, a receipt receiver, and the
parties and consistent document sets that drive a declaration through it.

    with running_customs(tmp_path) as window, ReceiptReceiver() as receiver:
        parties = Parties.generate()
        parties.register(window.url, receiver.url)
        for message in declaration_set("LP0001").signed(parties):
            window.send(message)
        assert receiver.statuses("CEB622Message", "LP0001") == ["120", "399", "800"]
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Self

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from liveport.protocols import customs as c
from liveport.sandbox.customs.app import create_app as create_customs_app
from tests.support import customs_messages as cm
from tests.support.live_server import served

WINDOW_DXP_ID = "DXPEDCCEB0000002"
PLATFORM_DXP_ID = "DXPENT0000000001"
FAST = {"step_delay_s": 0.05, "match_wait_s": 3.0, "receipt_backoff_s": (0, 0.1, 0.1, 0.2),
        "review_rate": 0.0, "inspection_rate": 0.0, "receipt_timeout_s": 2.0}


@dataclass
class RunningWindow:
    url: str
    app: Any

    @property
    def store(self) -> Any:
        return self.app.state.store

    def send(self, data: bytes, sender_id: str = PLATFORM_DXP_ID, **wrap: Any) -> httpx.Response:
        envelope = c.wrap(data, sender_id=sender_id, receiver_ids=WINDOW_DXP_ID, **wrap)
        return self.post(envelope)

    def post(self, body: bytes) -> httpx.Response:
        return httpx.post(self.url + "/v1/messages", content=body, timeout=10,
                          headers={"content-type": "application/xml"})

    def register(self, party: c.PartyCredentials, receipt_url: str, dxp_id: str = PLATFORM_DXP_ID) -> None:
        answer = httpx.post(self.url + "/v1/parties", timeout=10, json={
            "dxp_id": dxp_id, "customs_code": party.customs_code, "name": party.name,
            "certificate": base64.b64encode(party.certificate).decode(), "receipt_url": receipt_url,
        })
        assert answer.status_code == 200, answer.text

    def held(self, order_no: str) -> list[dict[str, Any]]:
        answer = httpx.get(self.url + "/v1/messages", params={"order_no": order_no}, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()


@contextmanager
def running_customs(data_dir: Path, **options: Any) -> Iterator[RunningWindow]:
    """The single window with fast steps and retries unless ``options`` say otherwise."""
    app = create_customs_app(data_dir, **{**FAST, **options})
    with served(app, log_config=None, access_log=False) as url:
        yield RunningWindow(url, app)


@dataclass(frozen=True)
class Receipt:
    msg_type: str
    status: str
    info: str
    key: str  # orderNo, payTransactionId, logisticsNo or copNo; CEB900: oriCopMsgId
    message: Any


@dataclass
class ReceiptReceiver:
    """A party's receipt URL: records every envelope; answers 500 to the first ``fail_first``."""

    fail_first: int = 0
    envelopes: list[bytes] = field(default_factory=list)
    url: str = ""
    _seen: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _cm: Any = None

    async def _receive(self, request: Request) -> Response:
        body = await request.body()
        with self._lock:
            self._seen += 1
            if self._seen <= self.fail_first:
                return Response(b"busy", 500)
            self.envelopes.append(body)
        return Response(b"ok", 200)

    def __enter__(self) -> Self:
        app = Starlette(routes=[Route("/receipts", self._receive, methods=["POST"])])
        self._cm = served(app, lifespan="off", log_config=None, access_log=False)
        self.url = self._cm.__enter__() + "/receipts"
        return self

    def __exit__(self, *exc: object) -> None:
        self._cm.__exit__(*exc)

    def receipts(self) -> list[Receipt]:
        with self._lock:
            bodies = list(self.envelopes)
        found = []
        for body in bodies:
            message = c.from_bytes(c.unwrap(body).data)
            for node in message.returns:
                key = next(getattr(node, name) for name in ("order_no", "pay_transaction_id", "logistics_no", "cop_no",
                                                            "ori_cop_msg_id") if hasattr(node, name))
                found.append(Receipt(type(message).__name__, node.return_status, node.return_info, key, message))
        return found

    def of(self, msg_type: str, key: str) -> list[Receipt]:
        return [r for r in self.receipts() if r.msg_type == msg_type and r.key == key]

    def statuses(self, msg_type: str, key: str) -> list[str]:
        return [r.status for r in self.of(msg_type, key)]

    def wait_for(self, msg_type: str, key: str, final: tuple[str, ...] = ("100", "800", "-1"),
                 timeout_s: float = 10.0) -> list[Receipt]:
        """The receipts for that key once one with a ``final`` status arrived."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = self.of(msg_type, key)
            if any(r.status in final for r in found):
                return found
            time.sleep(0.02)
        raise AssertionError(f"no {msg_type} {final} for {key} after {timeout_s}s: {self.statuses(msg_type, key)}")


@dataclass(frozen=True)
class Parties:
    """Signing parties with the codes of tests.support.customs_messages."""

    platform: c.PartyCredentials
    agent: c.PartyCredentials
    payer: c.PartyCredentials
    carrier: c.PartyCredentials

    @classmethod
    def generate(cls) -> Parties:
        return cls(*(c.generate_party(name, code) for code, name in (cm.EBP, cm.AGENT, cm.PAY, cm.CARRIER)))

    def register(self, window: RunningWindow, receipt_url: str, dxp_id: str = PLATFORM_DXP_ID) -> None:
        """All four filed from one DXP node, so that one receiver sees every receipt."""
        for party in (self.platform, self.agent, self.payer, self.carrier):
            window.register(party, receipt_url, dxp_id)


@dataclass(frozen=True)
class DeclarationSet:
    """A consistent 311 + 411 + 511 + 621 for one order (trade mode 1210)."""

    order: c.CEB311Message
    payment: c.CEB411Message
    waybill: c.CEB511Message
    inventory: c.CEB621Message

    def signed(self, parties: Parties) -> list[bytes]:
        return [
            c.seal(self.order, parties.platform), c.seal(self.payment, parties.payer),
            c.seal(self.waybill, parties.carrier), c.seal(self.inventory, parties.agent),
        ]


def declaration_set(order_no: str, lines: int = 2, logistics_no: str | None = None, *,
                    transaction_id: str | None = None, buyer: tuple[str, str] | None = None) -> DeclarationSet:
    """Goods ¥91.00 a line, freight ¥10.00, tax ¥8.28 (one line: ¥109.28 paid); the buyer
    (name, ID number) is also the payer and the consignee."""
    logistics_no = logistics_no or "SX" + order_no[-10:]
    transaction_id = transaction_id or "ECNY" + order_no  # payments are keyed by payCode + payTransactionId
    name, id_number = buyer or (cm.BUYER["name"], cm.BUYER["id"])
    order = cm.order(lines, order_no=order_no)
    order = replace(order, head=replace(order.head, pay_transaction_id=transaction_id, buyer_name=name,
                                        buyer_id_number=id_number, consignee=name))
    payment = cm.payment_message()
    waybill = cm.logistics_message()
    inventory = cm.inventory_message(c.TRADE_MODE_BONDED, lines)
    return DeclarationSet(
        order=c.CEB311Message(orders=(order,), base_transfer=cm.TRANSFER),
        payment=replace(payment, payments=(replace(
            payment.payments[0], order_no=order_no, amount_paid=order.head.actural_paid,
            pay_transaction_id=transaction_id, payer_name=name, payer_id_number=id_number),)),
        waybill=replace(waybill, logistics=(replace(waybill.logistics[0], order_no=order_no,
                                                    logistics_no=logistics_no, consignee=name),)),
        inventory=replace(inventory, inventories=(replace(
            inventory.inventories[0],
            head=replace(inventory.inventories[0].head, order_no=order_no, logistics_no=logistics_no,
                         cop_no=order_no[-20:], buyer_name=name, buyer_id_number=id_number),
        ),)),
    )


def with_order_head(found: DeclarationSet, **changes: Any) -> DeclarationSet:
    order = found.order.orders[0]
    return replace(found, order=replace(found.order, orders=(replace(order, head=replace(order.head, **changes)),)))


def with_payment(found: DeclarationSet, **changes: Any) -> DeclarationSet:
    return replace(found, payment=replace(found.payment, payments=(replace(found.payment.payments[0], **changes),)))


def with_waybill(found: DeclarationSet, **changes: Any) -> DeclarationSet:
    return replace(found, waybill=replace(found.waybill, logistics=(replace(found.waybill.logistics[0], **changes),)))


def with_inventory_lines(found: DeclarationSet, lines: tuple[c.InventoryLine, ...]) -> DeclarationSet:
    inventory = found.inventory.inventories[0]
    return replace(found, inventory=replace(found.inventory, inventories=(replace(inventory, lines=lines),)))


