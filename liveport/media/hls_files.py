"""Serving a stream directory to players: GET /media/hls/{public_id}/{file}.

A plain Starlette route (every viewer asks for the live playlist each second): no SQL, a
path check and a file. Only playlists and segment names pass; the live playlist of a
stream that is offline is not served (the media server leaves its last one behind). In
production a CDN in front (LIVEPORT_MEDIA_HLS_BASE_URL) takes this load; the headers say
what it may cache.
"""
from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from liveport.core.errors import NotFound
from liveport.media import config
from liveport.media.domain import (
    LIVE_PLAYLIST,
    OFFLINE_MARKER,
    VOD_PLAYLIST,
    is_public_id,
    is_segment_name,
)
from liveport.media.recording import refresh_replay

PLAYLIST_TYPE = "application/vnd.apple.mpegurl"
SEGMENT_TYPE = "video/mp2t"
CACHE = {
    LIVE_PLAYLIST: "public, max-age=0, no-cache",
    VOD_PLAYLIST: "public, max-age=10",
}
SEGMENT_CACHE = "public, max-age=31536000, immutable"


def mark_live(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / OFFLINE_MARKER).unlink(missing_ok=True)


def mark_offline(directory: Path) -> None:
    if directory.is_dir():
        (directory / OFFLINE_MARKER).touch()


def _missing() -> NotFound:
    return NotFound("No such stream file.", code="stream_file_not_found")


async def hls_file(request: Request) -> Response:
    public_id = request.path_params["public_id"]
    name = request.path_params["name"]
    if not is_public_id(public_id) or not (name in CACHE or is_segment_name(name)):
        raise _missing()
    directory = config.stream_dir(request.app.state.ctx.settings, public_id)
    if name == LIVE_PLAYLIST and (directory / OFFLINE_MARKER).exists():
        raise NotFound("The stream is offline.", code="stream_offline")
    if name == VOD_PLAYLIST:
        await run_in_threadpool(refresh_replay, directory)
    path = directory / name
    headers = {"Cache-Control": CACHE.get(name, SEGMENT_CACHE), "X-Content-Type-Options": "nosniff"}
    if name in CACHE:
        # Read in one go: the media server replaces playlists every second, and a size taken
        # before the replacement would not match the bytes sent after it.
        try:
            body = path.read_bytes()
        except OSError:
            raise _missing() from None
        return Response(body, media_type=PLAYLIST_TYPE, headers=headers)
    if not path.is_file():
        raise _missing()
    return FileResponse(path, media_type=SEGMENT_TYPE, headers=headers)
