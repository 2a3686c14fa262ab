"""The acceptance path on the managed nginx-rtmp: ffmpeg publishes a test pattern with the
host's key → the HLS playlist appears under the show's public id → Debian chromium plays
the room page's video and its currentTime advances; a wrong key is refused; the key is in
no URL the viewer's browser asked for, no page, no playlist, no HLS path and no nginx log.

The app runs under uvicorn in a thread on a free port it knows beforehand (nginx calls it
back there); nginx runs as the app's child on another free port."""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from liveport.accounts.services import issue_token
from liveport.app import create_app
from liveport.context import AppContext, build_context
from liveport.media.config import nginx_available
from liveport.schema import metadata
from tests.conftest import missing
from tests.integration.media.media_support import Stage, media_settings, publish, stage, wait_for
from tests.support.live_server import served

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required"]


@dataclass
class Live:
    url: str
    ctx: AppContext
    stage: Stage
    host_headers: dict[str, str]


@pytest.fixture
def nginx_app(tmp_path: Path) -> Iterator[Live]:
    settings = media_settings(tmp_path, "nginx")
    if not nginx_available(settings):
        missing("nginx with the RTMP module is missing (apt-get install --no-install-recommends "
                "nginx libnginx-mod-rtmp)")
    ctx = build_context(settings)
    metadata().create_all(ctx.db.engine)
    cast = stage(ctx.db)
    with ctx.db.transaction() as session:
        token = issue_token(session, cast.host.user_id, "api", None, secret=settings.secret("session_secret"))
    try:
        with served(create_app(settings, context=ctx), port=settings.port) as url:
            yield Live(url, ctx, cast, {"Authorization": f"Bearer {token}"})
    finally:
        ctx.close()


def _status(live: Live) -> dict:
    return httpx.get(f"{live.url}/api/v1/shows/{live.stage.show_id}/stream/status", timeout=5).json()


def _playlist(url: str) -> str | None:
    response = httpx.get(url, timeout=5)
    return response.text if response.status_code == 200 and ".ts" in response.text else None


def test_a_published_test_pattern_plays_in_chromium_and_the_key_stays_secret(nginx_app: Live):
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is missing (apt-get install --no-install-recommends chromium)")
    from playwright.sync_api import sync_playwright

    live = nginx_app
    stream = httpx.get(f"{live.url}/api/v1/shows/{live.stage.show_id}/stream",
                       headers=live.host_headers, timeout=5).json()
    key, server = stream["stream_key"], stream["server_url"]
    hls_root = live.ctx.settings.data_dir / "media" / "hls"

    # a wrong key is refused: the encoder gives up, nothing is written, the show stays offline
    wrong = publish(f"{server}/lpk_{secrets.token_urlsafe(24)}", 5)
    assert wrong.wait(timeout=20) != 0
    assert _status(live)["state"] == "offline"
    assert not hls_root.exists() or list(hls_root.iterdir()) == []

    encoder = publish(f"{server}/{key}", 40)
    requested: list[str] = []
    try:
        status = wait_for(lambda: (s := _status(live))["live_url"] and s, 15, "the stream to go live")
        assert status["live_url"] == stream["live_url"]
        playlist = wait_for(lambda: _playlist(live.url + status["live_url"]), 15, "the live playlist")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_context(locale="en-US").new_page()
                page.on("request", lambda r: requested.append(r.url))
                page.goto(f"{live.url}/shows/{live.stage.show_id}/room?lang=en")
                page.wait_for_function("() => document.getElementById('video').currentTime > 1", timeout=30000)
                before = page.evaluate("() => document.getElementById('video').currentTime")
                page.wait_for_timeout(2000)
                after = page.evaluate("() => document.getElementById('video').currentTime")
                offline_note_hidden = page.locator("#video-offline").is_hidden()
                html = page.content()
            finally:
                browser.close()
    finally:
        encoder.kill()
        encoder.wait(timeout=10)
    wait_for(lambda: _status(live)["state"] == "offline", 15, "the stream to go offline")
    replay = httpx.get(f"{live.url}/api/v1/shows/{live.stage.show_id}/replay", timeout=10)

    assert after - before > 1.0
    assert offline_note_hidden
    public_id = status["live_url"].split("/")[3]
    assert stream["live_url"] == f"/media/hls/{public_id}/index.m3u8"
    assert any(f"/media/hls/{public_id}/" in url and url.endswith(".ts") for url in requested)
    assert replay.status_code == 200 and replay.json()["duration_s"] > 2
    assert [p.name for p in hls_root.iterdir()] == [public_id]
    viewer_facing = [*requested, html, playlist, str(_status(live)), replay.text,
                     *(str(p.relative_to(hls_root)) for p in hls_root.rglob("*"))]
    assert [text for text in viewer_facing if key in text] == []
    logs = live.ctx.settings.data_dir / "media" / "nginx" / "logs"
    assert [p.name for p in logs.iterdir() if key in p.read_text(errors="replace")] == []
