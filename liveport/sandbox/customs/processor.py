"""What happens to a message after the window said 202, in order:

1. Format: the official XSD (when configured) or the own structural checks; the envelope's
   MsgType must be the message's root. A failure → CEB900 (returnStatus -1, the problems).
2. Signature: required on 621/623/625 (the schema already insists), checked when present on
   311/411/511. It must verify with a certificate filed here (POST /v1/parties) for the
   company the node names as its sender (ebpCode / payCode / logisticsCode / agentCode).
   Altered, damaged, foreign or unverifiable (the official samples' RSA) → 100 with the reason.
3. Business: 311/411/511 → 2 then 120 (or 100: duplicate, nothing to change, a failure rule,
   a list already with customs); 621 → the three-document match (inventory.py); 623 / 625.

Each job (process a message, match a list, move a list on) is one transaction.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any

from lxml import etree

from liveport.protocols import customs as ceb
from liveport.sandbox.customs import inventory
from liveport.sandbox.customs.desk import IN_CUSTOMS, Desk, WindowConfig
from liveport.sandbox.customs.documents import ACCEPTED_TYPES, SENDER_FIELD, NodeFacts, facts
from liveport.sandbox.customs.pump import Pump
from liveport.sandbox.customs.store import CustomsStore

log = logging.getLogger("liveport.sandbox.customs")
SIGNATURE_REQUIRED = ("CEB621Message", "CEB623Message", "CEB625Message")
RETRY_FAILED_JOB_S = 5.0
CEB_NS = "http://www.chinaport.gov.cn/ceb"


class Processor:
    def __init__(self, store: CustomsStore, config: WindowConfig, on_receipts: Callable[[], None]) -> None:
        self.store = store
        self.config = config
        self.on_receipts = on_receipts
        self.rng = random.Random(config.seed)  # used by the pump's thread only
        self.pump = Pump("sandbox-customs-window", self._step)

    def wake(self) -> None:
        self.pump.wake()

    def close(self) -> None:
        self.pump.close()

    def _step(self) -> float | None:
        while not self.pump.stopping:
            made, job = 0, None
            try:
                with self.store.transaction() as conn:
                    job = self.store.due_job(conn, time.time())
                    if job is None:
                        break
                    desk = Desk(self.store, conn, self.config)
                    self._handle(desk, job)
                    made = desk.receipts_made
            except Exception:  # one bad job must not stop the others
                if job is None:
                    raise
                log.exception("customs job %s failed; trying again in %ss", job, RETRY_FAILED_JOB_S)
                with self.store.transaction() as conn:
                    self.store.finish_job(conn, job["job_id"], time.time() + RETRY_FAILED_JOB_S)
            if made:
                self.on_receipts()
        return self.store.next_job_at()

    def _handle(self, desk: Desk, job: dict[str, Any]) -> None:
        again_at: float | None = None
        if job["kind"] == "process":
            msg = self.store.message(desk.conn, job["ref"])
            if msg["state"] == "received":
                self._process(desk, msg)
        else:
            doc = self.store.document(desk.conn, job["ref"])
            if doc is not None and job["kind"] == "match":
                again_at = inventory.match(desk, doc, job["arg"], self.rng)
            elif doc is not None and job["kind"] == "step":
                inventory.step(desk, doc, job["arg"])
        self.store.finish_job(desk.conn, job["job_id"], again_at)

    # -- one message ----------------------------------------------------------------------------

    def _process(self, desk: Desk, msg: dict[str, Any]) -> None:
        data = bytes(msg["data"])
        try:
            kind = ceb.validate(data, self.config.xsd_dir)
            if kind != msg["msg_type"]:
                raise _format_error(f"/{kind}", f"the envelope's MsgType {msg['msg_type']} is not the message's root")
            if kind not in ACCEPTED_TYPES:
                raise _format_error(f"/{kind}", "not a message the single window takes (CEB311/411/511/621/623/625)")
            message = ceb.from_bytes(data)
        except ceb.CustomsWireError as exc:
            self._format_failure(desk, msg, exc)
            return
        signer_codes, refusal = self._signature(desk, data, kind)
        statuses = []
        for position, node in enumerate(facts(message)):
            doc_id = self.store.add_document(desk.conn, node.row(msg["msg_id"], kind, position))
            doc = self.store.document(desk.conn, doc_id)
            assert doc is not None
            reason = refusal or _signer_problem(kind, node, signer_codes)
            if reason is not None:
                desk.settle(doc, "100", reason)
            elif kind == "CEB621Message":
                inventory.declare(desk, doc, node)
            elif kind == "CEB623Message":
                inventory.cancel(desk, doc, node)
            elif kind == "CEB625Message":
                inventory.give_back(desk, doc, node)
            else:
                self._declare(desk, doc, node)
            statuses.append(doc["status"])
        self.store.settle_message(desk.conn, msg["msg_id"], statuses[0] if len(set(statuses)) == 1 else "mixed", "")

    def _format_failure(self, desk: Desk, msg: dict[str, Any], exc: ceb.CustomsWireError) -> None:
        problems = "; ".join(str(p) for p in exc.problems) if isinstance(exc, ceb.CustomsSchemaError) else str(exc)
        desk.emit_format_failure(msg, problems)
        # Shown under the order numbers it names, when any can be read.
        for position, order_no in enumerate(_order_numbers(bytes(msg["data"]))):
            self.store.add_document(desk.conn, {
                "msg_id": msg["msg_id"], "msg_type": msg["msg_type"][:30], "position": position,
                "order_no": order_no, "status": ceb.ReturnStatus.FORMAT_ERROR, "info": problems,
            })
        self.store.settle_message(desk.conn, msg["msg_id"], ceb.ReturnStatus.FORMAT_ERROR, problems)

    def _signature(self, desk: Desk, data: bytes, kind: str) -> tuple[set[str] | None, str | None]:
        """(customs codes the signer's certificate is filed for, or None when unsigned;
        the reason to refuse every node, or None)."""
        filed = self.store.certificates(desk.conn)
        try:
            signer = ceb.verify(data, trusted_certs=[der for der, _ in filed.values()])
        except ceb.SignatureMissing:
            if kind in SIGNATURE_REQUIRED:
                return None, "签名缺失 the message is not signed: CEB621/623/625 must be"
            return None, None
        except ceb.SignatureUnverifiable as exc:
            return None, f"签名无法验证 not signed by a filed certificate: {exc}"
        except ceb.UntrustedCertificate as exc:
            return None, f"证书未备案 not signed by a filed certificate: {exc}"
        except ceb.SignatureError as exc:
            return None, f"签名验证失败 the signature does not hold: {exc}"
        return filed[signer.fingerprint][1], None

    # -- 311 / 411 / 511 -------------------------------------------------------------------------

    def _declare(self, desk: Desk, doc: dict[str, Any], node: NodeFacts) -> None:
        kind = doc["msg_type"]
        what = {"CEB311Message": "order", "CEB411Message": "payment", "CEB511Message": "waybill"}[kind]
        rule = self.store.take_rule(desk.conn, node.order_no, kind)
        if rule is not None:
            desk.settle(doc, "100", rule["reason"])
            return
        current = desk.current(kind, "key_a = ? AND key_b = ? AND doc_id != ?", (node.key_a, node.key_b, doc["doc_id"]))
        label = f"{what} {node.key_b}"
        if node.app_type != ceb.APP_TYPE_NEW:
            held = self.store.find(desk.conn, "msg_type = 'CEB621Message' AND order_no = ? AND active = 1"
                                   f" AND status IN ({', '.join(repr(s) for s in (*IN_CUSTOMS, '800'))})",
                                   (node.order_no,))
            if held:
                desk.settle(doc, "100", f"the inventory list of order {node.order_no} is with customs"
                            f" (status {held[0]['status']}): the {what} can no longer change")
                return
            if current is None:
                desk.settle(doc, "100", f"no declared {label} to change or delete (appType {node.app_type})")
                return
            self.store.update_document(desk.conn, current["doc_id"], active=0)
        elif current is not None:
            desk.settle(doc, "100", f"重复申报 duplicate: {label} is already declared; change it with appType 2")
            return
        desk.emit(doc, ceb.ReturnStatus.DECLARING, "申报中 declaring")
        deleted = node.app_type == ceb.APP_TYPE_DELETE
        desk.settle(doc, "120", "删除成功 deleted" if deleted else "入库成功 accepted", active=0 if deleted else 1)
        self.store.hurry_matches(desk.conn, node.order_no, time.time())


def _signer_problem(kind: str, node: NodeFacts, signer_codes: set[str] | None) -> str | None:
    if signer_codes is None or node.sender_code in signer_codes:
        return None
    return (f"证书与企业不符 {SENDER_FIELD[kind]} {node.sender_code} did not sign this: the certificate is filed"
            f" for {', '.join(sorted(signer_codes))}")


def _format_error(path: str, rule: str) -> ceb.CustomsSchemaError:
    return ceb.CustomsSchemaError([ceb.Problem(path, rule)], "own")


def _order_numbers(data: bytes) -> list[str]:
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, recover=True))
    except (etree.XMLSyntaxError, ValueError):
        return []
    if root is None:
        return []
    numbers = [(e.text or "").strip() for e in root.iter(f"{{{CEB_NS}}}orderNo")]
    return list(dict.fromkeys(n for n in numbers if 0 < len(n) <= 60))
