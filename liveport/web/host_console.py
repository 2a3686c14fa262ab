"""The host's stream page (a minimal start of the host console): the encoder settings in
the form OBS asks for, and a button for a new key. Hosts of the show and operators only;
the page holds the key, so it is never cached."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import HTMLResponse, Response

from liveport.accounts.domain import Principal, Role
from liveport.accounts.guards import get_context, require
from liveport.context import AppContext
from liveport.media import services as media
from liveport.media.lifecycle import protector_of
from liveport.shows import services as shows
from liveport.web.rendering import render

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
    response = render(request, "host_stream.html", principal=principal, show=detail.summary,
                      stream=stream)
    response.headers["Cache-Control"] = "no-store"
    return response
