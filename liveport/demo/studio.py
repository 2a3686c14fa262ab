"""The demo's studio: a synthetic camera on the night's live show, publishing to whichever
ingest this machine runs (managed nginx-rtmp, else the embedded one), so `make demo`
shows moving video with no camera and no encoder installed. The camera is its own
process (liveport.media.camera), as a studio encoder would be."""
from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import select

from liveport.context import build_context
from liveport.core.settings import Settings
from liveport.media import config
from liveport.media import services as media
from liveport.media.camera import URL_VARIABLE
from liveport.media.domain import IngestMode
from liveport.media.protection import StreamKeyProtector
from liveport.shows.models import Show


def start_studio(settings: Settings) -> tuple[subprocess.Popen[bytes] | None, str]:
    """Start the camera on the live show; returns its process (None: nothing to film) and
    a line for the demo's banner."""
    mode = config.ingest_mode(settings)
    if mode not in (IngestMode.NGINX, IngestMode.EMBEDDED):
        return None, f"  Video     off ({mode.value} ingest)"
    ctx = build_context(settings)
    try:
        with ctx.db.reader() as session:
            show = session.scalars(select(Show).where(Show.status == "live").order_by(Show.id)).first()
        if show is None:
            return None, "  Video     no live show to film"
        stream = media.encoder_settings(ctx.db, StreamKeyProtector(settings), settings, show.id)
        title, show_id = f"{show.title}  {show.title_en}", show.id
    finally:
        ctx.close()
    env = {**os.environ, URL_VARIABLE: f"{stream.server_url}/{stream.stream_key}"}
    camera = subprocess.Popen(
        [sys.executable, "-m", "liveport.media.camera", "--title", title, "--show-id", str(show_id),
         "--data-dir", str(settings.data_dir.resolve())],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    return camera, (f"  Video     synthetic camera → {mode.value} ingest ({stream.server_url}); "
                    f"watch {settings.base_url}/shows/{show_id}/room")


def stop_studio(camera: subprocess.Popen[bytes] | None) -> None:
    if camera is not None and camera.poll() is None:
        camera.terminate()
        try:
            camera.wait(timeout=10)
        except subprocess.TimeoutExpired:
            camera.kill()
            camera.wait(timeout=5)
