"""Receipts from the single window: CEB312, 412, 512, 622, 624, 626.

``return_status`` is the code as text (it may be negative for processing errors);
``return_time`` is ``YYYYMMDDhhmmssSSS`` (formats.return_time). CEB900 answers a message
that failed the format check (negative status) and names it by ``ori_cop_msg_id`` (the DXP
CopMsgId it travelled under), ``ori_message_type`` and ``ori_biz_message`` (its text). Order, payment and waybill
receipts are keyed like their message (orderNo + ebpCode, payCode + payTransactionId,
logisticsCode + logisticsNo); inventory, cancel and return receipts by ``copNo`` (the
enterprise's number, so send one on the 621) and the single window's ``preNo``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from liveport.protocols.customs.formats import VERSION, new_guid

_frozen = dataclass(frozen=True, kw_only=True, slots=True)


class ReturnStatus:
    """Status codes of cross-border.md §6 (312/412/512 use 2, 3, 4, 100, 120 only)."""

    DRAFT = "1"
    DECLARING = "2"
    SENT_TO_CUSTOMS = "3"
    SEND_FAILED = "4"
    REJECTED = "100"  # 退单
    ACCEPTED = "120"  # 入库
    MANUAL_REVIEW = "300"
    REVIEWED = "399"
    INSPECTION = "500"  # 501–599: detained
    RETURNED = "700"
    RELEASED = "800"  # 放行
    CLOSED = "899"
    FORMAT_ERROR = "-1"  # CEB900: the message failed the schema (format) check


@_frozen
class OrderReturn:
    guid: str = field(default_factory=new_guid)
    ebp_code: str
    ebc_code: str
    order_no: str
    return_status: str
    return_time: str
    return_info: str


@_frozen
class PaymentReturn:
    guid: str = field(default_factory=new_guid)
    pay_code: str
    pay_transaction_id: str
    return_status: str
    return_time: str
    return_info: str


@_frozen
class LogisticsReturn:
    guid: str = field(default_factory=new_guid)
    logistics_code: str
    logistics_no: str
    return_status: str
    return_time: str
    return_info: str


@_frozen
class InventoryReturn:
    guid: str = field(default_factory=new_guid)
    customs_code: str | None = None
    ebp_code: str | None = None
    ebc_code: str | None = None
    agent_code: str | None = None
    cop_no: str
    pre_no: str  # 18 characters, the single window's number
    invt_no: str | None = None  # 18 characters, once customs accepted the list
    return_status: str
    return_time: str
    return_info: str


@_frozen
class InvtCancelReturn:
    guid: str = field(default_factory=new_guid)
    customs_code: str | None = None
    agent_code: str | None = None
    ebp_code: str | None = None
    ebc_code: str | None = None
    cop_no: str
    pre_no: str
    invt_no: str | None = None
    return_status: str
    return_time: str
    return_info: str


@_frozen
class InvtRefundReturn:
    guid: str = field(default_factory=new_guid)
    customs_code: str | None = None
    agent_code: str | None = None
    ebp_code: str | None = None
    ebc_code: str | None = None
    cop_no: str
    pre_no: str
    invt_no: str | None = None
    return_status: str
    return_time: str
    return_info: str


@_frozen
class CEB312Message:
    guid: str = field(default_factory=new_guid)
    version: str = VERSION
    returns: tuple[OrderReturn, ...]


@_frozen
class CEB412Message:
    guid: str = field(default_factory=new_guid)
    version: str = VERSION
    returns: tuple[PaymentReturn, ...]


@_frozen
class CEB512Message:
    guid: str = field(default_factory=new_guid)
    version: str = VERSION
    returns: tuple[LogisticsReturn, ...]


@_frozen
class CEB622Message:
    guid: str = field(default_factory=new_guid)
    version: str = VERSION
    returns: tuple[InventoryReturn, ...]


@_frozen
class CEB624Message:
    guid: str = field(default_factory=new_guid)
    version: str = VERSION
    returns: tuple[InvtCancelReturn, ...]


@_frozen
class CEB626Message:
    guid: str = field(default_factory=new_guid)
    version: str = VERSION
    returns: tuple[InvtRefundReturn, ...]


@_frozen
class MessageReturn:
    guid: str = field(default_factory=new_guid)
    return_status: str
    return_info: str
    return_time: str
    ori_cop_msg_id: str
    ori_message_type: str  # "CEB311Message"..., "Unknown" when unreadable
    ori_biz_message: str


@_frozen
class CEB900Message:
    """Exactly one MessageReturn (the schema allows no more)."""

    guid: str = field(default_factory=new_guid)
    version: str = VERSION
    returns: tuple[MessageReturn, ...]
