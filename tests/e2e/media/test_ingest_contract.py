"""The ingest contract (liveport/media/ports.py) on both adapters the app runs itself: the
managed nginx-rtmp and the embedded fallback (PyAV, no system packages). The synthetic
camera (its own process, PyAV + x264) publishes with the show's key; the ingest gives
playable HLS under the public id: FFmpeg's own HLS reader (through PyAV, over HTTP from the
app) decodes frames whose capture-time strip is intact. When the camera stops, the live
playlist is withdrawn and the recording is a replay. Both listen on 127.0.0.1 only."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from liveport.app import create_app
from liveport.context import AppContext, build_context
from liveport.media.camera import URL_VARIABLE
from liveport.media.config import nginx_available
from liveport.media.timecode import read_luma
from liveport.schema import metadata
from tests.conftest import missing
from tests.integration.media.media_support import Stage, bearer, media_settings, stage, wait_for
from tests.support.live_server import served

pytestmark = pytest.mark.timeout(120)


@dataclass
class Served:
    url: str
    ctx: AppContext
    stage: Stage


@pytest.fixture(params=["nginx", "embedded"])
def ingest_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    settings = media_settings(tmp_path, request.param)
    if request.param == "nginx" and not nginx_available(settings):
        missing("nginx with the RTMP module is missing (apt-get install --no-install-recommends "
                "nginx libnginx-mod-rtmp)")
    ctx = build_context(settings)
    metadata().create_all(ctx.db.engine)
    cast = stage(ctx.db)
    try:
        with served(create_app(settings, context=ctx), port=settings.port) as url:
            yield Served(url, ctx, cast)
    finally:
        ctx.close()


def _status(app: Served) -> dict:
    return httpx.get(f"{app.url}/api/v1/shows/{app.stage.show_id}/stream/status", timeout=5).json()


def _decoded_times(url: str, frames: int) -> list[int | None]:
    import av

    found: list[int | None] = []
    with av.open(url, options={"live_start_index": "0"}, timeout=(10, 10)) as container:
        for frame in container.decode(video=0):
            gray = frame.reformat(format="gray")
            plane = gray.planes[0]
            found.append(read_luma(bytes(plane), plane.line_size, gray.width, gray.height))
            if len(found) == frames:
                break
    return found


def _accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def test_the_synthetic_camera_through_the_ingest_gives_playable_hls(ingest_app: Served):
    app = ingest_app
    settings = app.ctx.settings
    found = httpx.get(f"{app.url}/api/v1/shows/{app.stage.show_id}/stream",
                      headers=bearer(app.ctx.db, settings, app.stage.host), timeout=5).json()
    mode = settings.media_ingest
    assert (found["ingest"], found["checks_key"]) == (mode, mode == "nginx")
    assert found["server_url"] == f"rtmp://127.0.0.1:{settings.media_rtmp_port}/ingest"
    assert _accepts("127.0.0.1", settings.media_rtmp_port)
    assert not _accepts("127.0.0.2", settings.media_rtmp_port)  # not bound to every address

    # the camera is its own process, as an encoder is (and as the demo runs it)
    camera = subprocess.Popen([sys.executable, "-m", "liveport.media.camera", "--seconds", "12"],
                              env={**os.environ, URL_VARIABLE: f"{found['server_url']}/{found['stream_key']}"},
                              stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    started = time.time()
    try:
        live_url = wait_for(lambda: _status(app)["live_url"], 20, "the stream to go live")
        wait_for(lambda: httpx.get(app.url + live_url, timeout=5).text.count(".ts") >= 2, 20, "two segments")
        times = _decoded_times(app.url + live_url, 30)
    finally:
        report, _ = camera.communicate(timeout=40)
    wait_for(lambda: _status(app)["state"] == "offline", 15, "the stream to go offline")
    replay = wait_for(lambda: (r := httpx.get(f"{app.url}/api/v1/shows/{app.stage.show_id}/replay",
                                             timeout=10)).status_code == 200 and r.json(), 15, "the replay")

    assert live_url == found["live_url"]
    assert len(times) == 30 and None not in times
    assert all(started * 1000 <= t <= time.time() * 1000 for t in times)
    assert times == sorted(times)
    assert httpx.get(app.url + live_url, timeout=5).status_code == 404
    assert 8 <= replay["duration_s"] <= 13
    assert json.loads(report)["frames_sent"] >= 250  # 12 s at 25 fps, whatever reconnects it took
