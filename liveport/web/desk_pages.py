"""The merchant desk (an exhibitor's merchants) and the operator dashboard (issue 11).

Pages validate, call the analytics services and render. Who may see what is decided here,
on the principal, with pages a person can read: not signed in → 401 with a sign-in link;
the wrong role → 403; another exhibitor's order or product → the same 404 page as a missing
one (``analytics.desk`` filters by the merchant's exhibitor in SQL). The live parts poll
GET /api/v1/analytics/figures; retries and webhook settings go through their own APIs.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import HTMLResponse, Response

from liveport.accounts import services as accounts
from liveport.accounts.domain import Principal, Role
from liveport.accounts.guards import get_context, optional_principal
from liveport.analytics import desk, services
from liveport.analytics.schemas import figures_json
from liveport.context import AppContext
from liveport.core.errors import NotFound
from liveport.core.money import fen_text
from liveport.customs import operations
from liveport.shows import services as shows
from liveport.web.rendering import render
from liveport.webhooks import services as webhooks
from liveport.webhooks.domain import EVENT_TYPES

router = APIRouter(include_in_schema=False, tags=["pages"])


def _refused(request: Request, principal: Principal | None, role: Role) -> Response | None:
    if principal is None:
        return render(request, "desk_refused.html", principal=None, status_code=401, reason="signin")
    if principal.role is not role or (role is Role.MERCHANT and principal.exhibitor_id is None):
        return render(request, "desk_refused.html", principal=principal, status_code=403, reason=role.value)
    return None


def _not_yours(request: Request, principal: Principal, what: str) -> Response:
    return render(request, "desk_refused.html", principal=principal, status_code=404, reason=what)


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


# Merchants only (their own exhibitor's data); anyone else is told why, with a status.
@router.get("/desk", response_class=HTMLResponse)
def desk_page(request: Request, principal: Principal | None = Depends(optional_principal),
              ctx: AppContext = Depends(get_context)) -> Response:
    if (refused := _refused(request, principal, Role.MERCHANT)) is not None:
        return refused
    exhibitor_id = desk.exhibitor_of(principal)
    figures = services.figures(ctx.db, exhibitor_id=exhibitor_id)
    return _private(render(
        request, "desk.html", principal=principal, exhibitor_id=exhibitor_id,
        exhibitor=desk.exhibitor_name(ctx.db, exhibitor_id), figures=figures_json(figures), fen=fen_text,
        products=desk.products(ctx.db, exhibitor_id), drops=desk.drops(ctx.db, exhibitor_id),
        orders=desk.orders(ctx.db, exhibitor_id), statement=desk.statement(ctx.db, exhibitor_id, limit=50),
        endpoints=webhooks.list_endpoints(ctx.db, principal, exhibitor_id),
        deliveries=webhooks.list_deliveries(ctx.db, principal, exhibitor_id, None, limit=20),
        event_types=EVENT_TYPES))


@router.get("/desk/orders/{order_no}", response_class=HTMLResponse)
def desk_order_page(request: Request, order_no: str = Path(min_length=1, max_length=60),
                    principal: Principal | None = Depends(optional_principal),
                    ctx: AppContext = Depends(get_context)) -> Response:
    if (refused := _refused(request, principal, Role.MERCHANT)) is not None:
        return refused
    try:
        detail = desk.order(ctx.db, desk.exhibitor_of(principal), order_no)
    except NotFound:
        return _not_yours(request, principal, "order")
    return _private(render(request, "desk_order.html", principal=principal, detail=detail, fen=fen_text))


@router.get("/desk/products/{product_id}", response_class=HTMLResponse)
def desk_product_page(request: Request, product_id: int = Path(ge=1, le=2**31 - 1),
                      principal: Principal | None = Depends(optional_principal),
                      ctx: AppContext = Depends(get_context)) -> Response:
    if (refused := _refused(request, principal, Role.MERCHANT)) is not None:
        return refused
    exhibitor_id = desk.exhibitor_of(principal)
    try:
        item = desk.product(ctx.db, exhibitor_id, product_id)
    except NotFound:
        return _not_yours(request, principal, "product")
    sold = services.figures(ctx.db, exhibitor_id=exhibitor_id)
    line = next((b for b in sold.by_product if b.key == str(product_id)), None)
    return _private(render(request, "desk_product.html", principal=principal, product=item, sold=line,
                           fen=fen_text))


# Operators only: the whole night, the dead letters and the audit log.
@router.get("/operator", response_class=HTMLResponse)
def operator_page(request: Request, show_id: int | None = Query(None, ge=1, le=2**31 - 1),
                  principal: Principal | None = Depends(optional_principal),
                  ctx: AppContext = Depends(get_context)) -> Response:
    if (refused := _refused(request, principal, Role.OPERATOR)) is not None:
        return refused
    source = "/api/v1/analytics/figures" + (f"?show_id={show_id}" if show_id else "")
    return _private(render(
        request, "operator.html", principal=principal, source=source, show_id=show_id,
        shows=shows.list_shows(ctx.db), figures=figures_json(services.figures(ctx.db, show_id=show_id)),
        dead_letters=operations.list_declarations(ctx.db, status="failed", order_no=None, limit=100),
        audit=accounts.list_audit(ctx.db, limit=50)))
