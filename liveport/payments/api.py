"""Payment routes: start paying an order, the providers' notifications, refunds."""
from __future__ import annotations

import asyncio
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Literal

from fastapi import APIRouter, Depends, Header, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from liveport.accounts.domain import Principal, Role
from liveport.accounts.guards import get_context, rate_limited, require
from liveport.buyers.services import identity_for_declaration
from liveport.catalog.reference import current_positive_list
from liveport.context import AppContext
from liveport.core.clock import utcnow
from liveport.core.errors import ValidationFailed
from liveport.core.money import Money, fen_text
from liveport.flashsale.lifecycle import GATE_KEY
from liveport.orders import services as orders
from liveport.orders.errors import IdempotencyKeyRequired
from liveport.payments import flows, services
from liveport.payments.domain import Buyer, PreOrder
from liveport.payments.models import Payment
from liveport.payments.registry import provider_for

router = APIRouter(prefix="/api/v1", tags=["payments"])
buyer_only = require(Role.BUYER)
operator_only = require(Role.OPERATOR)
readers = require(Role.BUYER, Role.OPERATOR)
MAX_NOTIFICATION = 64 * 1024


class PayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    provider: Literal["ecny", "card"]


class PaymentOut(BaseModel):
    provider: str
    out_trade_no: str
    amount: str
    status: str
    code_url: str | None = Field(description="The e-CNY QR code's content.")
    cashier_url: str | None = Field(description="The provider's page where the buyer confirms.")
    refunded: str
    paid_at: datetime | None

    @classmethod
    def of(cls, p: Payment) -> PaymentOut:
        return cls(provider=p.provider, out_trade_no=p.out_trade_no, amount=fen_text(p.amount), status=p.status,
                   code_url=p.code_url, cashier_url=p.cashier_url, refunded=fen_text(p.refunded), paid_at=p.paid_at)


class RefundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: str | None = Field(None, max_length=20, description="Yuan; omit for everything not yet refunded.")
    reason: str = Field(min_length=1, max_length=200)


class RefundOut(BaseModel):
    out_refund_no: str
    amount: str
    replayed: bool


@router.post("/orders/{order_no}/payments", response_model=PaymentOut, status_code=201,
             dependencies=[Depends(rate_limited("payments"))])
def start_payment(order_no: str, body: PayIn, principal: Principal = Depends(buyer_only),
                  ctx: AppContext = Depends(get_context)) -> PaymentOut:
    """A pre-order with the provider: the e-CNY QR code and cashier link, or the card page."""
    now = utcnow()
    order = services.payable_order(ctx.db, order_no, principal.user_id, now)
    person = identity_for_declaration(ctx.db, ctx.identity, principal.user_id)
    provider = provider_for(ctx, body.provider)
    link = provider.pre_order(PreOrder(
        out_trade_no=order.order_no, amount=Money(order.actural_paid, "CNY"),
        description=f"Liveport {order.order_no}", notify_url=f"{ctx.settings.base_url}/api/v1/payments/notify/{body.provider}",
        expires_at=order.expires_at, buyer=Buyer(person.full_name, person.id_number)))
    return PaymentOut.of(services.record_payment_link(ctx.db, order, body.provider, link.code_url, link.cashier_url, now))


@router.get("/orders/{order_no}/payments", response_model=list[PaymentOut])
def list_payments(order_no: str, principal: Principal = Depends(readers),
                  ctx: AppContext = Depends(get_context)) -> list[PaymentOut]:
    order, _lines, _trail = orders.get_order(ctx.db, order_no, buyer_user_id=None if principal.is_operator else principal.user_id)
    return [PaymentOut.of(p) for p in services.payments_of(ctx.db, order.id)]


# Deliberately public: the provider calls it; what proves it is the provider is the SM2
# signature, verified before anything else is read.
@router.post("/payments/notify/{provider}", include_in_schema=False)
async def notification(provider: Literal["ecny", "card"], request: Request,
                       ctx: AppContext = Depends(get_context)) -> Response:
    body = await request.body()
    if len(body) > MAX_NOTIFICATION:
        raise ValidationFailed("The notification is too large.", code="payload_too_large")
    ack = await flows.handle_notification(
        ctx.db, ctx.settings, current_positive_list(ctx.settings), ctx.extras.get(GATE_KEY),
        provider_for(ctx, provider), body, utcnow(), lambda name: provider_for(ctx, name))
    return Response(ack, media_type="application/json")


@router.post("/orders/{order_no}/refunds", response_model=RefundOut, status_code=201)
async def refund(order_no: str, body: RefundIn, principal: Principal = Depends(operator_only),
                 idempotency_key: str | None = Header(None, max_length=128),
                 ctx: AppContext = Depends(get_context)) -> RefundOut:
    if not idempotency_key:
        raise IdempotencyKeyRequired()
    amount = _amount(body.amount)
    order, _lines, _trail = await asyncio.to_thread(orders.get_order, ctx.db, order_no, buyer_user_id=None)
    plan = await flows.refund(ctx.db, lambda name: provider_for(ctx, name), order.id, amount, body.reason,
                              idempotency_key, utcnow())
    return RefundOut(out_refund_no=plan.out_refund_no, amount=fen_text(plan.amount), replayed=plan.replayed)


def _amount(raw: str | None) -> Decimal | None:
    if raw is None:
        return None
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationFailed("A refund amount is yuan with at most 2 decimals, above zero.", code="invalid_amount")
    return amount
