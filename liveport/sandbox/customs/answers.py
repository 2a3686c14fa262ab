"""The receipts the single window writes (312/412/512/622/624/626 and the CEB900 format
receipt), each in its own DXP envelope addressed to the message's sender. One receipt
answers one business node; ``returnInfo`` is cut to the schema's length."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from liveport.protocols import customs as ceb

RETURN_INFO_MAX = 1000
FORMAT_INFO_MAX = 5000


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def receipt(msg_type: str, keys: dict[str, Any], status: str, info: str, now: datetime) -> object:
    """``msg_type`` is the receipt's (CEB312Message...); ``keys`` the document's receipt keys
    plus cop_no / pre_no / invt_no for the inventory family."""
    common = {"return_status": status, "return_time": ceb.return_time(now),
              "return_info": _clip(info, RETURN_INFO_MAX) or "-"}
    if msg_type == "CEB312Message":
        node = ceb.OrderReturn(ebp_code=keys["ebp_code"], ebc_code=keys["ebc_code"], order_no=keys["order_no"], **common)
        return ceb.CEB312Message(returns=(node,))
    if msg_type == "CEB412Message":
        node = ceb.PaymentReturn(pay_code=keys["pay_code"], pay_transaction_id=keys["pay_transaction_id"], **common)
        return ceb.CEB412Message(returns=(node,))
    if msg_type == "CEB512Message":
        node = ceb.LogisticsReturn(logistics_code=keys["logistics_code"], logistics_no=keys["logistics_no"], **common)
        return ceb.CEB512Message(returns=(node,))
    invt = {
        "customs_code": keys.get("customs_code"), "ebp_code": keys.get("ebp_code"), "ebc_code": keys.get("ebc_code"),
        "agent_code": keys.get("agent_code"), "cop_no": keys["cop_no"], "pre_no": keys["pre_no"],
        "invt_no": keys.get("invt_no"), **common,
    }
    if msg_type == "CEB622Message":
        return ceb.CEB622Message(returns=(ceb.InventoryReturn(**invt),))
    if msg_type == "CEB624Message":
        return ceb.CEB624Message(returns=(ceb.InvtCancelReturn(**invt),))
    if msg_type == "CEB626Message":
        return ceb.CEB626Message(returns=(ceb.InvtRefundReturn(**invt),))
    raise ValueError(f"no receipt of type {msg_type}")


def format_receipt(problems: str, cop_msg_id: str, original_type: str, original: bytes, now: datetime) -> object:
    """CEB900 for a message that failed the format (schema) check; it carries the original
    message's text so that the sender can tell which one it was."""
    try:
        text = original.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    node = ceb.MessageReturn(
        return_status=ceb.ReturnStatus.FORMAT_ERROR, return_info=_clip(problems, FORMAT_INFO_MAX),
        return_time=ceb.return_time(now), ori_cop_msg_id=cop_msg_id[:255],
        ori_message_type=original_type if len(original_type) <= 15 else "Unknown",
        ori_biz_message=_printable(text),
    )
    return ceb.CEB900Message(returns=(node,))


def _printable(text: str) -> str:
    """XML 1.0 text cannot hold most control characters; the original keeps its meaning."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)


def envelope(message: object, *, sender_id: str, receiver_id: str) -> bytes:
    data = ceb.to_bytes(message)
    return ceb.wrap(data, sender_id=sender_id, receiver_ids=receiver_id)
