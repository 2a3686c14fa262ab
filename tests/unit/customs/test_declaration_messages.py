"""The order (311), inventory list (621) and cancellation (623) Liveport builds for an order:
valid messages whose documents agree with each other."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from liveport.customs.domain import (
    LineFacts,
    MissingTransport,
    OrderFacts,
    Party,
    cancel_message,
    cop_no_of,
    inventory_message,
    order_message,
    receipt_facts,
)
from liveport.protocols import customs as ceb

AT = datetime(2026, 11, 26, 2, 30, tzinfo=UTC)
LINE = LineFacts(gnum=1, sku="RU-KOROVKA-500", name="小牛奶糖 500克", hs_code="1704900000", origin_country="344",
                 trading_unit="136", legal_unit="035", legal_qty=Decimal("0.5"), qty=2, unit_price=Decimal("48.00"),
                 goods_value=Decimal("96.00"), barcode="4601234001021", gross_kg=Decimal("0.53"), net_kg=Decimal("0.5"))
FACTS = OrderFacts(
    order_no="LP20261126103000ABCDEFGH23", cop_no=cop_no_of(42), trade_mode="1210",
    ebp=Party("4403169D3W", "Liveport"), ebc=Party("3101960R01", "伏尔加糖果"), agent=Party("4403180X7R", "Broker"),
    assure_code="4403169D3W", customs_code="5165", port_code="5165", ems_no="T5165W000001",
    area=Party("4403610001", "Bonded Centre"), buyer_reg_no="LPU7", buyer_name="王芳",
    buyer_id_number="310104198506173217", buyer_phone="13800138000", consignee="王芳", consignee_phone="13800138000",
    consignee_address="上海市徐汇区漕溪北路 88 号", consignee_district="310104", goods_value=Decimal("96.00"),
    freight=Decimal("10.00"), discount=Decimal("0"), tax_total=Decimal("9.65"), actural_paid=Decimal("115.65"),
    lines=(LINE, replace(LINE, gnum=2, sku="RU-ALENKA-100", name="爱莲巧克力", qty=1, goods_value=Decimal("48.00"))),
    pay=Party("4403169PAY", "e-CNY Operator"), pay_transaction_id="T2026112600000001",
    logistics=Party("4403169LOG", "Sandbox Express"), logistics_no="SBX000000000001", invt_no="516520261000000001",
    pre_no="B20261126000000001")


def test_the_order_and_the_list_validate_and_agree(shared_dir):
    xsd = shared_dir / "standards" / "customs-2022"
    order = ceb.from_bytes(ceb.seal(order_message(FACTS, AT, "DXPENT0000000001"), None, xsd))
    inventory = ceb.from_bytes(ceb.seal(inventory_message(FACTS, AT, "DXPENT0000000001"), ceb.generate_party("Broker", "4403180X7R"), xsd))
    head, listed = order.orders[0].head, inventory.inventories[0]
    assert head.actural_paid == head.goods_value + head.freight + head.tax_total - head.discount == Decimal("115.65")
    assert [(l.gnum, l.item_name, l.qty) for l in order.orders[0].lines] == [
        (l.gnum, l.gname, l.qty) for l in listed.lines]
    assert (listed.head.order_no, listed.head.ebp_code, listed.head.cop_no) == (head.order_no, head.ebp_code, "LPI00000000000000042")
    assert [l.qty1 for l in listed.lines] == [Decimal("1.0"), Decimal("0.5")]
    assert (listed.head.trade_mode, listed.head.country, listed.head.traf_mode) == ("1210", "142", "W")
    assert listed.head.gross_weight == Decimal("1.59")


def test_own_structural_checks_accept_them_without_the_xsd():
    assert ceb.validate(ceb.to_bytes(order_message(FACTS, AT, "DXPENT0000000001"))) == "CEB311Message"
    signed = ceb.sign(ceb.to_bytes(cancel_message(FACTS, "buyer changed her mind", AT, "DXPENT0000000001")),
                      ceb.generate_party("Broker", "4403180X7R"))
    assert ceb.validate(signed) == "CEB623Message"


def test_a_direct_mail_list_needs_its_flight_and_ships_from_the_origin(shared_dir):
    with pytest.raises(MissingTransport):
        inventory_message(replace(FACTS, trade_mode="9610"), AT, "DXPENT0000000001")
    direct = replace(FACTS, trade_mode="9610", transport=("5", "CA1040", "20261126", "999-12345675"))
    signed = ceb.seal(inventory_message(direct, AT, "DXPENT0000000001"), ceb.generate_party("Broker", "4403180X7R"),
                      shared_dir / "standards" / "customs-2022")
    head = ceb.from_bytes(signed).inventories[0].head
    assert (head.trade_mode, head.country, head.traf_no, head.bill_no, head.ems_no) == (
        "9610", "344", "CA1040", "999-12345675", None)


def test_receipts_are_reduced_to_the_key_their_declaration_is_found_by():
    receipt = ceb.CEB622Message(returns=(ceb.InventoryReturn(
        cop_no="LPI00000000000000042", pre_no="B20261126000000001", invt_no="516520261000000001",
        return_status="800", return_time="20261126103000000", return_info="放行"),))
    facts = receipt_facts(ceb.from_bytes(ceb.to_bytes(receipt)))
    assert [(f.msg_type, f.key, f.status, f.invt_no) for f in facts] == [
        ("CEB622Message", "LPI00000000000000042", "800", "516520261000000001")]
