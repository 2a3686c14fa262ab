"""``POST /api/v1/checkout/quote``: the exact amounts and every refusal, creating nothing."""
from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, Depends

from liveport.accounts.domain import Principal, Role
from liveport.accounts.guards import get_context, optional_principal, rate_limited
from liveport.catalog.reference import current_positive_list
from liveport.checkout.schemas import LineOut, QuoteIn, QuoteOut, parse_freight
from liveport.checkout.services import Buyer, PricedBasket, price_basket
from liveport.context import AppContext
from liveport.core.clock import utcnow
from liveport.core.errors import ValidationFailed
from liveport.core.money import fen_text
from liveport.flashsale.services import get_drop
from liveport.orders.domain import trade_mode_for

router = APIRouter(prefix="/api/v1/checkout", tags=["checkout"])


def quote_out(priced: PricedBasket) -> QuoteOut:
    quote = priced.quote
    lines = [LineOut(gnum=n, product_id=line.product_id, sku=line.sku, name=line.name, qty=line.qty,
                     unit_price=fen_text(line.unit_price), goods_value=fen_text(taxed.goods_value),
                     freight_share=fen_text(taxed.freight_share), dutiable_value=fen_text(taxed.dutiable_value),
                     consumption_tax=fen_text(taxed.consumption_tax), vat=fen_text(taxed.vat), tax_total=fen_text(taxed.tax_total))
             for n, (line, taxed) in enumerate(zip(priced.lines, quote.lines, strict=True), 1)]
    remaining = priced.remaining_quota
    return QuoteOut(
        goods_value=fen_text(quote.goods_value), freight=fen_text(quote.freight), insurance=fen_text(quote.insurance),
        discount=fen_text(quote.discount), tax_total=fen_text(quote.tax_total), actural_paid=fen_text(quote.actural_paid),
        dutiable_value=fen_text(quote.dutiable_value), regime=quote.regime.value, lines=lines,
        exhibitor_id=priced.exhibitor_id, warehouse_kind=priced.warehouse.kind,
        trade_mode=trade_mode_for(priced.warehouse.kind).value,
        remaining_quota=None if remaining is None else fen_text(remaining),
        quota_after_order=None if remaining is None else fen_text(remaining - priced.quota_amount),
    )


@router.post("/quote", response_model=QuoteOut, dependencies=[Depends(rate_limited("quote"))])
def quote(body: QuoteIn, principal: Principal | None = Depends(optional_principal),
          ctx: AppContext = Depends(get_context)) -> QuoteOut:
    buyer = (Buyer(principal.user_id, principal.identity_hash)
             if principal is not None and principal.role is Role.BUYER else None)
    freight = parse_freight(body.freight, ctx.settings.max_freight_cny)
    warehouse_id, unit_price = _drop_terms(ctx, body)
    with ctx.db.reader() as session:
        priced = price_basket(session, ctx.settings, current_positive_list(ctx.settings),
                              items=[i.request() for i in body.items], freight=freight, buyer=buyer,
                              consignee_id=body.consignee_id, now=utcnow(),
                              warehouse_id=warehouse_id, unit_price=unit_price)
        return quote_out(priced)


def _drop_terms(ctx: AppContext, body: QuoteIn) -> tuple[int | None, Decimal | None]:
    """A flash-sale drop sells from its own warehouse at its own price (as an order placed
    from its reservation is priced): the room's checkout quotes exactly that."""
    if body.drop_id is None:
        return None, None
    drop = get_drop(ctx.db, body.drop_id)
    if len(body.items) != 1 or body.items[0].product_id != drop.product_id:
        raise ValidationFailed("A drop's quote has one item: the drop's product.", code="drop_item_mismatch",
                               message_zh="秒杀报价只能包含该秒杀的商品。",
                               details={"drop_id": drop.id, "product_id": drop.product_id})
    return drop.warehouse_id, drop.price
