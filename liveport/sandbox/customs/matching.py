"""The three-document match (三单对碰) customs performs before it takes an inventory list,
written here from cross-border.md §6 and nowhere else: it must stay independent of the
code it checks (Liveport's builders and rules).

Given the order (CEB311), the payment (CEB411) and the waybill (CEB511) the window holds for
an inventory list (CEB621) — joined by orderNo + ebpCode and by logisticsNo +
logisticsCode — ``mismatches`` lists every disagreement as a reason for the 100 receipt:

- the order's acturalPaid = goodsValue + freight + taxTotal − discount = the payment's
  amountPaid (and the order's payCode / payTransactionId, when given, are the payment's);
- the buyer on the order (name, ID number) is the payer on the payment and the buyer on
  the list; the list's ebcCode is the order's;
- the order's consignee, consigneeTelephone, consigneeAddress are the waybill's, and the
  waybill is for the list's order;
- the list's lines correspond 1:1 by gnum to the order's, with the same goods name (the
  line's itemName when the list gives one, else its gname) and the same quantity.
ID numbers and telephone numbers in reasons are masked: reasons reach operators and buyers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def mask(value: str, keep_start: int = 4, keep_end: int = 4) -> str:
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def _amount(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


def _payment_reasons(order: Any, payment: Any) -> list[str]:
    reasons = []
    expected = order.goods_value + order.freight + order.tax_total - order.discount
    if order.actural_paid != expected:
        reasons.append(
            f"order acturalPaid {_amount(order.actural_paid)} is not goodsValue + freight + taxTotal − discount"
            f" = {_amount(expected)}"
        )
    if payment.amount_paid != order.actural_paid:
        reasons.append(
            f"payment amountPaid {_amount(payment.amount_paid)} differs from the order's acturalPaid"
            f" {_amount(order.actural_paid)}"
        )
    if order.pay_code and order.pay_code != payment.pay_code:
        reasons.append(f"order payCode {order.pay_code} differs from the payment's {payment.pay_code}")
    if order.pay_transaction_id and order.pay_transaction_id != payment.pay_transaction_id:
        reasons.append(
            f"order payTransactionId {order.pay_transaction_id} differs from the payment's"
            f" {payment.pay_transaction_id}"
        )
    if (order.buyer_id_number, order.buyer_name) != (payment.payer_id_number, payment.payer_name):
        reasons.append(
            f"payer on the payment ({payment.payer_name}, {mask(payment.payer_id_number)}) is not the buyer"
            f" on the order ({order.buyer_name}, {mask(order.buyer_id_number)})"
        )
    return reasons


def _waybill_reasons(order: Any, waybill: Any, inventory: Any) -> list[str]:
    reasons = []
    differing = [
        name for name, ours, theirs in (
            ("consignee", order.consignee, waybill.consignee),
            ("consigneeTelephone", order.consignee_telephone, waybill.consignee_telephone),
            ("consigneeAddress", order.consignee_address, waybill.consignee_address),
        ) if ours.strip() != theirs.strip()
    ]
    if differing:
        reasons.append(
            f"consignee on the waybill {waybill.logistics_no} differs from the order's: {', '.join(differing)}"
        )
    if waybill.order_no != inventory.order_no:
        reasons.append(f"waybill {waybill.logistics_no} is for order {waybill.order_no}, not {inventory.order_no}")
    return reasons


def _list_reasons(order: Any, inventory: Any) -> list[str]:
    reasons = []
    if (inventory.buyer_id_number, inventory.buyer_name) != (order.buyer_id_number, order.buyer_name):
        reasons.append(
            f"buyer on the inventory list ({inventory.buyer_name}, {mask(inventory.buyer_id_number)}) is not"
            f" the buyer on the order ({order.buyer_name}, {mask(order.buyer_id_number)})"
        )
    if inventory.ebc_code != order.ebc_code:
        reasons.append(f"inventory ebcCode {inventory.ebc_code} differs from the order's {order.ebc_code}")
    return reasons


def _line_reasons(order_lines: tuple[Any, ...], list_lines: tuple[Any, ...]) -> list[str]:
    reasons = []
    if len(list_lines) != len(order_lines):
        reasons.append(f"the inventory list has {len(list_lines)} lines, the order {len(order_lines)}")
    ordered = {line.gnum: line for line in order_lines}
    listed = {line.gnum: line for line in list_lines}
    for gnum in sorted(set(ordered) | set(listed)):
        ours, theirs = ordered.get(gnum), listed.get(gnum)
        if ours is None:
            reasons.append(f"line gnum {gnum} of the inventory list is not on the order")
            continue
        if theirs is None:
            reasons.append(f"line gnum {gnum} of the order is not on the inventory list")
            continue
        name = theirs.item_name or theirs.gname
        if name != ours.item_name:
            reasons.append(f"line {gnum}: goods name {name!r} on the list, {ours.item_name!r} on the order")
        if theirs.qty != ours.qty:
            reasons.append(f"line {gnum}: quantity {theirs.qty} on the list, {ours.qty} on the order")
    return reasons


def mismatches(order: Any, payment: Any, waybill: Any, inventory: Any) -> list[str]:
    """``order`` an Order (head + lines), ``payment`` a Payment, ``waybill`` a Logistics,
    ``inventory`` an Inventory (head + lines): every reason they do not agree."""
    head, invt = order.head, inventory.head
    return (
        _payment_reasons(head, payment)
        + _list_reasons(head, invt)
        + _waybill_reasons(head, waybill, invt)
        + _line_reasons(order.lines, inventory.lines)
    )
