"""Server-rendered pages: the landing page, a show's page, sign-in and sign-out (ADR 0002).

Pages validate, call services and render; they hold no rules. They are left out of the
OpenAPI schema: the API under /api/v1 is the machine interface.
"""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Path, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from liveport.accounts import services as accounts
from liveport.accounts.domain import Principal
from liveport.accounts.guards import (
    SESSION_COOKIE,
    get_context,
    optional_principal,
    rate_limited,
)
from liveport.catalog import services as catalog
from liveport.catalog.provenance import provenance_of
from liveport.catalog.reference import code_tables
from liveport.context import AppContext
from liveport.core.errors import Forbidden, Unauthenticated
from liveport.orders import services as orders
from liveport.shows import services as shows
from liveport.web import i18n
from liveport.web.assets import own_static_files, vendor_file
from liveport.web.rendering import LANG_COOKIE_MAX_AGE, render, secure_cookies

router = APIRouter(include_in_schema=False, tags=["pages"])
# Deliberately public (no principal needed): front-end files. Plain Starlette, no SQL.
# The vendor route comes before the /static mount, which would otherwise claim its paths.
router.add_route("/static/vendor/{package}/{file:path}", vendor_file, methods=["GET"],
                 include_in_schema=False)
router.mount("/static", own_static_files(), name="static")


def safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect would lend our name to phishing.

    Browsers drop tabs and newlines from URLs (a tab between two slashes leaves "//evil")
    and read a backslash as a slash, so any of those makes the target unsafe."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def same_origin_form(request: Request) -> None:
    """Refuse a form posted from another site even without a session cookie (login CSRF:
    a foreign page signing the visitor into the attacker's account). The session cookie
    case is refused by the accounts guard too."""
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise Forbidden("Cross-site request refused.", code="cross_site")


# Deliberately public: anyone may see what is on; a signed-in visitor sees their name.
@router.get("/", response_class=HTMLResponse)
def landing(
    request: Request,
    principal: Principal | None = Depends(optional_principal),
    ctx: AppContext = Depends(get_context),
) -> Response:
    # The service orders them: live first, then coming up by start, then the past.
    return render(request, "landing.html", principal=principal, shows=shows.list_shows(ctx.db))


# Deliberately public: a show's hosts and product line-up, what any viewer may see.
@router.get("/shows/{show_id}", response_class=HTMLResponse)
def show_page(
    request: Request,
    show_id: int = Path(ge=1, le=2**31 - 1),
    principal: Principal | None = Depends(optional_principal),
    ctx: AppContext = Depends(get_context),
) -> Response:
    detail = shows.get_show(ctx.db, show_id)
    lineup = catalog.list_products(ctx.db, product_ids=[item.product_id for item in detail.lineup])
    countries = code_tables().countries
    return render(request, "show.html", principal=principal, show=detail.summary,
                  description=detail.description, products=lineup, countries=countries)


# Deliberately public: the live room (minimal page, liveport/realtime); what a visitor may
# do in it (chat, like) is decided by the room socket, by who they are signed in as.
@router.get("/shows/{show_id}/room", response_class=HTMLResponse)
def room_page(
    request: Request,
    show_id: int = Path(ge=1, le=2**31 - 1),
    principal: Principal | None = Depends(optional_principal),
    ctx: AppContext = Depends(get_context),
) -> Response:
    detail = shows.get_show(ctx.db, show_id)
    bag = catalog.list_products(ctx.db, product_ids=[item.product_id for item in detail.lineup])
    return render(request, "room.html", principal=principal, show=detail.summary, bag=bag,
                  countries=code_tables().countries,
                  provenance=provenance_of(ctx.db, [listed.product.id for listed in bag]))


# Public route, private content: a visitor who is not signed in is sent to sign in; a buyer
# sees only their own orders (the service filters by the principal's id).
@router.get("/orders", response_class=HTMLResponse)
def my_orders_page(
    request: Request,
    principal: Principal | None = Depends(optional_principal),
    ctx: AppContext = Depends(get_context),
) -> Response:
    if principal is None:
        return RedirectResponse("/signin?next=/orders", status_code=303)
    mine = orders.list_orders(ctx.db, principal.user_id)
    ids = [o.id for o in mine]
    return render(request, "orders.html", principal=principal, orders=mine,
                  lines=orders.lines_of(ctx.db, ids), trails=orders.trails_of(ctx.db, ids))


# Deliberately public: the sign-in form.
@router.get("/signin", response_class=HTMLResponse)
def sign_in_form(
    request: Request,
    next: str | None = None,
    principal: Principal | None = Depends(optional_principal),
) -> Response:
    return render(request, "signin.html", principal=principal, next=safe_next(next),
                  email="", error=None)


# Deliberately public, rate-limited like the API's login, same-origin only.
@router.post(
    "/signin",
    response_class=HTMLResponse,
    dependencies=[Depends(same_origin_form), Depends(rate_limited("login"))],
)
def sign_in_submit(
    request: Request,
    email: str = Form("", max_length=254),
    password: str = Form("", max_length=256),
    next: str = Form("/", max_length=2000),
    ctx: AppContext = Depends(get_context),
) -> Response:
    target = safe_next(next)
    if not email.strip() or not password:
        return render(request, "signin.html", principal=None, next=target, email=email,
                      error="signin.missing", status_code=422)
    try:
        token, user = accounts.sign_in(
            ctx.db, email=email, password=password, kind="session",
            ttl=timedelta(days=ctx.settings.session_days),
            secret=ctx.settings.secret("session_secret"),
        )
    except Unauthenticated:
        return render(request, "signin.html", principal=None, next=target, email=email,
                      error="signin.failed", status_code=401)
    secure = secure_cookies(ctx.settings.public_url)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, token, max_age=ctx.settings.session_days * 24 * 3600, path="/",
        httponly=True, samesite="lax", secure=secure,
    )
    # The account's saved language applies on a device that has not chosen one yet.
    if i18n.supported(request.cookies.get(i18n.LANG_COOKIE)) is None and (
        locale := i18n.supported(user.locale)
    ):
        response.set_cookie(i18n.LANG_COOKIE, locale, max_age=LANG_COOKIE_MAX_AGE, path="/",
                            samesite="lax", secure=secure)
    return response


# Deliberately public (signing out when signed out is a no-op); with a session cookie the
# guard refuses a cross-site POST, so another site cannot sign a visitor out.
@router.post("/signout")
def sign_out(
    request: Request,
    _principal: Principal | None = Depends(optional_principal),
    ctx: AppContext = Depends(get_context),
) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.revoke_token(ctx.db, token)
        ctx.tokens.forget(token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=secure_cookies(ctx.settings.public_url))
    return response

