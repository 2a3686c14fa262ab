"""Generated customs messages against the official schemas in ../shared, and the corrupted
set that the official XSD and the own structural checks must both reject."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from liveport.protocols import customs as c
from liveport.protocols.customs import spec
from tests.support import customs_messages as cm

CEB_NS = "http://www.chinaport.gov.cn/ceb"
CEB = f"{{{CEB_NS}}}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"
XS = "{http://www.w3.org/2001/XMLSchema}"


@pytest.fixture
def xsd_dir(shared_dir: Path) -> Path:
    return shared_dir / "standards" / "customs-2022"


@pytest.fixture(scope="module")
def agent() -> c.PartyCredentials:
    return c.generate_party(cm.AGENT[1], cm.AGENT[0])


def _sealed(message: object, agent: c.PartyCredentials) -> bytes:
    return c.seal(message, agent if cm.must_be_signed(message) else None)


# --- every generated message passes the official schema ----------------------------------

@pytest.mark.parametrize("message", cm.business_messages() + cm.receipts(), ids=lambda m: type(m).__name__)
def test_generated_messages_validate_against_the_official_xsd(message, agent, xsd_dir):
    data = _sealed(message, agent)
    assert c.validate(data, xsd_dir) == type(message).__name__
    assert c.from_bytes(data) == message


@pytest.mark.parametrize("message", [cm.order_message(), cm.payment_message(), cm.logistics_message()],
                         ids=lambda m: type(m).__name__)
def test_optionally_signed_messages_validate_signed_too(message, agent, xsd_dir):
    assert c.seal(message, agent, xsd_dir)


def test_the_envelope_validates_against_the_official_dxp_schema(agent, xsd_dir):
    data = _sealed(cm.inventory_message(), agent)
    envelope = c.wrap(data, sender_id="DXPENT0000000004", receiver_ids="DXPEDCCEB0000002")
    assert c.check_with_xsd(envelope, xsd_dir, "dxp-transport.xsd") == "DxpMsg"
    assert c.unwrap(envelope).data == data


def _xsd_leaves(schema: etree._Element, name: str) -> list[tuple[str, bool, dict[str, str]]]:
    element = next(e for e in schema.iter(f"{XS}element") if e.get("name") == name)
    found = []
    for child in element.find(f"{XS}complexType/{XS}sequence"):
        if child.tag != f"{XS}element":
            continue
        restriction = child.find(f"{XS}simpleType/{XS}restriction")
        facets = {"base": restriction.get("base") if restriction is not None else child.get("type")}
        if child.get("fixed") is not None:
            facets["fixed"] = child.get("fixed")
        for facet in restriction if restriction is not None else ():
            if isinstance(facet.tag, str):
                facets[etree.QName(facet).localname] = facet.get("value")
        found.append((child.get("name"), child.get("minOccurs", "1") != "0", facets))
    return found


def test_the_own_element_tables_match_the_official_xsd(xsd_dir):
    schema = etree.parse(str(xsd_dir / "ceb-import.xsd")).getroot()
    nodes = [value for value in vars(spec).values() if isinstance(value, spec.Node)]
    assert len(nodes) == 18
    for node in nodes:
        official = _xsd_leaves(schema, node.name)
        assert [name for name, _, _ in official] == [leaf.name for leaf in node.leaves], node.name
        for (name, required, facets), leaf in zip(official, node.leaves, strict=True):
            kind = {"xs:decimal": "number", "xs:int": "int"}.get(facets["base"], "text")
            assert {spec.AMOUNT: "number", spec.DECIMAL: "number"}.get(leaf.kind, leaf.kind) == kind, name
            assert leaf.required == required, f"{node.name}.{name}"
            if "fixed" in facets:
                assert leaf.rule is not None and leaf.rule.description == f"one of {facets['fixed']}"
            if kind == "text":
                low = int(facets.get("length", facets.get("minLength", 0)))
                high = facets.get("length", facets.get("maxLength"))
                assert (leaf.min_len, leaf.max_len) == (low, int(high) if high else None), f"{node.name}.{name}"


# --- the corrupted set -------------------------------------------------------------------

Mutation = Callable[[etree._Element], None]


def _find(root: etree._Element, path: str) -> etree._Element:
    """``OrderHead/orderNo`` anywhere below the root; ``ds:`` marks the signature's namespace."""
    steps = [f"{DS}{p[3:]}" if p.startswith("ds:") else f"{CEB}{p}" for p in path.split("/")]
    return root.find(".//" + "/".join(steps))


def _set(path: str, text: str) -> Mutation:
    return lambda root: setattr(_find(root, path), "text", text)


def _remove(path: str) -> Mutation:
    def mutate(root: etree._Element) -> None:
        element = _find(root, path)
        element.getparent().remove(element)

    return mutate


def _swap(first: str, second: str) -> Mutation:
    def mutate(root: etree._Element) -> None:
        a, b = _find(root, first), _find(root, second)
        a.addprevious(b)

    return mutate


def _append(path: str, tag: str, text: str) -> Mutation:
    def mutate(root: etree._Element) -> None:
        etree.SubElement(_find(root, path), tag).text = text

    return mutate


def _duplicate(path: str, times: int) -> Mutation:
    def mutate(root: etree._Element) -> None:
        element = _find(root, path)
        for _ in range(times):
            element.addnext(copy.deepcopy(element))

    return mutate


def _root_attribute(name: str, value: str | None) -> Mutation:
    def mutate(root: etree._Element) -> None:
        if value is None:
            del root.attrib[name]
        else:
            root.set(name, value)

    return mutate


def _text_in(path: str) -> Mutation:
    return lambda root: setattr(_find(root, path), "text", "stray text")


def _rename(path: str, tag: str) -> Mutation:
    return lambda root: setattr(_find(root, path), "tag", tag)


def _renumber_lines(root: etree._Element) -> None:
    for n, gnum in enumerate(root.iter(f"{CEB}gnum"), start=1):
        gnum.text = str(n)


def _then(*mutations: Mutation) -> Mutation:
    def mutate(root: etree._Element) -> None:
        for mutation in mutations:
            mutation(root)

    return mutate


ORDER, INVENTORY, PAYMENT, CANCEL, REFUND, RECEIPT = "311", "621", "411", "623", "625", "622"
CORRUPTIONS: dict[str, tuple[str, Mutation]] = {
    "missing required element": (ORDER, _remove("OrderHead/orderNo")),
    "wrong element order": (ORDER, _swap("OrderHead/appType", "OrderHead/appTime")),
    "too long": (ORDER, _set("OrderHead/orderNo", "X" * 61)),
    "empty required value": (ORDER, _set("OrderHead/ebpCode", "")),
    "bad date format": (ORDER, _set("OrderHead/appTime", "2024-05-01 20:30")),
    "bad amount": (ORDER, _set("OrderHead/goodsValue", "91.00.5")),
    "amount with six decimals": (ORDER, _set("OrderHead/freight", "10.000001")),
    "amount with twenty digits": (ORDER, _set("OrderHead/goodsValue", "12345678901234567890")),
    "bad integer": (ORDER, _set("OrderList/gnum", "one")),
    "bad enumeration (trade mode)": (INVENTORY, _set("InventoryHead/tradeMode", "12100")),
    "bad code (currency of 4)": (PAYMENT, _set("PaymentHead/currency", "CNY1")),
    "bad enumeration (currency, fixed 142)": (ORDER, _set("OrderHead/currency", "840")),
    "extra element": (ORDER, _append("OrderHead", f"{CEB}discountCode", "SPRING")),
    "element in another namespace": (ORDER, _rename("OrderHead/orderNo", "orderNo")),
    "repeated element": (ORDER, _duplicate("OrderHead/orderNo", 1)),
    "text inside a container": (ORDER, _text_in("OrderHead")),
    "attribute on a value": (ORDER, lambda root: _find(root, "OrderHead/orderNo").set("lang", "zh")),
    "too many goods lines": (ORDER, _then(_duplicate("OrderList", 99), _renumber_lines)),
    "too many business nodes": (PAYMENT, _duplicate("Payment", 100)),
    "no business node": (PAYMENT, _remove("Payment")),
    "missing BaseTransfer": (ORDER, _remove("BaseTransfer")),
    "missing signature where required": (INVENTORY, _remove("ds:Signature")),
    "signature digest not base64": (CANCEL, _set("ds:Signature/ds:SignedInfo/ds:Reference/ds:DigestValue", "abc")),
    "guid of 35 characters": (ORDER, _root_attribute("guid", "4CDE1CFD-EDED-46B1-946C-B8022E42FC9")),
    "missing version": (ORDER, _root_attribute("version", None)),
    "unknown root attribute": (ORDER, _root_attribute("sender", "me")),
    "refund line missing gcode": (REFUND, _remove("InvtRefundList/gcode")),
    "receipt time of 16 digits": (RECEIPT, _set("InventoryReturn/returnTime", "2024050120350012")),
    "receipt missing its key": (RECEIPT, _remove("InventoryReturn/copNo")),
}


def _good(kind: str, agent: c.PartyCredentials) -> bytes:
    message = {
        ORDER: cm.order_message(), INVENTORY: cm.inventory_message(), PAYMENT: cm.payment_message(),
        CANCEL: cm.cancel_message(), REFUND: cm.refund_message(), RECEIPT: cm.receipts()[3],
    }[kind]
    return _sealed(message, agent)


def test_the_corrupted_set_is_large_enough():
    assert len(CORRUPTIONS) >= 10


@pytest.mark.parametrize("kind", [ORDER, INVENTORY, PAYMENT, CANCEL, REFUND, RECEIPT])
def test_both_validators_accept_the_uncorrupted_messages(kind, agent, xsd_dir):
    data = _good(kind, agent)
    assert c.check_with_xsd(data, xsd_dir) == c.check_structure(data) == f"CEB{kind}Message"


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_both_validators_reject_each_corrupted_message(name, agent, xsd_dir):
    kind, mutate = CORRUPTIONS[name]
    root = etree.fromstring(_good(kind, agent))
    mutate(root)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    with pytest.raises(c.CustomsSchemaError) as by_xsd:
        c.check_with_xsd(data, xsd_dir)
    with pytest.raises(c.CustomsSchemaError) as by_own:
        c.check_structure(data)
    assert (by_xsd.value.source, by_own.value.source) == ("xsd", "own")
    assert by_xsd.value.problems and by_own.value.problems
    assert all(p.path.startswith(f"/CEB{kind}Message") for p in by_own.value.problems), by_own.value.problems


STRICTER_THAN_XSD = {
    "appType outside 1/2/3": (ORDER, _set("OrderHead/appType", "7")),
    "impossible date": (ORDER, _set("OrderHead/appTime", "20240231120000")),
    "ID type other than 1": (ORDER, _set("OrderHead/buyerIdType", "2")),
    "negative amount": (ORDER, _set("OrderHead/freight", "-1.00")),
    "lower-case guid": (ORDER, _root_attribute("guid", "4cde1cfd-eded-46b1-946c-b8022e42fc94")),
    "gnum not from 1": (ORDER, _set("OrderList/gnum", "2")),
    "bonded list without ledger": (INVENTORY, _set("InventoryHead/emsNo", "")),
}


@pytest.mark.parametrize("name", sorted(STRICTER_THAN_XSD))
def test_the_own_checks_also_enforce_rules_the_xsd_leaves_to_prose(name, agent, xsd_dir):
    kind, mutate = STRICTER_THAN_XSD[name]
    root = etree.fromstring(_good(kind, agent))
    mutate(root)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    assert c.check_with_xsd(data, xsd_dir) == f"CEB{kind}Message"
    with pytest.raises(c.CustomsSchemaError):
        c.check_structure(data)


def test_validate_uses_the_xsd_when_a_directory_is_given(agent, xsd_dir, tmp_path):
    root = etree.fromstring(_good(ORDER, agent))
    _set("OrderHead/appType", "7")(root)
    data = etree.tostring(root)
    assert c.validate(data, xsd_dir) == "CEB311Message"
    with pytest.raises(c.CustomsSchemaError):
        c.validate(data)
    with pytest.raises(c.CustomsSchemaUnavailable, match="ceb-import.xsd"):
        c.validate(data, tmp_path)


def test_a_bare_business_node_is_not_a_message_even_for_the_xsd(agent, xsd_dir):
    head = etree.fromstring(_good(ORDER, agent)).find(f"{CEB}Order/{CEB}OrderHead")
    with pytest.raises(c.CustomsSchemaError, match="CEBnnnMessage"):
        c.validate(etree.tostring(head), xsd_dir)


def test_receipt_subscriptions_are_written_after_the_transfer_and_read_back(xsd_dir):
    subscribe = c.BaseSubscribe(status="ALL", dxp_address="DXPENT0000000009")
    message = replace(cm.order_message(), base_subscribes=(subscribe,) * 5)
    data = c.to_bytes(message)
    assert c.validate(data, xsd_dir) == c.validate(data) == "CEB311Message"
    assert c.from_bytes(data) == message
    with pytest.raises(c.CustomsEncodingError, match="6 given, the standard allows 0–5"):
        c.to_bytes(replace(message, base_subscribes=(subscribe,) * 6))
