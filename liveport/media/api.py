"""Media routes. Stream settings and key rotation: a host of the show or an operator (the
object-level half in the services); the response holds the key, so nothing may cache it.
Stream status, replays and the HLS files: deliberately public, and they name the stream
only by its public id. The media server's callbacks are in ``hooks.py``."""
from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from liveport.accounts.domain import Principal, Role
from liveport.accounts.guards import get_context, require
from liveport.context import AppContext
from liveport.core.clock import utcnow
from liveport.media import config, hooks, replays, services
from liveport.media.domain import LIVE_PLAYLIST, VOD_PLAYLIST, IngestMode
from liveport.media.hls_files import hls_file
from liveport.media.lifecycle import protector_of
from liveport.media.schemas import ReplayOut, StreamSettingsOut, StreamStatusOut

router = APIRouter(tags=["media"])
# Deliberately public: playlists and segments under the public id (a plain, SQL-free route).
router.add_route(config.HLS_ROUTE + "/{public_id}/{name}", hls_file, methods=["GET"],
                 include_in_schema=False)
router.include_router(hooks.router)

hosts = require(Role.HOST, Role.OPERATOR)
ShowId = Annotated[int, Path(ge=1, le=2_147_483_647)]
API = "/api/v1/shows/{show_id}"
SECRET_HEADERS = {"Cache-Control": "no-store"}


def _settings_out(found: services.StreamSettings, response: Response) -> StreamSettingsOut:
    response.headers.update(SECRET_HEADERS)
    return StreamSettingsOut.model_validate(asdict(found))


@router.get(API + "/stream", response_model=StreamSettingsOut)
def stream_settings(show_id: ShowId, response: Response, actor: Principal = Depends(hosts),
                    ctx: AppContext = Depends(get_context)) -> StreamSettingsOut:
    found = services.stream_settings(ctx.db, protector_of(ctx), ctx.settings, actor, show_id)
    return _settings_out(found, response)


@router.post(API + "/stream/key", response_model=StreamSettingsOut)
def rotate_stream_key(show_id: ShowId, response: Response, actor: Principal = Depends(hosts),
                      ctx: AppContext = Depends(get_context)) -> StreamSettingsOut:
    found = services.rotate_key(ctx.db, protector_of(ctx), ctx.settings, actor, show_id, utcnow())
    return _settings_out(found, response)


# Deliberately public: whether the show is on air, and where to play it (public id only).
@router.get(API + "/stream/status", response_model=StreamStatusOut)
def stream_status(show_id: ShowId, response: Response,
                  ctx: AppContext = Depends(get_context)) -> StreamStatusOut:
    status = services.stream_status(ctx.db, show_id)
    live_url = replay_url = None
    if status.public_id is not None:
        directory = config.stream_dir(ctx.settings, status.public_id)
        # Live once there is something to play: the encoder is let in a second or two
        # before the first segment (an external origin's files are not ours to look at).
        external = config.ingest_mode(ctx.settings) is IngestMode.EXTERNAL
        if status.state == "live" and (external or (directory / LIVE_PLAYLIST).is_file()):
            live_url = config.live_url(ctx.settings, status.public_id)
        elif status.state != "live" and (directory / VOD_PLAYLIST).is_file():
            replay_url = config.replay_url(ctx.settings, status.public_id)
    response.headers["Cache-Control"] = "public, max-age=2"
    return StreamStatusOut(show_id=show_id, show_status=status.show_status, state=status.state,
                           live_url=live_url, replay_url=replay_url)


# Deliberately public: the recording and its chapters, with what is left of each product.
@router.get(API + "/replay", response_model=ReplayOut)
def replay(show_id: ShowId, ctx: AppContext = Depends(get_context)) -> ReplayOut:
    found = replays.replay(ctx.db, ctx.settings, show_id)
    return ReplayOut.model_validate(asdict(found))
