"""Dataclasses ⇄ customs XML, for every message of messages.py and receipts.py.

``to_element`` / ``to_bytes`` write the elements in the schema's order (spec.py) under the
``ceb`` prefix; ``from_bytes`` reads them back. Building refuses what cannot be written as
the standard asks (CustomsEncodingError); everything else — lengths, formats, codes — is
``validate``'s job, which runs on the bytes (and after signing, since 621/623/625 must carry
a signature). ``ExtendMessage`` and ``ds:Signature`` are not part of the dataclasses: the
parser skips them (verify signatures with xmldsig.verify on the bytes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree

from liveport.protocols.customs import messages as m
from liveport.protocols.customs import receipts as r
from liveport.protocols.customs.errors import CustomsEncodingError, CustomsParseError
from liveport.protocols.customs.formats import CEB_NS, read_decimal, write_amount, write_decimal
from liveport.protocols.customs.spec import (
    AMOUNT,
    BASE_SUBSCRIBE,
    BASE_TRANSFER,
    DECIMAL,
    INT,
    LAYOUTS,
    MAX_LINES,
    MAX_SUBSCRIBE,
    Layout,
    Node,
)

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
DS_NS = "http://www.w3.org/2000/09/xmldsig#"


@dataclass(frozen=True, slots=True)
class Binding:
    message: type
    items: str  # the message attribute holding the business nodes
    item: type | None  # head + lines pair, or None when the node is the head itself
    head: type
    line: type | None


BINDINGS: dict[str, Binding] = {
    "CEB311Message": Binding(m.CEB311Message, "orders", m.Order, m.OrderHead, m.OrderLine),
    "CEB411Message": Binding(m.CEB411Message, "payments", None, m.Payment, None),
    "CEB511Message": Binding(m.CEB511Message, "logistics", None, m.Logistics, None),
    "CEB621Message": Binding(
        m.CEB621Message, "inventories", m.Inventory, m.InventoryHead, m.InventoryLine
    ),
    "CEB623Message": Binding(m.CEB623Message, "cancels", None, m.InvtCancel, None),
    "CEB625Message": Binding(
        m.CEB625Message, "refunds", m.InvtRefund, m.InvtRefundHead, m.InvtRefundLine
    ),
    "CEB312Message": Binding(r.CEB312Message, "returns", None, r.OrderReturn, None),
    "CEB412Message": Binding(r.CEB412Message, "returns", None, r.PaymentReturn, None),
    "CEB512Message": Binding(r.CEB512Message, "returns", None, r.LogisticsReturn, None),
    "CEB622Message": Binding(r.CEB622Message, "returns", None, r.InventoryReturn, None),
    "CEB624Message": Binding(r.CEB624Message, "returns", None, r.InvtCancelReturn, None),
    "CEB626Message": Binding(r.CEB626Message, "returns", None, r.InvtRefundReturn, None),
    "CEB900Message": Binding(r.CEB900Message, "returns", None, r.MessageReturn, None),
}
_ROOT_OF_CLASS = {binding.message: root for root, binding in BINDINGS.items()}


def _q(name: str) -> str:
    return f"{{{CEB_NS}}}{name}"


# --- writing ---------------------------------------------------------------------------

def _text(leaf_kind: str, value: object, where: str) -> str:
    if leaf_kind == AMOUNT:
        return write_amount(value, where)
    if leaf_kind == DECIMAL:
        return write_decimal(value, where)
    if leaf_kind == INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise CustomsEncodingError(f"{where} must be an int, not {type(value).__name__}")
        return str(value)
    if not isinstance(value, str):
        raise CustomsEncodingError(f"{where} must be text, not {type(value).__name__}")
    return value


def _write_node(parent: etree._Element, node: Node, obj: object, expected: type) -> None:
    if not isinstance(obj, expected):
        raise CustomsEncodingError(f"{node.name} must be a {expected.__name__}, not {type(obj).__name__}")
    element = etree.SubElement(parent, _q(node.name))
    for leaf in node.leaves:
        value = getattr(obj, leaf.attr)
        where = f"{node.name}.{leaf.name}"
        if value is None:
            if leaf.required:
                raise CustomsEncodingError(f"{where} is required")
            continue
        child = etree.SubElement(element, _q(leaf.name))
        try:
            child.text = _text(leaf.kind, value, where)
        except ValueError as exc:  # lxml refuses control characters
            if isinstance(exc, CustomsEncodingError):
                raise
            raise CustomsEncodingError(f"{where}: {exc}") from exc


def _count(items: object, what: str, upper: int, lower: int = 1) -> tuple[Any, ...]:
    if not isinstance(items, tuple):
        raise CustomsEncodingError(f"{what} must be a tuple")
    if not lower <= len(items) <= upper:
        raise CustomsEncodingError(f"{what}: {len(items)} given, the standard allows {lower}–{upper}")
    return items


def to_element(message: object) -> etree._Element:
    """The message as an lxml element (the root ``ceb:CEBnnnMessage``)."""
    root_name = _ROOT_OF_CLASS.get(type(message))
    if root_name is None:
        raise CustomsEncodingError(f"not a customs message: {type(message).__name__}")
    binding, layout = BINDINGS[root_name], LAYOUTS[root_name]
    root = etree.Element(_q(root_name), nsmap={"ceb": CEB_NS})
    root.set("guid", _text("text", message.guid, f"{root_name}@guid"))
    root.set("version", _text("text", message.version, f"{root_name}@version"))
    for item in _count(getattr(message, binding.items), f"{root_name} business nodes", layout.max_nodes):
        container = etree.SubElement(root, _q(layout.wrapper)) if layout.wrapper else root
        if binding.item is None:
            _write_node(container, layout.head, item, binding.head)
            continue
        if not isinstance(item, binding.item):
            raise CustomsEncodingError(f"{layout.wrapper} must be a {binding.item.__name__}")
        _write_node(container, layout.head, item.head, binding.head)
        assert layout.lines is not None and binding.line is not None
        for line in _count(item.lines, f"{layout.wrapper} lines", MAX_LINES):
            _write_node(container, layout.lines, line, binding.line)
    if layout.transfer:
        _write_node(root, BASE_TRANSFER, message.base_transfer, m.BaseTransfer)
        for subscribe in _count(message.base_subscribes, "BaseSubscribe", MAX_SUBSCRIBE, 0):
            _write_node(root, BASE_SUBSCRIBE, subscribe, m.BaseSubscribe)
    return root


def to_bytes(message: object, *, pretty: bool = True) -> bytes:
    """UTF-8 bytes with the XML declaration, indented unless ``pretty=False``."""
    body = etree.tostring(to_element(message), encoding="UTF-8", xml_declaration=False, pretty_print=pretty)
    return XML_DECLARATION + body


# --- reading ---------------------------------------------------------------------------

def parse_xml(data: bytes) -> etree._Element:
    """Parse untrusted bytes: no entity expansion, no network, no DOCTYPE."""
    if not isinstance(data, bytes):
        raise CustomsParseError("a customs message is bytes")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise CustomsParseError(f"not well-formed XML: {exc}") from exc
    if root.getroottree().docinfo.doctype:
        raise CustomsParseError("a customs message may not carry a DOCTYPE")
    return root


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


def elements(parent: etree._Element) -> list[etree._Element]:
    """Element children only (comments and processing instructions skipped)."""
    return [child for child in parent if isinstance(child.tag, str)]


def message_type(data: bytes) -> str:
    """``CEB311Message`` etc.: the root element's name, for routing and DXP ``MsgType``."""
    root = parse_xml(data)
    if etree.QName(root).namespace != CEB_NS:
        raise CustomsParseError(f"root element is not in the {CEB_NS} namespace")
    return local_name(root)


def _value(kind: str, text: str, where: str) -> object:
    try:
        if kind in (AMOUNT, DECIMAL):
            return read_decimal(text)
        if kind == INT:
            return int(text.strip())
    except ValueError as exc:
        raise CustomsParseError(f"{where}: {exc}") from exc
    return text


def _read_node(element: etree._Element, node: Node, cls: type, where: str) -> object:
    texts: dict[str, str] = {}
    for child in elements(element):
        name = local_name(child)
        if etree.QName(child).namespace != CEB_NS or name in texts:
            raise CustomsParseError(f"{where}: unexpected or repeated element {name}")
        texts[name] = child.text or ""
    known = {leaf.name for leaf in node.leaves}
    unknown = sorted(set(texts) - known)
    if unknown:
        raise CustomsParseError(f"{where}: unknown elements {', '.join(unknown)}")
    values: dict[str, object] = {}
    for leaf in node.leaves:
        if leaf.name not in texts:
            if leaf.required:
                raise CustomsParseError(f"{where}: missing {leaf.name}")
            values[leaf.attr] = None
            continue
        values[leaf.attr] = _value(leaf.kind, texts[leaf.name], f"{where}/{leaf.name}")
    return cls(**values)


def _read_item(element: etree._Element, layout: Layout, binding: Binding, where: str) -> object:
    if binding.item is None:
        if layout.wrapper is None:
            return _read_node(element, layout.head, binding.head, where)
        children = elements(element)
        if len(children) != 1 or local_name(children[0]) != layout.head.name:
            raise CustomsParseError(f"{where}: expected one {layout.head.name}")
        return _read_node(children[0], layout.head, binding.head, f"{where}/{layout.head.name}")
    assert layout.lines is not None and binding.line is not None
    children = elements(element)
    if not children or local_name(children[0]) != layout.head.name:
        raise CustomsParseError(f"{where}: expected {layout.head.name} first")
    head = _read_node(children[0], layout.head, binding.head, f"{where}/{layout.head.name}")
    lines = []
    for index, child in enumerate(children[1:], start=1):
        if local_name(child) != layout.lines.name:
            raise CustomsParseError(f"{where}: unexpected element {local_name(child)}")
        lines.append(_read_node(child, layout.lines, binding.line, f"{where}/{layout.lines.name}[{index}]"))
    return binding.item(head=head, lines=tuple(lines))


def from_bytes(data: bytes) -> object:
    """Any message of BINDINGS back as its dataclass (CustomsParseError otherwise)."""
    root = parse_xml(data)
    name = local_name(root)
    if etree.QName(root).namespace != CEB_NS or name not in BINDINGS:
        raise CustomsParseError(f"not a customs message this package reads: {root.tag}")
    binding, layout = BINDINGS[name], LAYOUTS[name]
    node_name = layout.wrapper or layout.head.name
    items, subscribes, transfer = [], [], None
    for child in elements(root):
        child_name, where = local_name(child), f"/{name}/{local_name(child)}"
        if etree.QName(child).namespace == DS_NS or child_name == "ExtendMessage":
            continue
        if child_name == node_name:
            items.append(_read_item(child, layout, binding, f"{where}[{len(items) + 1}]"))
        elif child_name == "BaseTransfer" and layout.transfer and transfer is None:
            transfer = _read_node(child, BASE_TRANSFER, m.BaseTransfer, where)
        elif child_name == "BaseSubscribe" and layout.transfer:
            subscribes.append(_read_node(child, BASE_SUBSCRIBE, m.BaseSubscribe, where))
        else:
            raise CustomsParseError(f"{where}: unexpected element")
    if not items:
        raise CustomsParseError(f"/{name}: no {node_name}")
    fields: dict[str, object] = {
        "guid": root.get("guid", ""),
        "version": root.get("version", ""),
        binding.items: tuple(items),
    }
    if layout.transfer:
        if transfer is None:
            raise CustomsParseError(f"/{name}: missing BaseTransfer")
        fields["base_transfer"] = transfer
        fields["base_subscribes"] = tuple(subscribes)
    return binding.message(**fields)
