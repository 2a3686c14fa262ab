"""The own structural checks: what they accept, and the rules they add to the XSD's.

(The corrupted set that both the XSD and these checks must reject is in
tests/integration/protocols/test_customs_schema.py, which reads the official XSD.)
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from liveport.protocols import customs as c
from tests.support import customs_messages as cm


@pytest.fixture(scope="module")
def agent() -> c.PartyCredentials:
    return c.generate_party(cm.AGENT[1], cm.AGENT[0])


@pytest.mark.parametrize("message", cm.business_messages() + cm.receipts(), ids=lambda m: type(m).__name__)
def test_every_built_message_passes(message, agent):
    data = c.to_bytes(message)
    if cm.must_be_signed(message):
        data = c.sign(data, agent)
    assert c.check_structure(data) == type(message).__name__
    assert c.validate(data) == type(message).__name__


def test_an_unsigned_inventory_list_is_refused_because_the_standard_requires_the_signature():
    with pytest.raises(c.CustomsSchemaError) as refused:
        c.validate(c.to_bytes(cm.inventory_message()))
    assert refused.value.source == "own"
    assert [str(p) for p in refused.value.problems] == ["/CEB621Message/Signature: required element missing"]


def _problems(data: bytes) -> list[str]:
    with pytest.raises(c.CustomsSchemaError) as refused:
        c.check_structure(data)
    return [str(p) for p in refused.value.problems]


def _order_with(**change) -> bytes:
    message = cm.order_message()
    head = replace(message.orders[0].head, **change)
    return c.to_bytes(replace(message, orders=(replace(message.orders[0], head=head),)))


HEAD = "/CEB311Message/Order[1]/OrderHead"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"app_type": "7"}, f"{HEAD}/appType: must be one of 1, 2, 3"),
        ({"app_status": "3"}, f"{HEAD}/appStatus: must be one of 1, 2"),
        ({"app_time": "20241301203015"}, f"{HEAD}/appTime: must be a date and time YYYYMMDDhhmmss"),
        ({"buyer_id_type": "2"}, f"{HEAD}/buyerIdType: must be one of 1"),
        ({"currency": "840"}, f"{HEAD}/currency: must be one of 142"),
        ({"order_type": "E"}, f"{HEAD}/orderType: must be one of I"),
        ({"guid": "4cde1cfd-eded-46b1-946c-b8022e42fc94"}, f"{HEAD}/guid: must be 36 characters: digits, upper-case letters and '-'"),
        ({"consignee_district": "31011A"}, f"{HEAD}/consigneeDistrict: must be 6 digits"),
    ],
)
def test_rules_of_the_standard_beyond_the_xsd_are_checked(change, problem):
    assert _problems(_order_with(**change)) == [problem]


def test_a_negative_amount_is_refused():
    data = c.to_bytes(cm.order_message()).replace(b"<ceb:freight>10.00<", b"<ceb:freight>-10.00<")
    assert _problems(data) == [f"{HEAD}/freight: must not be negative"]


def test_goods_lines_must_be_numbered_from_one_in_order():
    message = cm.order_message(3)
    lines = message.orders[0].lines
    swapped = (lines[0], lines[2], lines[1])
    data = c.to_bytes(replace(message, orders=(replace(message.orders[0], lines=swapped),)))
    assert _problems(data) == ["/CEB311Message/Order[1]/OrderList: gnum must run 1, 2, 3, … in order"]


def _signed_inventory(agent, trade_mode: str, **change) -> bytes:
    message = cm.inventory_message(trade_mode)
    inventory = message.inventories[0]
    head = replace(inventory.head, **change)
    return c.sign(c.to_bytes(replace(message, inventories=(replace(inventory, head=head),))), agent)


INVT = "/CEB621Message/Inventory[1]/InventoryHead"


def test_bonded_lists_need_the_ledger_and_the_area_and_china_as_country(agent):
    data = _signed_inventory(agent, c.TRADE_MODE_BONDED, ems_no=None, area_name=None, country="101")
    assert _problems(data) == [
        f"{INVT}/country: must be 142 in trade mode 1210 (bonded)",
        f"{INVT}/emsNo: required in trade mode 1210",
        f"{INVT}/areaName: required in trade mode 1210",
    ]


def test_bonded_lists_need_an_item_record_number_on_every_line(agent):
    message = cm.inventory_message(c.TRADE_MODE_BONDED, 2)
    inventory = message.inventories[0]
    lines = (inventory.lines[0], replace(inventory.lines[1], item_record_no=None))
    data = c.sign(c.to_bytes(replace(message, inventories=(replace(inventory, lines=lines),))), agent)
    assert _problems(data) == [
        "/CEB621Message/Inventory[1]/InventoryList/itemRecordNo: required on every line in trade mode 1210"
    ]


def test_direct_mail_lists_need_the_transport_fields(agent):
    data = _signed_inventory(agent, c.TRADE_MODE_DIRECT, traf_no=None, voyage_no="", bill_no=None)
    assert _problems(data) == [
        f"{INVT}/trafNo: required in trade mode 9610",
        f"{INVT}/voyageNo: required in trade mode 9610",
        f"{INVT}/billNo: required in trade mode 9610",
    ]


def test_a_problem_names_the_element_and_the_rule_and_lists_them_all():
    data = _order_with(app_type="7", order_no="X" * 61)
    assert _problems(data) == [
        f"{HEAD}/appType: must be one of 1, 2, 3",
        f"{HEAD}/orderNo: at most 60 characters, has 61",
    ]


def test_wrong_order_is_reported_once_per_misplaced_element():
    data = c.to_bytes(cm.order_message())
    swapped = data.replace(b"<ceb:appType>1</ceb:appType>", b"").replace(
        b"<ceb:appStatus>2</ceb:appStatus>", b"<ceb:appStatus>2</ceb:appStatus><ceb:appType>1</ceb:appType>"
    )
    assert _problems(swapped) == [f"{HEAD}/appType: out of order: must come before appTime"]


def test_unknown_messages_and_broken_xml_are_refused():
    assert _problems(b"<x") == ["/: not well-formed XML: Couldn't find end of Start Tag x line 1, line 1, column 3 (<string>, line 1)"]
    assert _problems(b"<ceb:CEB513Message xmlns:ceb='http://www.chinaport.gov.cn/ceb'/>") == [
        "/CEB513Message: not a message these checks know (CEB311/312/411/412/511/512/621–626/900)"
    ]
