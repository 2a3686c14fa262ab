"""Jinja2 set-up and the one function every page renders through.

Autoescape is on for every template, and every printed value passes through the ID-number
mask first (DESIGN.md §6: ID numbers never appear whole on a page), whatever the template
author remembered to do.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from liveport.accounts.domain import Principal
from liveport.catalog.provenance import flag_of
from liveport.logging_setup import mask_id_numbers
from liveport.web import i18n
from liveport.web.assets import vendor_url

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600
# Pages load scripts and styles only from files we serve (no inline code, no CDN); media and
# images may come from the HLS origin or a CDN over https. Loosen here, in one place.
# form-action stays last: render(form_targets=...) appends a page's extra origins to it.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "media-src 'self' blob: https:; connect-src 'self' https:; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def _mask(value: Any) -> Any:
    if isinstance(value, Markup):
        return Markup(mask_id_numbers(str(value)))
    if isinstance(value, str):
        return mask_id_numbers(value)
    return value


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        finalize=_mask,
        # A misspelt name fails the test that renders it instead of printing nothing.
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["china_time"] = i18n.china_time
    env.filters["flag"] = flag_of
    return env


def page_language(request: Request, account_locale: str | None = None) -> str:
    return i18n.choose_language(
        request.query_params.get("lang"),
        request.cookies.get(i18n.LANG_COOKIE),
        account_locale,
        request.headers.get("accept-language"),
    )


def _language_links(request: Request) -> dict[str, str]:
    """The current page in each language (its other query parameters kept)."""
    links = {}
    for code in i18n.LANGUAGES:
        query = {**request.query_params, "lang": code}
        links[code] = f"{request.url.path}?{urlencode(query)}"
    return links


def render(
    request: Request,
    template: str,
    *,
    principal: Principal | None,
    lang: str | None = None,
    status_code: int = 200,
    form_targets: tuple[str, ...] = (),
    **values: Any,
) -> HTMLResponse:
    """``form_targets``: other origins this page's forms may post to (the card acquirer's
    hosted page), added to the CSP's form-action for this response only."""
    lang = lang or page_language(request)
    settings = request.app.state.ctx.settings

    def t(key: str, **params: object) -> str:
        return i18n.translate(lang, key, **params)

    html = environment().get_template(template).render(
        t=t,
        lang=lang,
        html_lang=i18n.HTML_LANG[lang],
        language_names=i18n.LANGUAGE_NAMES,
        language_links=_language_links(request),
        principal=principal,
        path=request.url.path,
        vendor=lambda package: vendor_url(settings, package),
        **values,
    )
    response = HTMLResponse(html, status_code=status_code)
    # Pages differ by cookie (session, language): shared caches must not keep them.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Vary"] = "Cookie, Accept-Language"
    response.headers["Content-Security-Policy"] = (
        CONTENT_SECURITY_POLICY + "".join(f" {origin}" for origin in form_targets))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    switched = i18n.supported(request.query_params.get("lang"))
    if switched and switched != request.cookies.get(i18n.LANG_COOKIE):
        response.set_cookie(
            i18n.LANG_COOKIE, switched, max_age=LANG_COOKIE_MAX_AGE, path="/",
            samesite="lax", secure=secure_cookies(settings.public_url),
        )
    return response


def secure_cookies(public_url: str | None) -> bool:
    return bool(public_url and public_url.lower().startswith("https://"))
