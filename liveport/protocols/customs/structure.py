"""Liveport's own structural checks of customs messages, written from the standard's rules.

Used when no official XSD is configured. They check what ceb-import.xsd checks for the
twelve messages of this package — element names, namespace, order, required elements,
repetitions (≤ 100 business nodes, ≤ 99 lines, ≤ 5 BaseSubscribe), lengths, number kinds,
no stray text or attributes, the signature's required parts — and, beyond the XSD, what its
annotations and the standard's prose say: date and time formats, enumerations (appType,
appStatus, idType, tradeMode, currency, ieFlag, orderType, dxpMode), code shapes,
non-negative amounts with at most five decimals, ``gnum`` running 1, 2, 3, … on orders and
inventory lists, and the trade-mode fields of the inventory list (1210: emsNo, areaCode,
areaName, itemRecordNo and country 142; 9610: trafNo, voyageNo, billNo). No business rules
(totals, the three-document match) are checked here.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from liveport.protocols.customs.codec import DS_NS, elements, local_name, parse_xml
from liveport.protocols.customs.errors import CustomsParseError, CustomsSchemaError, Problem
from liveport.protocols.customs.formats import (
    CEB_NS,
    COUNTRY_CHINA,
    TRADE_MODE_BONDED,
    TRADE_MODE_DIRECT,
    VERSION,
)
from liveport.protocols.customs.spec import (
    AMOUNT,
    BASE_SUBSCRIBE,
    BASE_TRANSFER,
    DECIMAL,
    GUID,
    INT,
    LAYOUTS,
    MAX_LINES,
    MAX_NODES,
    MAX_SUBSCRIBE,
    NO_SIGNATURE,
    SIGNATURE_REQUIRED,
    Layout,
    Leaf,
    Node,
)

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
UNBOUNDED = 1 << 30
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_OWN_DECIMAL = re.compile(r"\d+(\.\d{1,5})?")
_INTEGER = re.compile(r"[+-]?\d+")

Check = Callable[[etree._Element, str, list[Problem]], None]


@dataclass(frozen=True, slots=True)
class Slot:
    namespace: str
    name: str
    min: int
    max: int
    check: Check


def _attributes(element: etree._Element, path: str, problems: list[Problem], allowed: tuple[str, ...] = ()) -> None:
    for name in element.attrib:
        if name not in allowed and etree.QName(name).namespace != XSI_NS:
            problems.append(Problem(f"{path}/@{name}", "attribute not allowed"))


def _no_text(element: etree._Element, path: str, problems: list[Problem]) -> None:
    stray = [element.text or ""] + [child.tail or "" for child in element]
    if any(piece.strip() for piece in stray):
        problems.append(Problem(path, "text not allowed between the elements of a container"))


def _sequence(element: etree._Element, path: str, slots: list[Slot], problems: list[Problem]) -> None:
    """Children against an ordered list of slots, as xs:sequence does."""
    counts = [0] * len(slots)
    misplaced: set[int] = set()
    current = 0

    def slot_of(child: etree._Element, indexes: range) -> int | None:
        qname = etree.QName(child)
        return next((i for i in indexes if slots[i].namespace == qname.namespace and slots[i].name == qname.localname), None)

    for child in elements(element):
        later = slot_of(child, range(current, len(slots)))
        if later is None:
            earlier = slot_of(child, range(current))
            name = local_name(child)
            if earlier is None:
                problems.append(Problem(f"{path}/{name}", "element not allowed here"))
            else:
                misplaced.add(earlier)
                problems.append(Problem(f"{path}/{name}", f"out of order: must come before {slots[earlier + 1].name}"))
            continue
        current = later
        slot = slots[later]
        counts[later] += 1
        if counts[later] == slot.max + 1:
            problems.append(Problem(f"{path}/{slot.name}", f"at most {slot.max} allowed"))
        if counts[later] <= slot.max:
            child_path = f"{path}/{slot.name}" + (f"[{counts[later]}]" if slot.max > 1 else "")
            slot.check(child, child_path, problems)
    for index, slot in enumerate(slots):
        if counts[index] < slot.min and index not in misplaced:
            problems.append(Problem(f"{path}/{slot.name}", "required element missing"))


def _leaf_check(leaf: Leaf) -> Check:
    def check(element: etree._Element, path: str, problems: list[Problem]) -> None:
        _attributes(element, path, problems)
        if elements(element):
            problems.append(Problem(path, "a value element cannot hold elements"))
            return
        for problem in leaf_problems(leaf, element.text or ""):
            problems.append(Problem(path, problem))

    return check


def leaf_problems(leaf: Leaf, text: str) -> list[str]:
    """What is wrong with one value (empty list when nothing)."""
    if leaf.kind in (AMOUNT, DECIMAL):
        return _decimal_problems(text.strip())
    if leaf.kind == INT:
        value = text.strip()
        if not _INTEGER.fullmatch(value) or not -(2**31) <= int(value) < 2**31:
            return ["not an integer"]
        return [] if leaf.rule is None or leaf.rule.check(value) else [f"must be {leaf.rule.description}"]
    found = []
    if leaf.min_len == leaf.max_len and len(text) != leaf.min_len:
        found.append(f"must be exactly {leaf.min_len} characters, has {len(text)}")
    elif len(text) < leaf.min_len:
        found.append("must not be empty")
    elif leaf.max_len is not None and len(text) > leaf.max_len:
        found.append(f"at most {leaf.max_len} characters, has {len(text)}")
    if text and leaf.rule is not None and not leaf.rule.check(text):
        found.append(f"must be {leaf.rule.description}")
    return found


def _decimal_problems(value: str) -> list[str]:
    if not _DECIMAL.fullmatch(value):
        return ["not a decimal number"]
    if not _OWN_DECIMAL.fullmatch(value):
        if value.startswith("-") and value.strip("-0.") != "":
            return ["must not be negative"]
        return ["write digits with at most 5 decimals (d or d.ddddd)"]
    whole, _, fraction = value.partition(".")
    if len(whole.lstrip("0")) + len(fraction.rstrip("0")) > 19:
        return ["more than 19 digits"]
    return []


def _node_check(node: Node) -> Check:
    slots = [Slot(CEB_NS, leaf.name, 1 if leaf.required else 0, 1, _leaf_check(leaf)) for leaf in node.leaves]

    def check(element: etree._Element, path: str, problems: list[Problem]) -> None:
        _attributes(element, path, problems)
        _no_text(element, path, problems)
        _sequence(element, path, slots, problems)

    return check


def _container_check(slots: list[Slot], attributes: tuple[str, ...] = ()) -> Check:
    def check(element: etree._Element, path: str, problems: list[Problem]) -> None:
        _attributes(element, path, problems, attributes)
        _no_text(element, path, problems)
        _sequence(element, path, slots, problems)

    return check


def _base64_check(element: etree._Element, path: str, problems: list[Problem]) -> None:
    _attributes(element, path, problems, ("Id",))
    try:
        base64.b64decode("".join((element.text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        problems.append(Problem(path, "not base64"))


def _algorithm_check(element: etree._Element, path: str, problems: list[Problem]) -> None:
    if not element.get("Algorithm"):
        problems.append(Problem(f"{path}/@Algorithm", "required attribute missing"))


def _key_info_check(element: etree._Element, path: str, problems: list[Problem]) -> None:
    known = {"KeyName", "KeyValue", "RetrievalMethod", "X509Data", "PGPData", "SPKIData", "MgmtData"}
    children = elements(element)
    if not children:
        problems.append(Problem(path, "KeyInfo needs at least one element"))
    for child in children:
        name = local_name(child)
        if etree.QName(child).namespace != DS_NS or name not in known:
            problems.append(Problem(f"{path}/{name}", "element not allowed here"))
        elif name == "X509Data":
            for item in elements(child):
                if local_name(item) == "X509Certificate":
                    _base64_check(item, f"{path}/X509Data/X509Certificate", problems)


def _ds(name: str, low: int, high: int, check: Check) -> Slot:
    return Slot(DS_NS, name, low, high, check)


_REFERENCE = _container_check([
    _ds("Transforms", 0, 1, _container_check([_ds("Transform", 1, UNBOUNDED, _algorithm_check)])),
    _ds("DigestMethod", 1, 1, _algorithm_check),
    _ds("DigestValue", 1, 1, _base64_check),
], ("Id", "URI", "Type"))
_SIGNATURE = _container_check([
    _ds("SignedInfo", 1, 1, _container_check([
        _ds("CanonicalizationMethod", 1, 1, _algorithm_check),
        _ds("SignatureMethod", 1, 1, _algorithm_check),
        _ds("Reference", 1, UNBOUNDED, _REFERENCE),
    ], ("Id",))),
    _ds("SignatureValue", 1, 1, _base64_check),
    _ds("KeyInfo", 0, 1, _key_info_check),
    _ds("Object", 0, UNBOUNDED, lambda element, path, problems: None),
], ("Id",))
_EXTEND = _container_check([
    Slot(CEB_NS, "name", 1, 1, _leaf_check(Leaf("name", max_len=30))),
    Slot(CEB_NS, "version", 1, 1, _leaf_check(Leaf("version", max_len=30))),
    Slot(CEB_NS, "Message", 1, 1, lambda element, path, problems: None),
])


def _root_slots(layout: Layout) -> list[Slot]:
    head = Slot(CEB_NS, layout.head.name, 1, 1, _node_check(layout.head))
    if layout.wrapper is None:
        slots = [Slot(CEB_NS, layout.head.name, 1, layout.max_nodes, _node_check(layout.head))]
    else:
        inner = [head]
        if layout.lines is not None:
            inner.append(Slot(CEB_NS, layout.lines.name, 1, MAX_LINES, _node_check(layout.lines)))
        slots = [Slot(CEB_NS, layout.wrapper, 1, MAX_NODES, _container_check(inner))]
    if layout.transfer:
        slots += [
            Slot(CEB_NS, "BaseTransfer", 1, 1, _node_check(BASE_TRANSFER)),
            Slot(CEB_NS, "BaseSubscribe", 0, MAX_SUBSCRIBE, _node_check(BASE_SUBSCRIBE)),
            Slot(CEB_NS, "ExtendMessage", 0, 1, _EXTEND),
        ]
    if layout.signature != NO_SIGNATURE:
        slots.append(_ds("Signature", 1 if layout.signature == SIGNATURE_REQUIRED else 0, 1, _SIGNATURE))
    return slots


_ROOT_SLOTS = {name: _root_slots(layout) for name, layout in LAYOUTS.items()}


def _values(element: etree._Element) -> dict[str, str]:
    return {local_name(child): (child.text or "") for child in elements(element)}


def _business_rules(root: etree._Element, layout: Layout, problems: list[Problem]) -> None:
    """The rules of the standard's prose that the XSD leaves out (see the module doc)."""
    if layout.wrapper is None or layout.lines is None:
        return
    for index, node in enumerate(n for n in elements(root) if local_name(n) == layout.wrapper):
        path = f"/{layout.root}/{layout.wrapper}" + (f"[{index + 1}]")
        children = elements(node)
        lines = [c for c in children if local_name(c) == layout.lines.name]
        if layout.root in ("CEB311Message", "CEB621Message"):
            numbers = [_values(line).get("gnum", "").strip() for line in lines]
            if numbers != [str(n) for n in range(1, len(lines) + 1)]:
                problems.append(Problem(f"{path}/{layout.lines.name}", "gnum must run 1, 2, 3, … in order"))
        if layout.root == "CEB621Message" and children and local_name(children[0]) == layout.head.name:
            _trade_mode_rules(_values(children[0]), [_values(line) for line in lines], f"{path}/InventoryHead", problems)


def _trade_mode_rules(head: dict[str, str], lines: list[dict[str, str]], path: str, problems: list[Problem]) -> None:
    mode = head.get("tradeMode")
    if mode == TRADE_MODE_BONDED:
        needed = ("emsNo", "areaCode", "areaName")
        if head.get("country") != COUNTRY_CHINA:
            problems.append(Problem(f"{path}/country", "must be 142 in trade mode 1210 (bonded)"))
        if any(not line.get("itemRecordNo") for line in lines):
            lines_path = path.rsplit("/", 1)[0] + "/InventoryList/itemRecordNo"
            problems.append(Problem(lines_path, "required on every line in trade mode 1210"))
    elif mode == TRADE_MODE_DIRECT:
        needed = ("trafNo", "voyageNo", "billNo")
    else:
        return
    for name in needed:
        if not head.get(name):
            problems.append(Problem(f"{path}/{name}", f"required in trade mode {mode}"))


def structure_problems(root: etree._Element) -> list[Problem]:
    qname = etree.QName(root)
    layout = LAYOUTS.get(qname.localname)
    if qname.namespace != CEB_NS or layout is None:
        return [Problem(f"/{qname.localname}", "not a message these checks know (CEB311/312/411/412/511/512/621–626/900)")]
    path = f"/{layout.root}"
    problems: list[Problem] = []
    _attributes(root, path, problems, ("guid", "version"))
    guid, version = root.get("guid"), root.get("version")
    if guid is None or len(guid) != 36 or (layout.transfer and not GUID.check(guid)):
        # Receipts are held to the XSD's 36 characters only (see spec._GUID).
        problems.append(Problem(f"{path}/@guid", f"required: {GUID.description}"))
    if version != VERSION:
        problems.append(Problem(f"{path}/@version", f"required: {VERSION}"))
    _no_text(root, path, problems)
    _sequence(root, path, _ROOT_SLOTS[layout.root], problems)
    if not problems:
        _business_rules(root, layout, problems)
    return problems


def check_structure(data: bytes) -> str:
    """The message type (``CEB311Message``...) or CustomsSchemaError(source="own")."""
    try:
        root = parse_xml(data)
    except CustomsParseError as exc:
        raise CustomsSchemaError([Problem("/", str(exc))], "own") from exc
    problems = structure_problems(root)
    if problems:
        raise CustomsSchemaError(problems, "own")
    return etree.QName(root).localname
