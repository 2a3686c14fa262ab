"""Reading an order's declaration facts from the database (the buyer's ID in clear, for the
customs messages only: DESIGN.md §6)."""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveport.buyers.models import Identity
from liveport.buyers.protection import IdentityProtector
from liveport.catalog.models import Exhibitor, Product, Warehouse
from liveport.core.settings import Settings
from liveport.customs.domain import Kind, LineFacts, OrderFacts, Party, cop_no_of
from liveport.customs.models import Declaration
from liveport.orders.models import Order, OrderLine
from liveport.payments.models import Payment


def platform(settings: Settings) -> Party:
    return Party(settings.customs.ebp_code, settings.customs.ebp_name)


def agent(settings: Settings) -> Party:
    return Party(settings.customs.agent_code, settings.customs.agent_name)


def declarations_of(session: Session, order_id: int) -> dict[str, Declaration]:
    rows = session.execute(select(Declaration).where(Declaration.order_id == order_id)).scalars()
    return {row.kind: row for row in rows}


def order_facts(session: Session, settings: Settings, protector: IdentityProtector, order: Order) -> OrderFacts:
    lines = list(session.execute(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.gnum)).scalars())
    products = {p.id: p for p in session.execute(
        select(Product).where(Product.id.in_([line.product_id for line in lines]))).scalars()}
    exhibitor = session.get(Exhibitor, order.exhibitor_id)
    warehouse = session.get(Warehouse, order.warehouse_id)
    identity = session.execute(select(Identity).where(Identity.user_id == order.buyer_user_id)).scalar_one_or_none()
    if identity is None or exhibitor is None or warehouse is None:
        raise LookupError(f"order {order.order_no}: buyer identity, exhibitor or warehouse is missing")
    payment = session.execute(select(Payment).where(Payment.order_id == order.id, Payment.transaction_id.is_not(None))
                              .order_by(Payment.id)).scalars().first()
    done = declarations_of(session, order.id)
    pay, waybill, inventory = done.get(Kind.PAYMENT.value), done.get(Kind.WAYBILL.value), done.get(Kind.INVENTORY.value)
    custom = settings.customs
    return OrderFacts(
        order_no=order.order_no, cop_no=cop_no_of(order.id), trade_mode=order.trade_mode,
        ebp=platform(settings), ebc=Party(exhibitor.customs_code, exhibitor.customs_name), agent=agent(settings),
        assure_code=custom.assure_code, customs_code=custom.customs_code, port_code=custom.port_code,
        ems_no=warehouse.ems_no or custom.ems_no,
        area=Party(warehouse.area_code or custom.area_code, custom.area_name),
        buyer_reg_no=f"LPU{order.buyer_user_id}", buyer_name=identity.full_name,
        buyer_id_number=protector.decrypt(identity.id_cipher), buyer_phone=identity.phone,
        consignee=order.consignee_name, consignee_phone=order.consignee_phone,
        consignee_address=order.consignee_address, consignee_district=order.consignee_district,
        goods_value=order.goods_value, freight=order.freight, discount=order.discount, tax_total=order.tax_total,
        actural_paid=order.actural_paid,
        lines=tuple(LineFacts(
            gnum=line.gnum, sku=line.sku, name=line.name_zh, hs_code=line.hs_code, origin_country=line.origin_country,
            trading_unit=line.trading_unit, legal_unit=line.legal_unit, legal_qty=line.legal_qty, qty=line.qty,
            unit_price=line.unit_price, goods_value=line.goods_value, barcode=products[line.product_id].barcode,
            gross_kg=products[line.product_id].gross_weight_kg, net_kg=products[line.product_id].net_weight_kg)
            for line in lines),
        pay=Party(pay.party_code, pay.party_name or "") if pay is not None and pay.party_code else None,
        pay_transaction_id=payment.transaction_id if payment is not None else None,
        logistics=Party(waybill.party_code, waybill.party_name or "") if waybill is not None and waybill.party_code else None,
        logistics_no=waybill.key if waybill is not None and waybill.key else None,
        invt_no=inventory.invt_no if inventory is not None else None,
        pre_no=inventory.pre_no if inventory is not None else None,
        transport=tuple(json.loads(waybill.note)) if waybill is not None and waybill.note else None,
    )
