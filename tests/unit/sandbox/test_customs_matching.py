"""The single window's own three-document match, on consistent and broken document sets."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from liveport.sandbox.customs.matching import mask, mismatches
from tests.support.customs_sandbox import (
    DeclarationSet,
    declaration_set,
    with_inventory_lines,
    with_order_head,
    with_payment,
    with_waybill,
)


def _reasons(found: DeclarationSet) -> list[str]:
    return mismatches(found.order.orders[0], found.payment.payments[0], found.waybill.logistics[0],
                      found.inventory.inventories[0])


def test_a_consistent_set_matches():
    assert _reasons(declaration_set("LP0001", lines=3)) == []


def test_the_payment_must_be_what_the_order_says_was_paid():
    broken = with_payment(declaration_set("LP0002"), amount_paid=Decimal("200.00"))
    assert _reasons(broken) == ["payment amountPaid 200.00 differs from the order's acturalPaid 200.28"]


def test_the_order_total_must_add_up():
    broken = with_order_head(declaration_set("LP0003"), discount=Decimal("5.00"))
    assert _reasons(broken) == [
        "order acturalPaid 200.28 is not goodsValue + freight + taxTotal − discount = 195.28"
    ]


def test_the_payer_must_be_the_buyer_and_ids_are_masked():
    broken = with_payment(declaration_set("LP0004"), payer_name="张伟", payer_id_number="11010519491231002X")
    assert _reasons(broken) == [
        "payer on the payment (张伟, 1101**********002X) is not the buyer on the order (王小明, 1101**********4514)"
    ]


def test_the_consignee_must_be_the_waybills():
    broken = with_waybill(declaration_set("LP0005"), consignee_telephone="13900000000",
                          consignee_address="北京市朝阳区1号")
    assert _reasons(broken) == [
        (f"consignee on the waybill {broken.waybill.logistics[0].logistics_no} differs from the order's:"
        " consigneeTelephone, consigneeAddress")
    ]


def test_lines_correspond_one_to_one_by_gnum_with_names_and_quantities():
    found = declaration_set("LP0006", lines=3)
    lines = found.inventory.inventories[0].lines
    broken = with_inventory_lines(found, (
        lines[0],
        replace(lines[1], item_name=None, gname="松子仁", qty=Decimal(3)),
    ))
    assert _reasons(broken) == [
        "the inventory list has 2 lines, the order 3",
        "line 2: goods name '松子仁' on the list, '阿富汗松子 2' on the order",
        "line 2: quantity 3 on the list, 2 on the order",
        "line gnum 3 of the order is not on the inventory list",
    ]


def test_the_order_names_its_payment_transaction():
    broken = with_order_head(declaration_set("LP0007"), pay_transaction_id="ECNY-OTHER")
    assert _reasons(broken) == ["order payTransactionId ECNY-OTHER differs from the payment's ECNYLP0007"]


def test_mask_keeps_only_the_ends():
    assert (mask("110101199003074514"), mask("1234")) == ("1101**********4514", "****")
