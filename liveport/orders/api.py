"""Order routes: place (from a basket or a flash-sale reservation), list mine, read one."""
from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends, Header, Response

from liveport.accounts.domain import Principal, Role
from liveport.accounts.guards import get_context, rate_limited, require
from liveport.buyers.domain import mask_phone
from liveport.catalog.reference import current_positive_list
from liveport.checkout.schemas import (
    ConsigneeCopy,
    EventOut,
    LineOut,
    OrderIn,
    OrderOut,
    parse_freight,
)
from liveport.checkout.services import Buyer
from liveport.context import AppContext
from liveport.core.money import fen_text
from liveport.flashsale.domain import GateUnavailable
from liveport.flashsale.lifecycle import GATE_KEY
from liveport.orders import services
from liveport.orders.errors import IdempotencyKeyRequired, ReservationUnusable
from liveport.orders.models import Order, OrderEvent, OrderLine

router = APIRouter(prefix="/api/v1/orders", tags=["orders"])
buyer_only = require(Role.BUYER)
readers = require(Role.BUYER, Role.OPERATOR)


def order_out(order: Order, lines: list[OrderLine], events: list[OrderEvent]) -> OrderOut:
    return OrderOut(
        order_no=order.order_no, status=order.status, regime=order.regime, source=order.source,
        trade_mode=order.trade_mode, exhibitor_id=order.exhibitor_id, drop_id=order.drop_id,
        reservation_id=order.reservation_id, quota_year=order.quota_year, created_at=order.created_at,
        expires_at=order.expires_at, goods_value=fen_text(order.goods_value), freight=fen_text(order.freight),
        insurance=fen_text(order.insurance), discount=fen_text(order.discount), tax_total=fen_text(order.tax_total),
        actural_paid=fen_text(order.actural_paid), dutiable_value=fen_text(order.dutiable_value),
        consignee=ConsigneeCopy(name=order.consignee_name, phone=mask_phone(order.consignee_phone),
                                address=order.consignee_address, district_code=order.consignee_district),
        lines=[LineOut(gnum=ln.gnum, product_id=ln.product_id, sku=ln.sku, name=ln.name_zh, qty=ln.qty,
                       unit_price=fen_text(ln.unit_price), goods_value=fen_text(ln.goods_value),
                       freight_share=fen_text(ln.freight_share), dutiable_value=fen_text(ln.dutiable_value),
                       consumption_tax=fen_text(ln.consumption_tax), vat=fen_text(ln.vat), tax_total=fen_text(ln.tax_total))
               for ln in lines],
        trail=[EventOut(status=e.status, reason=e.reason, at=e.at) for e in events],
    )


@router.post("", response_model=OrderOut, status_code=201, dependencies=[Depends(rate_limited("orders"))])
async def place(body: OrderIn, response: Response, principal: Principal = Depends(buyer_only),
                idempotency_key: str | None = Header(None, max_length=128),
                ctx: AppContext = Depends(get_context)) -> OrderOut:
    if not idempotency_key:
        raise IdempotencyKeyRequired()
    freight = parse_freight(body.freight, ctx.settings.max_freight_cny)
    reservation = None
    if body.reservation_id is not None:
        gate = ctx.extras.get(GATE_KEY)
        if gate is None:
            raise GateUnavailable(code="gate_not_started")
        reservation = await gate.get(body.reservation_id)
        if reservation is None:
            raise ReservationUnusable(details={"reservation_id": body.reservation_id})
    new = services.NewOrder(idempotency_key=idempotency_key, consignee_id=body.consignee_id, freight=freight,
                            items=tuple(i.request() for i in body.items or ()), reservation=reservation)
    buyer = Buyer(principal.user_id, principal.identity_hash)
    plist = current_positive_list(ctx.settings)
    placed = await asyncio.to_thread(services.place_order, ctx.db, ctx.settings, plist, buyer, new)
    if placed.replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    order, lines, events = await asyncio.to_thread(services.get_order, ctx.db, placed.order.order_no,
                                                   buyer_user_id=principal.user_id)
    return order_out(order, lines, events)


@router.get("", response_model=list[OrderOut])
def mine(principal: Principal = Depends(buyer_only), ctx: AppContext = Depends(get_context)) -> list[OrderOut]:
    orders = services.list_orders(ctx.db, principal.user_id)
    lines = services.lines_of(ctx.db, [o.id for o in orders])
    events = services.trails_of(ctx.db, [o.id for o in orders])
    return [order_out(o, lines.get(o.id, []), events.get(o.id, [])) for o in orders]


@router.get("/{order_no}", response_model=OrderOut)
def one(order_no: str, principal: Principal = Depends(readers), ctx: AppContext = Depends(get_context)) -> OrderOut:
    owner = None if principal.is_operator else principal.user_id
    return order_out(*services.get_order(ctx.db, order_no, buyer_user_id=owner))
