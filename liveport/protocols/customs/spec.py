"""The standard's element tables, written from ceb-import.xsd (2022-05) and its annotations.

One table per node, in the schema's element order, with the schema's facets (required,
lengths, number kinds) and the formats and codes that the annotations and
cross-border.md §6–7 state but the schema leaves to prose (dates, enumerations, code
shapes). The builders, the parsers and the own structural checks all read these tables, so
element order and names are written once. Every element maps to the dataclass attribute of
the same name in snake case (``acturalPaid`` → ``actural_paid``; the standard's spelling is
kept).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from liveport.protocols.customs.formats import snake

TEXT, AMOUNT, DECIMAL, INT = "text", "amount", "decimal", "int"
SIGNATURE_REQUIRED, SIGNATURE_OPTIONAL, NO_SIGNATURE = "required", "optional", "none"
MAX_NODES = 100  # business nodes per message
MAX_LINES = 99  # goods lines per business node
MAX_SUBSCRIBE = 5


@dataclass(frozen=True, slots=True)
class Rule:
    """A format the standard states in words; ``check`` gets the element's text."""

    description: str
    check: Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class Leaf:
    name: str
    kind: str = TEXT
    required: bool = True
    min_len: int = 0
    max_len: int | None = None
    rule: Rule | None = None

    @property
    def attr(self) -> str:
        return snake(self.name)


@dataclass(frozen=True, slots=True)
class Node:
    name: str
    leaves: tuple[Leaf, ...]


@dataclass(frozen=True, slots=True)
class Layout:
    """A message: root element, its business nodes (a ``wrapper`` around head and lines, or
    the head directly under the root), the transfer part and the signature."""

    root: str
    wrapper: str | None
    head: Node
    lines: Node | None
    transfer: bool
    signature: str
    max_nodes: int = MAX_NODES  # CEB900 holds exactly one MessageReturn


def _pattern(description: str, regex: str) -> Rule:
    compiled = re.compile(regex)
    return Rule(description, lambda text: compiled.fullmatch(text) is not None)


def _timestamp(digits: int) -> Callable[[str], bool]:
    """A real calendar date (and time) written as exactly ``digits`` digits."""

    def check(text: str) -> bool:
        if not re.fullmatch(rf"\d{{{digits}}}", text):
            return False
        parts = [int(text[i : i + 2]) for i in range(4, min(digits, 14), 2)]
        try:
            datetime(int(text[:4]), *parts)
        except ValueError:
            return False
        return True

    return check


def enum(*values: str) -> Rule:
    return Rule("one of " + ", ".join(values), lambda text: text in values)


def digits(count: int) -> Rule:
    return _pattern(f"{count} digits", rf"\d{{{count}}}")


GUID = _pattern("36 characters: digits, upper-case letters and '-'", r"[0-9A-Z\-]{36}")
DATETIME14 = Rule("a date and time YYYYMMDDhhmmss", _timestamp(14))
DATE8 = Rule("a date YYYYMMDD", _timestamp(8))
TIME17 = Rule("a date and time YYYYMMDDhhmmssSSS", _timestamp(17))
APP_TYPE = enum("1", "2", "3")
APP_STATUS = enum("1", "2")
ID_TYPE = enum("1")  # the standard limits it to the resident ID card
CURRENCY = enum("142")
CODE3 = digits(3)  # countries and units (JGS-20)
CUSTOMS4 = digits(4)  # customs districts (JGS/T 18)
POSITIVE = _pattern("a positive integer of at most 9 digits", r"\+?0*[1-9]\d{0,8}")
RETURN_STATUS = _pattern("an integer status code", r"-?\d{1,9}")
CODE_CHAR = _pattern("one code character [0-9A-Z]", r"[0-9A-Z]")


def req(name: str, max_len: int, *, min_len: int = 1, rule: Rule | None = None) -> Leaf:
    return Leaf(name, TEXT, True, min_len, max_len, rule)


def opt(name: str, max_len: int, *, min_len: int = 0, rule: Rule | None = None) -> Leaf:
    return Leaf(name, TEXT, False, min_len, max_len, rule)


def fixed(name: str, length: int, rule: Rule | None = None, *, required: bool = True) -> Leaf:
    return Leaf(name, TEXT, required, length, length, rule)


def amount(name: str, *, required: bool = True) -> Leaf:
    return Leaf(name, AMOUNT, required)


def decimal(name: str, *, required: bool = True) -> Leaf:
    return Leaf(name, DECIMAL, required)


def integer(name: str, rule: Rule | None = None) -> Leaf:
    return Leaf(name, INT, True, rule=rule)


def _head_start(app_type: Rule = APP_TYPE) -> tuple[Leaf, ...]:
    return (
        fixed("guid", 36, GUID),
        fixed("appType", 1, app_type),
        fixed("appTime", 14, DATETIME14),
        req("appStatus", 3, rule=APP_STATUS),
    )


_EBP_EBC = (req("ebpCode", 18), req("ebpName", 100), req("ebcCode", 18), req("ebcName", 100))
_LOGISTICS = (req("logisticsNo", 60), req("logisticsCode", 18), req("logisticsName", 100))
_BUYER_INVT = (
    fixed("buyerIdType", 1, ID_TYPE),
    req("buyerIdNumber", 60),
    req("buyerName", 60),
    req("buyerTelephone", 30),
)
_NOTE = opt("note", 1000)

ORDER_HEAD = Node("OrderHead", (
    *_head_start(),
    fixed("orderType", 1, enum("I")),
    req("orderNo", 60),
    *_EBP_EBC,
    amount("goodsValue"), amount("freight"), amount("discount"), amount("taxTotal"),
    amount("acturalPaid"),
    fixed("currency", 3, CURRENCY),
    req("buyerRegNo", 60), req("buyerName", 60), req("buyerTelephone", 30),
    fixed("buyerIdType", 1, ID_TYPE), req("buyerIdNumber", 60),
    opt("payCode", 18), opt("payName", 100), opt("payTransactionId", 60),
    opt("batchNumbers", 100),
    req("consignee", 100), req("consigneeTelephone", 50), req("consigneeAddress", 200),
    fixed("consigneeDistrict", 6, digits(6), required=False),
    _NOTE,
))

ORDER_LIST = Node("OrderList", (
    integer("gnum", POSITIVE),
    opt("itemNo", 30), req("itemName", 250), req("gmodel", 510), opt("itemDescribe", 1000),
    opt("barCode", 50),
    fixed("unit", 3, CODE3), decimal("qty"), amount("price"), amount("totalPrice"),
    fixed("currency", 3, CURRENCY), fixed("country", 3, CODE3),
    _NOTE,
))

PAYMENT_HEAD = Node("PaymentHead", (
    *_head_start(),
    req("payCode", 18), req("payName", 100), req("payTransactionId", 60), req("orderNo", 60),
    req("ebpCode", 18), req("ebpName", 100),
    fixed("payerIdType", 1, ID_TYPE), req("payerIdNumber", 60), req("payerName", 60),
    opt("telephone", 60),
    amount("amountPaid"),
    fixed("currency", 3, CURRENCY),
    fixed("payTime", 14, DATETIME14),
    _NOTE,
))

LOGISTICS_HEAD = Node("LogisticsHead", (
    *_head_start(),
    req("logisticsCode", 18), req("logisticsName", 100), req("logisticsNo", 60),
    opt("billNo", 37), req("orderNo", 60),
    amount("freight", required=False), amount("insuredFee", required=False),
    fixed("currency", 3, CURRENCY),
    decimal("weight"), integer("packNo", POSITIVE),
    opt("goodsInfo", 200),
    req("consignee", 100), req("consigneeAddress", 200), req("consigneeTelephone", 50),
    _NOTE,
))

INVENTORY_HEAD = Node("InventoryHead", (
    *_head_start(),
    req("orderNo", 60),
    *_EBP_EBC,
    *_LOGISTICS,
    opt("copNo", 20), opt("preNo", 18),
    req("assureCode", 30),
    opt("emsNo", 30), opt("invtNo", 18),
    fixed("ieFlag", 1, enum("I")),
    fixed("declTime", 8, DATE8),
    fixed("customsCode", 4, CUSTOMS4), fixed("portCode", 4, CUSTOMS4),
    fixed("ieDate", 8, DATE8, required=False),
    *_BUYER_INVT,
    req("consigneeAddress", 200),
    req("agentCode", 18), req("agentName", 100),
    opt("areaCode", 18), opt("areaName", 100),
    fixed("tradeMode", 4, enum("1210", "9610")),
    fixed("trafMode", 1, CODE_CHAR),
    opt("trafNo", 100), opt("voyageNo", 32), opt("billNo", 37), opt("loctNo", 10),
    opt("licenseNo", 19),
    fixed("country", 3, CODE3),
    amount("freight"), amount("insuredFee"),
    fixed("currency", 3, CURRENCY),
    fixed("wrapType", 1, required=False),
    integer("packNo", POSITIVE),
    decimal("grossWeight"), decimal("netWeight"),
    _NOTE,
))

INVENTORY_LIST = Node("InventoryList", (
    integer("gnum", POSITIVE),
    opt("itemRecordNo", 30), opt("itemNo", 20), opt("itemName", 250),
    fixed("gcode", 10, digits(10)),
    req("gname", 250), req("gmodel", 510),
    opt("barCode", 50),
    fixed("country", 3, CODE3),
    opt("tradeCountry", 3, min_len=1, rule=CODE3),
    fixed("currency", 3, CURRENCY),
    decimal("qty"), fixed("unit", 3, CODE3),
    decimal("qty1"), fixed("unit1", 3, CODE3),
    decimal("qty2", required=False), fixed("unit2", 3, CODE3, required=False),
    amount("price"), amount("totalPrice"),
    _NOTE,
))

_CANCEL_BODY = (
    fixed("customsCode", 4, CUSTOMS4),
    req("orderNo", 60),
    *_EBP_EBC,
    *_LOGISTICS,
    opt("copNo", 20), opt("preNo", 18),
    req("invtNo", 18),
    *_BUYER_INVT,
    req("agentCode", 18), req("agentName", 100),
    req("reason", 1000),
    _NOTE,
)

INVT_CANCEL = Node("InvtCancel", (*_head_start(enum("1")), *_CANCEL_BODY))
INVT_REFUND_HEAD = Node("InvtRefundHead", (*_head_start(), *_CANCEL_BODY))
INVT_REFUND_LIST = Node("InvtRefundList", (
    integer("gnum", POSITIVE), fixed("gcode", 10, digits(10)), req("gname", 250),
    decimal("qty"), fixed("unit", 3, CODE3), _NOTE,
))

BASE_TRANSFER = Node("BaseTransfer", (
    req("copCode", 18), req("copName", 100, min_len=0), fixed("dxpMode", 3, enum("DXP")),
    req("dxpId", 30, min_len=0), _NOTE,
))
BASE_SUBSCRIBE = Node("BaseSubscribe", (
    req("status", 100, min_len=0, rule=enum("ALL", "DATA", "RET")),
    fixed("dxpMode", 3, enum("DXP")), req("dxpAddress", 100, min_len=0), _NOTE,
))

_RETURN_TAIL = (
    req("returnStatus", 10, rule=RETURN_STATUS),
    fixed("returnTime", 17, TIME17),
    req("returnInfo", 1000),
)
# Receipts come from the single window: their guids are only held to 36 characters (the
# official CEB626 sample has a lower-case one), as the XSD does.
_GUID = fixed("guid", 36)
_CUSTOMS_OPT = fixed("customsCode", 4, CUSTOMS4, required=False)
_KEYS_INVT = (req("copNo", 20), fixed("preNo", 18), fixed("invtNo", 18, required=False))


def _code_opt(name: str) -> Leaf:
    return opt(name, 18, min_len=1)


ORDER_RETURN = Node("OrderReturn", (
    _GUID, req("ebpCode", 18), req("ebcCode", 18), req("orderNo", 60), *_RETURN_TAIL,
))
PAYMENT_RETURN = Node("PaymentReturn", (
    _GUID, req("payCode", 18), req("payTransactionId", 60), *_RETURN_TAIL,
))
LOGISTICS_RETURN = Node("LogisticsReturn", (
    _GUID, req("logisticsCode", 18), req("logisticsNo", 60), *_RETURN_TAIL,
))
INVENTORY_RETURN = Node("InventoryReturn", (
    _GUID, _CUSTOMS_OPT, _code_opt("ebpCode"), _code_opt("ebcCode"), _code_opt("agentCode"),
    *_KEYS_INVT, *_RETURN_TAIL,
))
_CANCEL_REFUND_RETURN = (
    _GUID, _CUSTOMS_OPT, _code_opt("agentCode"), _code_opt("ebpCode"), _code_opt("ebcCode"),
    *_KEYS_INVT, *_RETURN_TAIL,
)
INVT_CANCEL_RETURN = Node("InvtCancelReturn", _CANCEL_REFUND_RETURN)
INVT_REFUND_RETURN = Node("InvtRefundReturn", _CANCEL_REFUND_RETURN)
# CEB900: the single window's receipt for a message that failed its format check (a
# negative returnStatus), naming the original transmission and message.
MESSAGE_RETURN = Node("MessageReturn", (
    _GUID,
    req("returnStatus", 10, rule=RETURN_STATUS),
    req("returnInfo", 5000, min_len=0),
    fixed("returnTime", 17, TIME17),
    req("oriCopMsgId", 255, min_len=0),
    req("oriMessageType", 15, min_len=0),
    Leaf("oriBizMessage", TEXT, True, 0, None),
))


def _business(root: str, wrapper: str | None, head: Node, lines: Node | None, signature: str) -> Layout:
    return Layout(root, wrapper, head, lines, True, signature)


def _receipt(root: str, node: Node) -> Layout:
    return Layout(root, None, node, None, False, NO_SIGNATURE)


LAYOUTS: dict[str, Layout] = {layout.root: layout for layout in (
    _business("CEB311Message", "Order", ORDER_HEAD, ORDER_LIST, SIGNATURE_OPTIONAL),
    _business("CEB411Message", "Payment", PAYMENT_HEAD, None, SIGNATURE_OPTIONAL),
    _business("CEB511Message", "Logistics", LOGISTICS_HEAD, None, SIGNATURE_OPTIONAL),
    _business("CEB621Message", "Inventory", INVENTORY_HEAD, INVENTORY_LIST, SIGNATURE_REQUIRED),
    _business("CEB623Message", None, INVT_CANCEL, None, SIGNATURE_REQUIRED),
    _business("CEB625Message", "InvtRefund", INVT_REFUND_HEAD, INVT_REFUND_LIST, SIGNATURE_REQUIRED),
    _receipt("CEB312Message", ORDER_RETURN),
    _receipt("CEB412Message", PAYMENT_RETURN),
    _receipt("CEB512Message", LOGISTICS_RETURN),
    _receipt("CEB622Message", INVENTORY_RETURN),
    _receipt("CEB624Message", INVT_CANCEL_RETURN),
    _receipt("CEB626Message", INVT_REFUND_RETURN),
    Layout("CEB900Message", None, MESSAGE_RETURN, None, False, NO_SIGNATURE, max_nodes=1),
)}
