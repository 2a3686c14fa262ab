"""Dataclasses ⇄ customs XML: round trips, element order, what the builder refuses."""

from __future__ import annotations

from dataclasses import fields, replace
from decimal import Decimal

import pytest
from lxml import etree

from liveport.protocols import customs as c
from liveport.protocols.customs import codec, spec
from tests.support import customs_messages as cm

CEB = "{http://www.chinaport.gov.cn/ceb}"


def _names(element: etree._Element) -> list[str]:
    return [etree.QName(child).localname for child in element]


@pytest.mark.parametrize("message", cm.business_messages() + cm.receipts(), ids=lambda m: type(m).__name__)
def test_parse_of_build_gives_the_message_back(message):
    assert c.from_bytes(c.to_bytes(message)) == message
    assert c.from_bytes(c.to_bytes(message, pretty=False)) == message


def test_every_dataclass_has_the_elements_of_its_node_in_schema_order():
    pairs = [(spec.BASE_TRANSFER, c.BaseTransfer), (spec.BASE_SUBSCRIBE, c.BaseSubscribe)]
    for root, binding in codec.BINDINGS.items():
        layout = spec.LAYOUTS[root]
        pairs.append((layout.head, binding.head))
        if binding.line is not None:
            pairs.append((layout.lines, binding.line))
    for node, cls in pairs:
        assert [f.name for f in fields(cls)] == [leaf.attr for leaf in node.leaves], cls.__name__


def test_an_order_is_written_in_the_schema_order_with_two_decimal_amounts():
    root = c.to_element(cm.order_message())
    assert root.tag == f"{CEB}CEB311Message"
    assert root.nsmap == {"ceb": "http://www.chinaport.gov.cn/ceb"}
    assert _names(root) == ["Order", "BaseTransfer"]
    head = root.find(f"{CEB}Order/{CEB}OrderHead")
    written = _names(head)
    assert written == [leaf.name for leaf in spec.ORDER_HEAD.leaves if leaf.name not in ("batchNumbers", "note")]
    assert head.findtext(f"{CEB}discount") == "0.00"
    assert head.findtext(f"{CEB}acturalPaid") == "109.28"
    assert head.findtext(f"{CEB}currency") == "142"
    assert head.findtext(f"{CEB}buyerIdType") == "1"
    line = root.find(f"{CEB}Order/{CEB}OrderList")
    assert (line.findtext(f"{CEB}qty"), line.findtext(f"{CEB}price")) == ("2", "45.50")


def test_root_attributes_are_guid_and_version():
    message = cm.payment_message()
    root = c.to_element(message)
    assert dict(root.attrib) == {"guid": message.guid, "version": "1.0"}
    assert len(message.guid) == 36 and message.guid == message.guid.upper()


def test_payment_and_waybill_nodes_wrap_their_head_and_the_cancel_sits_under_the_root():
    assert _names(c.to_element(cm.payment_message())[0]) == ["PaymentHead"]
    assert _names(c.to_element(cm.logistics_message())[0]) == ["LogisticsHead"]
    assert _names(c.to_element(cm.cancel_message())) == ["InvtCancel", "BaseTransfer"]
    assert _names(c.to_element(cm.receipts()[3])) == ["InventoryReturn", "InventoryReturn"]


def test_an_absent_optional_element_is_left_out_and_an_empty_one_is_kept():
    message = cm.order_message()
    head = replace(message.orders[0].head, note="", pay_code=None)
    again = replace(message, orders=(replace(message.orders[0], head=head),))
    element = c.to_element(again).find(f"{CEB}Order/{CEB}OrderHead")
    assert element.find(f"{CEB}payCode") is None
    assert element.findtext(f"{CEB}note") == ""
    assert c.from_bytes(c.to_bytes(again)) == again


def test_weights_keep_up_to_five_decimals_without_exponent():
    message = cm.logistics_message()
    waybill = replace(message.logistics[0], weight=Decimal("0.12345"), freight=Decimal("1E+1"))
    head = c.to_element(replace(message, logistics=(waybill,)))[0][0]
    assert head.findtext(f"{CEB}weight") == "0.12345"
    assert head.findtext(f"{CEB}freight") == "10.00"


@pytest.mark.parametrize(
    ("change", "message_part"),
    [
        ({"goods_value": Decimal("91.005")}, "finer than the fen"),
        ({"freight": 10.0}, "must be a Decimal, not float"),
        ({"freight": Decimal("NaN")}, "finite"),
        ({"order_no": 42}, "must be text"),
        ({"consignee": "a\x01b"}, "OrderHead.consignee"),
        ({"buyer_name": None}, "OrderHead.buyerName is required"),
    ],
)
def test_the_builder_refuses_values_it_cannot_write(change, message_part):
    message = cm.order_message()
    head = replace(message.orders[0].head, **change)
    with pytest.raises(c.CustomsEncodingError, match=message_part):
        c.to_bytes(replace(message, orders=(replace(message.orders[0], head=head),)))


def test_more_than_five_decimals_on_a_quantity_is_refused():
    message = cm.order_message()
    line = replace(message.orders[0].lines[0], qty=Decimal("1.000001"))
    with pytest.raises(c.CustomsEncodingError, match="more than 5 decimals"):
        c.to_bytes(replace(message, orders=(replace(message.orders[0], lines=(line,)),)))


def test_at_most_100_business_nodes_and_99_lines_and_at_least_one_of_each():
    message = cm.order_message()
    c.to_bytes(replace(message, orders=message.orders * 100))
    with pytest.raises(c.CustomsEncodingError, match="101 given, the standard allows 1–100"):
        c.to_bytes(replace(message, orders=message.orders * 101))
    with pytest.raises(c.CustomsEncodingError, match="0 given"):
        c.to_bytes(replace(message, orders=()))
    with pytest.raises(c.CustomsEncodingError, match="100 given, the standard allows 1–99"):
        c.to_bytes(cm.order_message(100))
    with pytest.raises(c.CustomsEncodingError, match="0 given"):
        c.to_bytes(replace(message, orders=(replace(message.orders[0], lines=()),)))


def test_something_else_than_a_message_is_refused():
    with pytest.raises(c.CustomsEncodingError, match="not a customs message: OrderHead"):
        c.to_bytes(cm.order_message().orders[0].head)


def test_message_type_names_the_root():
    assert c.message_type(c.to_bytes(cm.refund_message())) == "CEB625Message"


@pytest.mark.parametrize(
    ("data", "message_part"),
    [
        (b"<ceb:CEB311Message xmlns:ceb='http://www.chinaport.gov.cn/ceb'", "not well-formed"),
        (b"<CEB311Message/>", "not a customs message this package reads"),
        (b"<!DOCTYPE x [<!ENTITY e 'x'>]><x>&e;</x>", "DOCTYPE"),
        (b"<ceb:CEB711Message xmlns:ceb='http://www.chinaport.gov.cn/ceb'/>", "CEB711Message"),
    ],
)
def test_the_parser_refuses_what_is_not_a_message_it_reads(data, message_part):
    with pytest.raises(c.CustomsParseError, match=message_part):
        c.from_bytes(data)


def test_the_parser_names_the_missing_element_and_the_bad_number():
    data = c.to_bytes(cm.order_message())
    missing = data.replace(b"<ceb:orderNo>LP20240501000001</ceb:orderNo>", b"")
    with pytest.raises(c.CustomsParseError, match="/CEB311Message/Order\\[1\\]/OrderHead: missing orderNo"):
        c.from_bytes(missing)
    with pytest.raises(c.CustomsParseError, match="OrderHead/freight: not a decimal"):
        c.from_bytes(data.replace(b"<ceb:freight>10.00<", b"<ceb:freight>ten<"))
