"""The media server's HTTP callbacks (nginx-rtmp ``notify``: form-encoded POSTs).

    ingest app  on_publish       /media/hooks/publish        key, show, window → 302 to the relay
                on_publish_done  /media/hooks/publish_done   stream offline (show stays open)
    show app    on_publish       /media/hooks/relay          only the ingest's own relay
                on_publish_done  /media/hooks/relay_done     live playlist withdrawn, replay updated

Each callback URL carries the shared secret (``?token=``, ``protection.hook_secret``); a
call without it is refused (401, or 403 for a signed-in user: no person may call these).
nginx-rtmp reads any 2xx as yes, a 3xx on publish as a redirect, anything else as no.
"""
from __future__ import annotations

import ipaddress
import logging

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from liveport.accounts.guards import current_principal, get_context
from liveport.context import AppContext
from liveport.core.clock import utcnow
from liveport.core.errors import Forbidden, Unauthenticated
from liveport.media import config, hls_files, recording, services
from liveport.media.domain import IngestMode, is_public_id
from liveport.media.lifecycle import protector_of
from liveport.media.protection import hook_token_matches

router = APIRouter(prefix="/media/hooks", include_in_schema=False, tags=["media server"])
log = logging.getLogger("liveport.media")
MAX_FIELD = 512


def media_server_only(request: Request) -> None:
    if hook_token_matches(get_context(request).settings, request.query_params.get("token")):
        return
    if current_principal(request) is not None:
        raise Forbidden("Only the media server calls this.", code="media_server_only")
    raise Unauthenticated("The media server's token is missing or wrong.", code="media_hook_token")


async def _fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v)[:MAX_FIELD] for k, v in form.items() if isinstance(v, str)}


def _loopback(addr: str) -> bool:
    try:
        return ipaddress.ip_address(addr).is_loopback
    except ValueError:
        return False


def _relay_host(ctx: AppContext) -> str:
    listen = ctx.settings.media_rtmp_listen
    return "127.0.0.1" if listen in config.LOOPBACK_HOSTS else listen


def _ingest(ctx: AppContext) -> IngestMode:
    mode = config.ingest_mode(ctx.settings)
    return mode if mode in (IngestMode.NGINX, IngestMode.EXTERNAL) else IngestMode.EXTERNAL


NO = Response(status_code=403)
YES = Response(status_code=204)


@router.post("/publish", dependencies=[Depends(media_server_only)])
async def on_publish(request: Request, ctx: AppContext = Depends(get_context)) -> Response:
    fields = await _fields(request)
    try:
        accepted = await run_in_threadpool(
            services.authorize_publish, ctx.db, protector_of(ctx), ctx.settings, fields.get("name", ""),
            fields.get("addr", ""), _ingest(ctx), utcnow())
    except services.PublishRefused as refused:
        # Never log the name: it is the key (or someone's guess at one).
        log.info("publish refused from %s: %s", fields.get("addr", "?"), refused.code)
        return NO
    log.info("show %s goes live as %s", accepted.show_id, accepted.public_id)
    target = f"rtmp://{_relay_host(ctx)}:{ctx.settings.media_rtmp_port}/{config.SHOW_APP}/{accepted.public_id}"
    return Response(status_code=302, headers={"Location": target})


@router.post("/publish_done", dependencies=[Depends(media_server_only)])
async def on_publish_done(request: Request, ctx: AppContext = Depends(get_context)) -> Response:
    fields = await _fields(request)
    public_id = await run_in_threadpool(services.end_publish_by_key, ctx.db, protector_of(ctx),
                                        fields.get("name", ""), utcnow())
    if public_id is not None:
        log.info("stream %s is offline", public_id)
    return YES


@router.post("/relay", dependencies=[Depends(media_server_only)])
async def on_relay_publish(request: Request, ctx: AppContext = Depends(get_context)) -> Response:
    fields = await _fields(request)
    public_id = fields.get("name", "")
    if not _loopback(fields.get("addr", "")) or not await run_in_threadpool(
            services.stream_is_live, ctx.db, public_id):
        return NO
    hls_files.mark_live(config.stream_dir(ctx.settings, public_id))
    return YES


@router.post("/relay_done", dependencies=[Depends(media_server_only)])
async def on_relay_done(request: Request, ctx: AppContext = Depends(get_context)) -> Response:
    fields = await _fields(request)
    public_id = fields.get("name", "")
    if is_public_id(public_id):
        directory = config.stream_dir(ctx.settings, public_id)
        hls_files.mark_offline(directory)
        recording.refresh_in_background(directory)
    return YES
