"""The inventory list's life at the window (CEB621 → 622, 623 → 624, 625 → 626).

A new list waits (status 2, no receipt) until the window holds an accepted order (orderNo +
ebpCode), payment (orderNo + ebpCode) and waybill (logisticsNo + logisticsCode) for it, at
most ``match_wait_s``; then the three-document match (matching.py) decides: 100 with every
reason, or 120 with the list's invtNo, then — a step every ``step_delay_s`` — 300 (manual
review) or 500 (inspection) at the configured rates, 399 (reviewed), 800 (released).
A cancellation (623) is taken while the list is not released, and closes it (899, no further
622); a return (625) only for a released list, within ``return_days``, for lines and
quantities the list had.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from liveport.sandbox.customs.desk import IN_CUSTOMS, Desk
from liveport.sandbox.customs.documents import NodeFacts
from liveport.sandbox.customs.matching import mismatches

PREVIOUS = {"300": ("120",), "500": ("120",), "399": ("120", "300", "500"), "800": ("399",)}
NEXT = {"300": "399", "500": "399", "399": "800"}
STEP_INFO = {
    "300": "人工审核 manual review",
    "500": "查验 inspection",
    "399": "审结 reviewed",
    "800": "放行 released",
}
FORCED_STEP = {"review": "300", "inspect": "500"}


def declare(desk: Desk, doc: dict[str, Any], node: NodeFacts) -> None:
    pre_no = desk.pre_no(doc["doc_id"])
    rule = desk.store.take_rule(desk.conn, node.order_no, "CEB621Message")
    if rule is not None and rule["action"] == "reject":
        desk.settle(doc, "100", rule["reason"], pre_no=pre_no)
        return
    if node.app_type != "1":
        desk.settle(doc, "100", "the window takes new inventory lists only (appType 1): cancel with CEB623"
                    " and declare it anew", pre_no=pre_no)
        return
    existing = desk.store.find(desk.conn, "msg_type = 'CEB621Message' AND key_a = ? AND key_b = ? AND active = 1"
                               " AND doc_id != ?", (node.key_a, node.key_b, doc["doc_id"]))
    if existing:
        desk.settle(doc, "100", f"重复申报 duplicate: the inventory list of order {node.order_no} is already"
                    f" declared (status {existing[0]['status']})", pre_no=pre_no)
        return
    now = time.time()
    desk.settle(doc, "2", "等待三单对碰 waiting for the order, payment and waybill", notify=False, active=1,
                pre_no=pre_no, deadline=now + desk.config.match_wait_s)
    desk.store.schedule(desk.conn, "match", doc["doc_id"], now, arg=rule["action"] if rule else "")


def match(desk: Desk, doc: dict[str, Any], forced: str, rng: random.Random) -> float | None:
    """None when the list is decided; else when to look again."""
    if doc["status"] != "2" or not doc["active"]:
        return None
    listed = desk.item(doc)
    head = listed.head
    wanted = (
        ("CEB311Message", f"order (CEB311 orderNo {head.order_no}, ebpCode {head.ebp_code})",
         "key_a = ? AND key_b = ?", (head.ebp_code, head.order_no)),
        ("CEB411Message", f"payment (CEB411 orderNo {head.order_no}, ebpCode {head.ebp_code})",
         "order_no = ? AND ebp_code = ?", (head.order_no, head.ebp_code)),
        ("CEB511Message", f"waybill (CEB511 logisticsNo {head.logistics_no}, logisticsCode {head.logistics_code})",
         "key_a = ? AND key_b = ?", (head.logistics_code, head.logistics_no)),
    )
    found, missing = [], []
    for msg_type, label, where, params in wanted:
        current = desk.current(msg_type, where, params)
        found.append(current)
        if current is None:
            refused = desk.last_refusal(msg_type, where, params)
            missing.append(label + (f" — the last one was refused: {refused}" if refused else ""))
    now = time.time()
    if missing:
        if now < doc["deadline"]:
            return min(now + desk.config.match_poll_s, doc["deadline"])
        desk.settle(doc, "100", f"三单对碰失败 not matched: after {desk.config.match_wait_s:g} s the window holds no"
                    f" accepted {'; no accepted '.join(missing)}", active=0)
        return None
    order, payment, waybill = (desk.item(d) for d in found)
    reasons = mismatches(order, payment, waybill, listed)
    if reasons:
        desk.settle(doc, "100", "三单对碰失败 not matched: " + "; ".join(reasons), active=0)
        return None
    desk.settle(doc, "120", "入库成功 accepted: order, payment and waybill match",
                invt_no=desk.invt_no(head.customs_code, doc["doc_id"]))
    desk.store.schedule(desk.conn, "step", doc["doc_id"], now + desk.config.step_delay_s,
                        arg=_first_step(forced, rng, desk))
    return None


def _first_step(forced: str, rng: random.Random, desk: Desk) -> str:
    if forced in FORCED_STEP:
        return FORCED_STEP[forced]
    roll = rng.random()
    if roll < desk.config.inspection_rate:
        return "500"
    if roll < desk.config.inspection_rate + desk.config.review_rate:
        return "300"
    return "399"


def step(desk: Desk, doc: dict[str, Any], target: str) -> None:
    if not doc["active"] or doc["status"] not in PREVIOUS.get(target, ()):
        return  # cancelled meanwhile, or a step already taken
    released = {"released_at": datetime.now(UTC).isoformat()} if target == "800" else {}
    desk.settle(doc, target, STEP_INFO[target], **released)
    if target in NEXT:
        desk.store.schedule(desk.conn, "step", doc["doc_id"], time.time() + desk.config.step_delay_s,
                            arg=NEXT[target])


# -- 623 cancel, 625 return ---------------------------------------------------------------------

def _list_for(desk: Desk, node: NodeFacts) -> dict[str, Any] | None:
    head = node.node
    found = desk.store.find(desk.conn, "msg_type = 'CEB621Message' AND invt_no = ?", (head.invt_no,))
    if not found and head.cop_no:  # a list still waiting for its match has no invtNo yet
        found = desk.store.find(desk.conn, "msg_type = 'CEB621Message' AND cop_no = ? AND order_no = ?"
                                " AND ebp_code = ?", (head.cop_no, head.order_no, head.ebp_code))
    return found[0] if found else None


def _problem_with_list(target: dict[str, Any] | None, node: NodeFacts) -> str | None:
    head = node.node
    if target is None:
        return f"no inventory list with invtNo {head.invt_no} (copNo {head.cop_no}) for order {head.order_no}"
    if (target["order_no"], target["ebp_code"]) != (head.order_no, head.ebp_code):
        return f"inventory list {head.invt_no} is not of order {head.order_no} (ebpCode {head.ebp_code})"
    return None


def cancel(desk: Desk, doc: dict[str, Any], node: NodeFacts) -> None:
    target = _list_for(desk, node)
    numbers = {"pre_no": desk.pre_no(doc["doc_id"]),
               "invt_no": (target or {}).get("invt_no") or node.node.invt_no}
    problem = _problem_with_list(target, node)
    if problem is None and target["status"] == "800":
        problem = "the inventory list was released: declare a return (CEB625) instead"
    elif problem is None and not (target["active"] and target["status"] in ("2", *IN_CUSTOMS)):
        problem = f"the inventory list cannot be cancelled: it was rejected or cancelled (status {target['status']})"
    if problem is not None:
        desk.settle(doc, "100", problem, **numbers)
        return
    desk.settle(target, "899", f"撤销 cancelled by CEB623: {node.node.reason}", notify=False, active=0)
    desk.settle(doc, "120", "撤销成功 cancellation accepted: the inventory list is cancelled", **numbers)


def give_back(desk: Desk, doc: dict[str, Any], node: NodeFacts) -> None:
    target = _list_for(desk, node)
    invt_no = (target or {}).get("invt_no") or node.node.invt_no
    numbers = {"pre_no": desk.pre_no(doc["doc_id"]), "invt_no": invt_no}
    problem = _problem_with_list(target, node)
    if problem is None and target["status"] != "800":
        problem = f"the inventory list is not released (status {target['status']}): cancel it (CEB623) instead"
    if problem is None:
        closes = datetime.fromisoformat(target["released_at"]) + timedelta(days=desk.config.return_days)
        if datetime.now(UTC) > closes:
            problem = f"returns close {desk.config.return_days} days after release ({closes:%Y-%m-%d})"
    if problem is None and desk.store.find(desk.conn, "msg_type = 'CEB625Message' AND invt_no = ? AND status = '120'",
                                           (invt_no,)):
        problem = f"重复申报 duplicate: a return of inventory list {invt_no} is already accepted"
    if problem is None:
        problem = _line_problems(desk.item(target).lines, node.item.lines, invt_no)
    if problem is not None:
        desk.settle(doc, "100", problem, **numbers)
        return
    desk.settle(doc, "120", "退货申请通过 return accepted", **numbers)


def _line_problems(listed: tuple[Any, ...], returned: tuple[Any, ...], invt_no: str) -> str | None:
    by_gnum = {line.gnum: line for line in listed}
    reasons = []
    for line in returned:
        original = by_gnum.get(line.gnum)
        if original is None:
            reasons.append(f"line gnum {line.gnum} is not on inventory list {invt_no}")
        elif original.gcode != line.gcode:
            reasons.append(f"line {line.gnum}: gcode {line.gcode}, the list has {original.gcode}")
        elif line.qty > original.qty:
            reasons.append(f"line {line.gnum}: {line.qty} returned, the list has {original.qty}")
    return "; ".join(reasons) or None
