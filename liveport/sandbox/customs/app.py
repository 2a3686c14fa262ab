"""The sandbox China customs single window as a Starlette app (cross-border.md §4–7).

Routes (relative to the mount, ``/sandbox/customs`` in the embedded setup):
- ``POST /v1/parties`` JSON ``{"dxp_id", "customs_code", "name", "certificate" (base64 DER,
  SM2), "receipt_url"}`` → 200 ``{"registered": true, ...}``: files a party's signing
  certificate (the sandbox's stand-in for certificate filing). Filed again under the same
  dxp_id and customs_code it replaces the earlier one; one DXP node may file several parties
  (e.g. platform and agent), and all of them share the node's newest receipt URL.
- ``POST /v1/messages`` a DXP envelope (application/xml) → 202 ``{"status": "received",
  "cop_msg_id"}`` (``"duplicate": true`` when that sender's message of that type and guid
  was received before: it is not processed again); 400 ``{"error"}`` when the body is not an envelope
  addressed to the window; 403 when its SenderId filed no party; 413 when too large.
  Everything else happens afterwards (processor.py); receipts go, each in a DXP envelope,
  to the sender's receipt URL (delivery.py).
- ``GET /v1/messages?order_no=`` → the documents held for that order, oldest first:
  ``[{"msg_type", "guid", "received_at", "status", "info", "xml", "cop_msg_id",
  "sender_id", "position", "receipts": [{"msg_type", "status", "info", "at", "delivery"}]}]``.
  ``GET /v1/messages/{guid}`` → one message with its documents, 404 when unknown.
- ``POST /v1/sandbox/rules`` JSON ``{"order_no", "reason"?, "msg_type"? (CEB621Message;
  or 311/411/511), "action"? ("reject"; "review" or "inspect" for 621)}``: the next such
  message for that order is rejected with the reason (or sent to review / inspection).
- ``GET /healthz``.

Configuration (argument, else environment, else default): ``xsd_dir``
(``LIVEPORT_CUSTOMS_XSD_DIR``: the official schemas, else the own structural checks),
``step_delay_s`` (``LIVEPORT_SANDBOX_CUSTOMS_STEP_DELAY_S``, 0.2), ``review_rate`` /
``inspection_rate`` (``…_REVIEW_RATE`` / ``…_INSPECTION_RATE``, 0), ``match_wait_s``
(``…_MATCH_WAIT_S``, 120), ``seed`` (``…_SEED``, 0), ``receipt_backoff_s``
(``…_BACKOFF_S``, comma-separated seconds), ``dxp_id`` (``LIVEPORT_CUSTOMS_RECEIVER_ID``,
``DXPEDCCEB0000002``). Store: ``<data_dir>/customs/single_window.sqlite3``.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from liveport.protocols import customs as ceb
from liveport.protocols.customs.codec import parse_xml
from liveport.sandbox.customs.delivery import DEFAULT_BACKOFF_S, ReceiptSender
from liveport.sandbox.customs.desk import WindowConfig
from liveport.sandbox.customs.processor import Processor
from liveport.sandbox.customs.store import CustomsStore

ENV = "LIVEPORT_SANDBOX_CUSTOMS_"
MAX_ENVELOPE = 16 * 1024 * 1024
RULE_TYPES = ("CEB311Message", "CEB411Message", "CEB511Message", "CEB621Message")
_DXP_ID = re.compile(r"[^\s]{1,16}")
_CODE = re.compile(r"[A-Za-z0-9]{1,18}")
_ORDER_NO = re.compile(r"[^\s]{1,60}")


def _setting(value: Any, name: str, default: Any, kind: type = float) -> Any:
    if value is not None:
        return value
    raw = os.environ.get(name, "").strip()
    return kind(raw) if raw else default


def _error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status)


class Window:
    def __init__(self, store: CustomsStore, config: WindowConfig, processor: Processor) -> None:
        self.store = store
        self.config = config
        self.processor = processor

    async def register(self, request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return _error("the body must be JSON")
        if not isinstance(body, dict):
            return _error("the body must be a JSON object")
        party = {name: body.get(name) for name in ("dxp_id", "customs_code", "name", "certificate", "receipt_url")}
        if not all(isinstance(value, str) and value for value in party.values()):
            return _error("dxp_id, customs_code, name, certificate and receipt_url are required (text)")
        if not _DXP_ID.fullmatch(party["dxp_id"]) or not _CODE.fullmatch(party["customs_code"]):
            return _error("dxp_id is 1–16 characters without spaces; customs_code 1–18 letters or digits")
        if len(party["name"]) > 100 or not re.fullmatch(r"https?://\S{1,500}", party["receipt_url"]):
            return _error("name is at most 100 characters; receipt_url an http(s) URL")
        try:
            der = base64.b64decode("".join(party["certificate"].split()), validate=True)
            info = ceb.certificate_info(der)
        except (binascii.Error, ValueError) as exc:
            return _error(f"certificate: base64 of an X.509 certificate (DER) expected: {exc}")
        if info.key_algorithm != "sm2":
            return _error(f"only SM2 certificates can be filed, not {info.key_algorithm}")
        if info.customs_code and info.customs_code != party["customs_code"]:
            return _error(f"the certificate is for customs code {info.customs_code}, not {party['customs_code']}")
        await run_in_threadpool(self.store.register, {**party, "certificate": der, "fingerprint": info.fingerprint})
        return JSONResponse({"registered": True, "dxp_id": party["dxp_id"], "customs_code": party["customs_code"],
                             "fingerprint": info.fingerprint})

    async def receive(self, request: Request) -> Response:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_ENVELOPE:
            return _error("the envelope is too large", 413)
        body = await request.body()
        if len(body) > MAX_ENVELOPE:
            return _error("the envelope is too large", 413)
        status, answer = await run_in_threadpool(self._receive, body)
        if status == 202 and not answer.get("duplicate"):
            self.processor.wake()
        return JSONResponse(answer, status)

    def _receive(self, body: bytes) -> tuple[int, dict[str, Any]]:
        try:
            envelope = ceb.unwrap(body)
        except ceb.CustomsWireError as exc:
            return 400, {"error": f"not a DXP envelope: {exc}"}
        if self.config.dxp_id not in envelope.receiver_ids:
            return 400, {"error": f"ReceiverIds does not name the single window ({self.config.dxp_id})"}
        if not self.store.is_registered(envelope.sender_id):
            return 403, {"error": f"SenderId {envelope.sender_id} has filed no party: POST /v1/parties first"}
        cop_msg_id, new = self.store.receive({
            "cop_msg_id": envelope.cop_msg_id, "sender_id": envelope.sender_id,
            "msg_type": envelope.msg_type, "data": envelope.data,
        }, _root_guid(envelope.data))
        return 202, {"status": "received", "cop_msg_id": cop_msg_id, **({} if new else {"duplicate": True})}

    async def held_for_order(self, request: Request) -> Response:
        order_no = request.query_params.get("order_no", "")
        if not _ORDER_NO.fullmatch(order_no):
            return _error("order_no is required")
        rows = await run_in_threadpool(self.store.held_for_order, order_no)
        return JSONResponse([{
            "msg_type": row["msg_type"], "guid": row["message_guid"], "received_at": row["received_at"],
            "status": row["status"], "info": row["info"], "xml": bytes(row["data"]).decode("utf-8", "replace"),
            "cop_msg_id": row["cop_msg_id"], "sender_id": row["sender_id"], "position": row["position"],
            "pre_no": row["pre_no"], "invt_no": row["invt_no"], "receipts": _receipts(row["history"]),
        } for row in rows])

    async def held_message(self, request: Request) -> Response:
        found = await run_in_threadpool(self.store.held_message, request.path_params["guid"])
        if found is None:
            return _error("no message with that guid", 404)
        documents = found["documents"]
        status = found["status"] or ceb.ReturnStatus.DECLARING
        if len(documents) == 1:
            status = documents[0]["status"]
        return JSONResponse({
            "msg_type": found["msg_type"], "guid": found["guid"], "received_at": found["received_at"],
            "cop_msg_id": found["cop_msg_id"], "sender_id": found["sender_id"], "state": found["state"],
            "status": status, "info": found["info"] or (documents[0]["info"] if len(documents) == 1 else ""),
            "xml": bytes(found["data"]).decode("utf-8", "replace"),
            "documents": [{"position": d["position"], "order_no": d["order_no"], "status": d["status"],
                           "info": d["info"], "pre_no": d["pre_no"], "invt_no": d["invt_no"],
                           "receipts": _receipts(d["history"])} for d in documents],
            "receipts": _receipts(found["receipts"]),
        })

    async def add_rule(self, request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return _error("the body must be JSON")
        if not isinstance(body, dict):
            return _error("the body must be a JSON object")
        order_no = body.get("order_no")
        msg_type = body.get("msg_type", "CEB621Message")
        action = body.get("action", "reject")
        reason = body.get("reason") or "sandbox rule: rejected on request"
        if not isinstance(order_no, str) or not _ORDER_NO.fullmatch(order_no):
            return _error("order_no is required")
        if msg_type not in RULE_TYPES:
            return _error(f"msg_type is one of {', '.join(RULE_TYPES)}")
        if action not in ("reject", "review", "inspect") or (action != "reject" and msg_type != "CEB621Message"):
            return _error("action is reject, or review / inspect for a CEB621Message")
        if not isinstance(reason, str) or len(reason) > 900:
            return _error("reason is text of at most 900 characters")
        rule_id = await run_in_threadpool(self.store.add_rule, order_no, msg_type, action, reason)
        return JSONResponse({"rule_id": rule_id, "order_no": order_no, "msg_type": msg_type, "action": action,
                             "reason": reason})


def _receipts(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"msg_type": r["msg_type"], "status": r["status"], "info": r["info"], "at": r["created_at"],
             "delivery": r["state"]} for r in history]


def _root_guid(data: bytes) -> str | None:
    try:
        guid = parse_xml(data).get("guid")
    except ceb.CustomsWireError:
        return None
    return guid if guid and len(guid) <= 64 else None


async def healthz(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def create_app(
    data_dir: Path,
    *,
    xsd_dir: Path | None = None,
    step_delay_s: float | None = None,
    review_rate: float | None = None,
    inspection_rate: float | None = None,
    match_wait_s: float | None = None,
    match_poll_s: float = 5.0,
    seed: int | None = None,
    receipt_backoff_s: Sequence[float] | None = None,
    receipt_timeout_s: float = 5.0,
    dxp_id: str | None = None,
    return_days: int = 30,
) -> Starlette:
    config = WindowConfig(
        dxp_id=_setting(dxp_id, "LIVEPORT_CUSTOMS_RECEIVER_ID", WindowConfig.dxp_id, str),
        xsd_dir=_setting(xsd_dir, "LIVEPORT_CUSTOMS_XSD_DIR", None, Path),
        step_delay_s=_setting(step_delay_s, ENV + "STEP_DELAY_S", WindowConfig.step_delay_s),
        review_rate=_setting(review_rate, ENV + "REVIEW_RATE", WindowConfig.review_rate),
        inspection_rate=_setting(inspection_rate, ENV + "INSPECTION_RATE", WindowConfig.inspection_rate),
        match_wait_s=_setting(match_wait_s, ENV + "MATCH_WAIT_S", WindowConfig.match_wait_s),
        match_poll_s=match_poll_s,
        return_days=return_days,
        seed=_setting(seed, ENV + "SEED", WindowConfig.seed, int),
    )
    if not (0 <= config.review_rate and 0 <= config.inspection_rate and config.review_rate + config.inspection_rate <= 1):
        raise ValueError("review_rate and inspection_rate are shares between 0 and 1, together at most 1")
    if config.xsd_dir is not None and not (config.xsd_dir / "ceb-import.xsd").is_file():
        raise ValueError(f"{config.xsd_dir} holds no ceb-import.xsd")
    if not _DXP_ID.fullmatch(config.dxp_id):
        raise ValueError("the window's DXP id is 1–16 characters without spaces")
    backoff = receipt_backoff_s or tuple(
        float(part) for part in os.environ.get(ENV + "BACKOFF_S", "").split(",") if part.strip()
    ) or DEFAULT_BACKOFF_S
    store = CustomsStore(Path(data_dir) / "customs" / "single_window.sqlite3")
    sender = ReceiptSender(store, backoff, receipt_timeout_s)
    processor = Processor(store, config, sender.wake)
    window = Window(store, config, processor)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        processor.close()  # only when served alone: a mount's lifespan is its parent's
        sender.close()

    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/v1/parties", window.register, methods=["POST"]),
            Route("/v1/messages", window.receive, methods=["POST"]),
            Route("/v1/messages", window.held_for_order, methods=["GET"]),
            Route("/v1/messages/{guid}", window.held_message, methods=["GET"]),
            Route("/v1/sandbox/rules", window.add_rule, methods=["POST"]),
        ],
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.config = config
    app.state.processor = processor
    app.state.sender = sender
    if store.next_job_at() is not None:
        processor.wake()  # work left by the last run
    if store.next_receipt_at() is not None:
        sender.wake()
    return app
