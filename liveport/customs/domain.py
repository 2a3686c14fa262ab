"""What Liveport declares for a paid order, and what the receipts mean (issue 8). Pure.

The platform sends CEB311 (as ebp) and CEB621/623 (as the exhibitor's agent); the payment
company sends CEB411 and the carrier CEB511 (DESIGN.md §3). Builders here turn an order's
facts into the standard's dataclasses (liveport.protocols.customs); the codec writes them.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from liveport.protocols import customs as ceb

ZERO = Decimal(0)
# Transport mode codes of the inventory list: goods leaving a bonded logistics centre (1210),
# or flown in by air (9610).
TRAF_MODE = {"1210": "W", "9610": "5"}


class Kind(StrEnum):
    ORDER = "311"
    PAYMENT = "411"
    WAYBILL = "511"
    INVENTORY = "621"
    CANCEL = "623"
    RETURN = "625"


# Which declaration a receipt answers.
RECEIPT_KIND = {"CEB312Message": Kind.ORDER, "CEB412Message": Kind.PAYMENT, "CEB512Message": Kind.WAYBILL,
                "CEB622Message": Kind.INVENTORY, "CEB624Message": Kind.CANCEL, "CEB626Message": Kind.RETURN}
ACCEPTED, REJECTED, RELEASED = "120", "100", "800"


@dataclass(frozen=True, slots=True)
class Party:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class LineFacts:
    gnum: int
    sku: str
    name: str
    hs_code: str
    origin_country: str
    trading_unit: str
    legal_unit: str
    legal_qty: Decimal  # per item
    qty: int
    unit_price: Decimal
    goods_value: Decimal
    barcode: str | None
    gross_kg: Decimal  # per item
    net_kg: Decimal


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """Everything the declarations of one order carry (the buyer's ID number in clear)."""

    order_no: str
    cop_no: str
    trade_mode: str
    ebp: Party
    ebc: Party
    agent: Party
    assure_code: str
    customs_code: str
    port_code: str
    ems_no: str | None
    area: Party | None
    buyer_reg_no: str
    buyer_name: str
    buyer_id_number: str
    buyer_phone: str
    consignee: str
    consignee_phone: str
    consignee_address: str
    consignee_district: str
    goods_value: Decimal
    freight: Decimal
    discount: Decimal
    tax_total: Decimal
    actural_paid: Decimal
    lines: tuple[LineFacts, ...]
    pay: Party | None = None
    pay_transaction_id: str | None = None
    logistics: Party | None = None
    logistics_no: str | None = None
    invt_no: str | None = None
    pre_no: str | None = None
    transport: tuple[str, str, str, str] | None = None  # 9610: traf_mode, traf_no, voyage_no, bill_no


def cop_no_of(order_id: int) -> str:
    """Our own number for an order's inventory list (copNo ≤ 20): receipts 622/624/626 carry
    it and the single window's preNo, not the order number."""
    return f"LPI{order_id:017d}"


def base_transfer(sender: Party, dxp_id: str) -> ceb.BaseTransfer:
    return ceb.BaseTransfer(cop_code=sender.code, cop_name=sender.name, dxp_id=dxp_id)


def order_message(facts: OrderFacts, at: datetime, dxp_id: str) -> ceb.CEB311Message:
    head = ceb.OrderHead(
        app_time=ceb.app_time(at), order_no=facts.order_no, ebp_code=facts.ebp.code, ebp_name=facts.ebp.name,
        ebc_code=facts.ebc.code, ebc_name=facts.ebc.name, goods_value=facts.goods_value, freight=facts.freight,
        discount=facts.discount, tax_total=facts.tax_total, actural_paid=facts.actural_paid,
        buyer_reg_no=facts.buyer_reg_no, buyer_name=facts.buyer_name, buyer_telephone=facts.buyer_phone,
        buyer_id_number=facts.buyer_id_number, pay_code=facts.pay.code if facts.pay else None,
        pay_name=facts.pay.name if facts.pay else None, pay_transaction_id=facts.pay_transaction_id,
        consignee=facts.consignee, consignee_telephone=facts.consignee_phone,
        consignee_address=facts.consignee_address, consignee_district=facts.consignee_district)
    lines = tuple(ceb.OrderLine(
        gnum=line.gnum, item_no=line.sku[:30], item_name=line.name, gmodel=line.name, bar_code=line.barcode,
        unit=line.trading_unit, qty=Decimal(line.qty), price=line.unit_price, total_price=line.goods_value,
        country=line.origin_country) for line in facts.lines)
    return ceb.CEB311Message(orders=(ceb.Order(head=head, lines=lines),),
                             base_transfer=base_transfer(facts.ebp, dxp_id))


def _weights(lines: Sequence[LineFacts]) -> tuple[Decimal, Decimal]:
    gross = sum((line.gross_kg * line.qty for line in lines), ZERO)
    net = sum((line.net_kg * line.qty for line in lines), ZERO)
    return gross, net


class MissingTransport(ValueError):
    """A direct-mail (9610) list needs the flight's number, voyage and bill of lading."""


def inventory_message(facts: OrderFacts, at: datetime, dxp_id: str) -> ceb.CEB621Message:
    if facts.logistics is None or facts.logistics_no is None:
        raise ValueError(f"order {facts.order_no} has no waybill yet")
    bonded = facts.trade_mode == ceb.TRADE_MODE_BONDED
    if not bonded and facts.transport is None:
        raise MissingTransport(f"order {facts.order_no}: a 9610 list needs the carrier's flight details")
    traf_mode, traf_no, voyage_no, bill_no = facts.transport or (TRAF_MODE[facts.trade_mode], None, None, None)
    gross, net = _weights(facts.lines)
    head = ceb.InventoryHead(
        app_time=ceb.app_time(at), order_no=facts.order_no, ebp_code=facts.ebp.code, ebp_name=facts.ebp.name,
        ebc_code=facts.ebc.code, ebc_name=facts.ebc.name, logistics_no=facts.logistics_no,
        logistics_code=facts.logistics.code, logistics_name=facts.logistics.name, cop_no=facts.cop_no,
        assure_code=facts.assure_code, ems_no=facts.ems_no if bonded else None, decl_time=ceb.decl_date(at),
        customs_code=facts.customs_code, port_code=facts.port_code, buyer_id_number=facts.buyer_id_number,
        buyer_name=facts.buyer_name, buyer_telephone=facts.buyer_phone, consignee_address=facts.consignee_address,
        agent_code=facts.agent.code, agent_name=facts.agent.name,
        area_code=facts.area.code if facts.area and bonded else None,
        area_name=facts.area.name if facts.area and bonded else None,
        trade_mode=facts.trade_mode, traf_mode=traf_mode, traf_no=traf_no, voyage_no=voyage_no, bill_no=bill_no,
        # 1210 ships from inside China; a 9610 parcel from its origin (cross-border.md §4)
        country=ceb.COUNTRY_CHINA if bonded else facts.lines[0].origin_country,
        freight=facts.freight, insured_fee=ZERO, gross_weight=gross, net_weight=net)
    lines = tuple(ceb.InventoryLine(
        gnum=line.gnum, item_record_no=line.sku[:30] if bonded else None, item_no=line.sku[:20], gcode=line.hs_code,
        gname=line.name,
        gmodel=line.name, bar_code=line.barcode, country=line.origin_country, qty=Decimal(line.qty),
        unit=line.trading_unit, qty1=line.legal_qty * line.qty, unit1=line.legal_unit, price=line.unit_price,
        total_price=line.goods_value) for line in facts.lines)
    return ceb.CEB621Message(inventories=(ceb.Inventory(head=head, lines=lines),),
                             base_transfer=base_transfer(facts.agent, dxp_id))


def cancel_message(facts: OrderFacts, reason: str, at: datetime, dxp_id: str) -> ceb.CEB623Message:
    if facts.invt_no is None or facts.logistics is None or facts.logistics_no is None:
        raise ValueError(f"order {facts.order_no}: customs has not numbered its inventory list yet")
    cancel = ceb.InvtCancel(
        app_time=ceb.app_time(at), customs_code=facts.customs_code, order_no=facts.order_no,
        ebp_code=facts.ebp.code, ebp_name=facts.ebp.name, ebc_code=facts.ebc.code, ebc_name=facts.ebc.name,
        logistics_no=facts.logistics_no, logistics_code=facts.logistics.code, logistics_name=facts.logistics.name,
        cop_no=facts.cop_no, pre_no=facts.pre_no, invt_no=facts.invt_no, buyer_id_number=facts.buyer_id_number,
        buyer_name=facts.buyer_name, buyer_telephone=facts.buyer_phone, agent_code=facts.agent.code,
        agent_name=facts.agent.name, reason=reason[:1000])
    return ceb.CEB623Message(cancels=(cancel,), base_transfer=base_transfer(facts.agent, dxp_id))


def return_message(facts: OrderFacts, lines: Sequence[LineFacts], reason: str, at: datetime,
                   dxp_id: str) -> ceb.CEB625Message:
    """A return of (some of) a released inventory list's lines: customs needs its invtNo."""
    if facts.invt_no is None or facts.logistics is None or facts.logistics_no is None:
        raise ValueError(f"order {facts.order_no}: customs has not numbered its inventory list")
    head = ceb.InvtRefundHead(
        app_time=ceb.app_time(at), customs_code=facts.customs_code, order_no=facts.order_no,
        ebp_code=facts.ebp.code, ebp_name=facts.ebp.name, ebc_code=facts.ebc.code, ebc_name=facts.ebc.name,
        logistics_no=facts.logistics_no, logistics_code=facts.logistics.code, logistics_name=facts.logistics.name,
        cop_no=facts.cop_no, pre_no=facts.pre_no, invt_no=facts.invt_no, buyer_id_number=facts.buyer_id_number,
        buyer_name=facts.buyer_name, buyer_telephone=facts.buyer_phone, agent_code=facts.agent.code,
        agent_name=facts.agent.name, reason=reason[:1000])
    refund_lines = tuple(ceb.InvtRefundLine(gnum=line.gnum, gcode=line.hs_code, gname=line.name,
                                            qty=Decimal(line.qty), unit=line.trading_unit) for line in lines)
    return ceb.CEB625Message(refunds=(ceb.InvtRefund(head=head, lines=refund_lines),),
                             base_transfer=base_transfer(facts.agent, dxp_id))


@dataclass(frozen=True, slots=True)
class ReceiptFacts:
    """One receipt, reduced to what the pipeline needs: which declaration and its status."""

    msg_type: str
    key: str  # order no (312), transaction id (412), logistics no (512), copNo (622/624/626)
    status: str
    info: str
    at: str
    pre_no: str | None = None
    invt_no: str | None = None


SCHEMA_FAILURE = "CEB900Message"  # the window could not read what we sent: keyed by our CopMsgId


def receipt_facts(message: object) -> list[ReceiptFacts]:
    kind = type(message).__name__
    found = []
    if kind == SCHEMA_FAILURE:
        return [ReceiptFacts(kind, r.ori_cop_msg_id, r.return_status, r.return_info, r.return_time)
                for r in getattr(message, "returns", ())]
    for r in getattr(message, "returns", ()):
        key = (getattr(r, "order_no", None) if kind == "CEB312Message"
               else getattr(r, "pay_transaction_id", None) if kind == "CEB412Message"
               else getattr(r, "logistics_no", None) if kind == "CEB512Message"
               else getattr(r, "cop_no", None))
        found.append(ReceiptFacts(kind, key or "", r.return_status, r.return_info, r.return_time,
                                  getattr(r, "pre_no", None), getattr(r, "invt_no", None)))
    return found
