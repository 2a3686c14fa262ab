"""What the single window reads off each business node: its keys, who must have signed it,
and the fields its receipt repeats. Plain functions over the protocol's dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from liveport.protocols import customs as ceb

ACCEPTED_TYPES = ("CEB311Message", "CEB411Message", "CEB511Message", "CEB621Message", "CEB623Message",
                  "CEB625Message")
RECEIPT_TYPE = {
    "CEB311Message": "CEB312Message",
    "CEB411Message": "CEB412Message",
    "CEB511Message": "CEB512Message",
    "CEB621Message": "CEB622Message",
    "CEB623Message": "CEB624Message",
    "CEB625Message": "CEB626Message",
}
# The element naming the company that must have signed the node (cross-border.md §6).
SENDER_FIELD = {
    "CEB311Message": "ebpCode",
    "CEB411Message": "payCode",
    "CEB511Message": "logisticsCode",
    "CEB621Message": "agentCode",
    "CEB623Message": "agentCode",
    "CEB625Message": "agentCode",
}


@dataclass(frozen=True, slots=True)
class NodeFacts:
    node: Any  # the head dataclass (OrderHead, Payment, ...)
    item: Any  # the node as the message holds it (Order with lines, Payment, ...)
    app_type: str
    order_no: str
    ebp_code: str
    key_a: str  # with key_b: what makes a duplicate, and what the receipt names
    key_b: str
    sender_code: str
    logistics_code: str = ""
    logistics_no: str = ""
    cop_no: str | None = None

    def row(self, msg_id: int, msg_type: str, position: int) -> dict[str, Any]:
        return {
            "msg_id": msg_id, "msg_type": msg_type, "position": position, "app_type": self.app_type,
            "order_no": self.order_no, "ebp_code": self.ebp_code, "key_a": self.key_a, "key_b": self.key_b,
            "logistics_code": self.logistics_code, "logistics_no": self.logistics_no, "cop_no": self.cop_no,
            "receipt_keys": receipt_keys(self.node), "status": "2", "active": 0,
        }


def items_of(message: object) -> tuple[Any, ...]:
    for name in ("orders", "payments", "logistics", "inventories", "cancels", "refunds"):
        if hasattr(message, name):
            return getattr(message, name)
    return ()


def facts(message: object) -> list[NodeFacts]:
    found = []
    for item in items_of(message):
        head = getattr(item, "head", item)
        if isinstance(message, ceb.CEB311Message):
            keys, sender, logistics = (head.ebp_code, head.order_no), head.ebp_code, ("", "")
        elif isinstance(message, ceb.CEB411Message):
            keys, sender, logistics = (head.pay_code, head.pay_transaction_id), head.pay_code, ("", "")
        elif isinstance(message, ceb.CEB511Message):
            keys = (head.logistics_code, head.logistics_no)
            sender, logistics = head.logistics_code, keys
        else:  # 621, 623, 625
            keys = (head.ebp_code, head.order_no)
            sender, logistics = head.agent_code, (head.logistics_code, head.logistics_no)
        found.append(NodeFacts(
            node=head, item=item, app_type=head.app_type, order_no=head.order_no,
            ebp_code=getattr(head, "ebp_code", ""), key_a=keys[0], key_b=keys[1], sender_code=sender,
            logistics_code=logistics[0], logistics_no=logistics[1],
            cop_no=getattr(head, "cop_no", None) or (head.order_no[:20] if hasattr(head, "cop_no") else None),
        ))
    return found


def receipt_keys(head: Any) -> dict[str, str]:
    """The fields a receipt repeats from the node it answers."""
    names = ("ebp_code", "ebc_code", "order_no", "pay_code", "pay_transaction_id", "logistics_code",
             "logistics_no", "customs_code", "agent_code", "invt_no")
    return {name: getattr(head, name) for name in names if getattr(head, name, None)}
