"""A buyer's order page and its pay page (issue 7).

Both read the order through the orders service limited to the signed-in buyer: someone
else's order, or one that does not exist, is the same 404 page, so order numbers are never
confirmed. The pages hold no payment logic: the pay page's script starts the payment through
the API (POST /api/v1/orders/{no}/payments), draws the e-CNY QR code, and posts the card
form straight to the acquirer's hosted page, so card data never passes through Liveport.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from liveport.accounts.domain import Principal
from liveport.accounts.guards import get_context, optional_principal
from liveport.context import AppContext
from liveport.core.clock import utcnow
from liveport.core.money import fen_text
from liveport.core.settings import Settings
from liveport.orders import services as orders
from liveport.orders.domain import OPEN_STATES, OrderStatus
from liveport.orders.errors import OrderNotFound
from liveport.orders.models import Order, OrderEvent, OrderLine
from liveport.web import i18n
from liveport.web.rendering import page_language, render

router = APIRouter(include_in_schema=False, tags=["pages"])

S = OrderStatus
# States that say the buyer's payment landed: the pay page shows "Paid" for these.
PAYMENT_LANDED = frozenset({S.PAID, S.DECLARED, S.RELEASED, S.SHIPPED, S.DELIVERED,
                            S.RETURN_REQUESTED, S.RETURNED})
# The page stops polling in these: nothing will ever change.
FINAL_STATES = frozenset(S) - OPEN_STATES


@dataclass(frozen=True, slots=True)
class LineView:
    name: str
    qty: int
    unit_price: str
    goods_value: str
    consumption_tax: str
    vat: str
    tax_total: str


@dataclass(frozen=True, slots=True)
class OrderView:
    """What the pages print: every amount already a two-decimal string, as the API writes it."""

    order_no: str
    status: str
    regime: str
    created_at: datetime
    expires_at: datetime
    goods_value: str
    freight: str
    insurance: str | None  # None: zero, not shown
    discount: str | None
    consumption_tax: str
    vat: str
    tariff: str | None  # only under the full-tax regime
    tax_total: str
    total: str
    payable: bool
    payment_landed: bool
    lines: list[LineView]
    trail: list[OrderEvent]


def _shown_if_not_zero(amount: Decimal) -> str | None:
    return fen_text(amount) if amount else None


def order_view(order: Order, lines: list[OrderLine], trail: list[OrderEvent], lang: str,
               now: datetime) -> OrderView:
    consumption_tax = sum((ln.consumption_tax for ln in lines), Decimal(0))
    vat = sum((ln.vat for ln in lines), Decimal(0))
    return OrderView(
        order_no=order.order_no, status=order.status, regime=order.regime,
        created_at=order.created_at, expires_at=order.expires_at,
        goods_value=fen_text(order.goods_value), freight=fen_text(order.freight),
        insurance=_shown_if_not_zero(order.insurance), discount=_shown_if_not_zero(order.discount),
        consumption_tax=fen_text(consumption_tax), vat=fen_text(vat),
        tariff=_shown_if_not_zero(order.tax_total - consumption_tax - vat),
        tax_total=fen_text(order.tax_total), total=fen_text(order.actural_paid),
        payable=order.status == S.PENDING_PAYMENT.value and order.expires_at > now,
        payment_landed=order.status in PAYMENT_LANDED,
        lines=[LineView(name=ln.name_en if lang == "en" and ln.name_en else ln.name_zh, qty=ln.qty,
                        unit_price=fen_text(ln.unit_price), goods_value=fen_text(ln.goods_value),
                        consumption_tax=fen_text(ln.consumption_tax), vat=fen_text(ln.vat),
                        tax_total=fen_text(ln.tax_total)) for ln in lines],
        trail=trail,
    )


def card_page_origin(settings: Settings) -> str:
    """Where the card form posts: the acquirer the payments adapter is configured with
    (as CardAcquirerClient.from_settings chooses it), as a CSP source."""
    parts = urlsplit(settings.card_url or settings.sandbox_url("card"))
    return f"{parts.scheme}://{parts.netloc}"


def _sign_in_first(request: Request) -> Response:
    return RedirectResponse(f"/signin?next={quote(request.url.path, safe='/')}", status_code=303)


def _not_found(request: Request, principal: Principal) -> Response:
    return render(request, "order_not_found.html", principal=principal, status_code=404)


def _status_labels(lang: str) -> dict[str, str]:
    """For the script that updates the status in place."""
    return {s.value: i18n.translate(lang, f"order.status.{s.value}") for s in S}


def _page(request: Request, principal: Principal | None, ctx: AppContext, order_no: str,
          template: str, **extra: object) -> Response:
    if principal is None:
        return _sign_in_first(request)
    try:
        order, lines, trail = orders.get_order(ctx.db, order_no, buyer_user_id=principal.user_id)
    except OrderNotFound:
        return _not_found(request, principal)
    lang = page_language(request)
    return render(request, template, principal=principal, lang=lang,
                  order=order_view(order, lines, trail, lang, utcnow()),
                  status_labels=_status_labels(lang), final_states=" ".join(sorted(FINAL_STATES)),
                  landed_states=" ".join(sorted(PAYMENT_LANDED)), **extra)


# Public route, private content: not signed in → sign in first; a buyer sees only their own
# order (anyone else's, or a missing one, is the same 404 page).
@router.get("/orders/{order_no}", response_class=HTMLResponse)
def order_page(
    request: Request,
    order_no: str = Path(min_length=1, max_length=60),
    principal: Principal | None = Depends(optional_principal),
    ctx: AppContext = Depends(get_context),
) -> Response:
    return _page(request, principal, ctx, order_no, "order.html")


# Public route, private content, as the order page. Paying itself goes through the API.
@router.get("/orders/{order_no}/pay", response_class=HTMLResponse)
def pay_page(
    request: Request,
    order_no: str = Path(min_length=1, max_length=60),
    principal: Principal | None = Depends(optional_principal),
    ctx: AppContext = Depends(get_context),
) -> Response:
    card_origin = card_page_origin(ctx.settings)
    return _page(request, principal, ctx, order_no, "pay.html", card_origin=card_origin,
                 form_targets=(card_origin,))
