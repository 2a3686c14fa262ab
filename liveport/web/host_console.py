"""The host console: the encoder settings in the form OBS asks for (and a new key), a
preview, pinning products, opening and closing flash sales, live figures and chat
moderation. The page renders the show's line-up and drops; host_console.js and
host_controls.js act through the room socket and the API. Hosts of the show and operators
only; the page holds the key, so it is never cached."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import HTMLResponse, Response

from liveport.accounts.domain import Principal, Role
from liveport.accounts.guards import get_context, require
from liveport.catalog import services as catalog
from liveport.context import AppContext
from liveport.flashsale import services as flashsale
from liveport.media import services as media
from liveport.media.lifecycle import protector_of
from liveport.shows import services as shows
from liveport.web import i18n
from liveport.web.rendering import page_language, render

DROP_STATES = ("scheduled", "countdown", "open", "closed", "sold_out")


def drop_labels(lang: str) -> dict[str, str]:
    return {state: i18n.translate(lang, f"console.drop.{state}") for state in DROP_STATES}

router = APIRouter(include_in_schema=False, tags=["pages"])
hosts = require(Role.HOST, Role.OPERATOR)


@router.get("/shows/{show_id}/host", response_class=HTMLResponse)
def host_stream_page(
    request: Request,
    show_id: int = Path(ge=1, le=2**31 - 1),
    principal: Principal = Depends(hosts),
    ctx: AppContext = Depends(get_context),
) -> Response:
    stream = media.stream_settings(ctx.db, protector_of(ctx), ctx.settings, principal, show_id)
    detail = shows.get_show(ctx.db, show_id)
    lineup = catalog.list_products(ctx.db, product_ids=[item.product_id for item in detail.lineup])
    response = render(request, "host_stream.html", principal=principal, show=detail.summary,
                      stream=stream, lineup=lineup, drops=flashsale.list_drops(ctx.db, show_id),
                      drop_labels=drop_labels(page_language(request)))
    response.headers["Cache-Control"] = "no-store"
    return response
