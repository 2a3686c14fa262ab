"""The room page's video in chromium when there is no live video: while the host is off air
it says so calmly and the room keeps working; once the show has ended, the replay plays
with one chapter per pinned product: a viewer jumps to a chapter and can still buy the
product while stock remains (a sold-out one says so)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from liveport.app import create_app
from liveport.catalog.services import set_stock
from liveport.context import AppContext, build_context
from liveport.media import config
from liveport.media.hls_files import mark_live, mark_offline
from liveport.media.lifecycle import protector_of
from liveport.media.recording import refresh_replay
from liveport.media.services import encoder_settings
from liveport.realtime.services import pin_product, unpin
from liveport.schema import metadata
from liveport.shows.services import end_show
from tests.conftest import missing
from tests.integration.catalog.catalog_support import SHIPPED_LIST
from tests.integration.media.media_support import Stage, media_settings, stage, write_segment
from tests.support.live_server import served

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required"]


@dataclass
class Room:
    url: str
    ctx: AppContext
    stage: Stage


@pytest.fixture
def room(tmp_path: Path) -> Iterator[Room]:
    settings = media_settings(tmp_path, "off")
    ctx = build_context(settings)
    metadata().create_all(ctx.db.engine)
    cast = stage(ctx.db)
    try:
        with served(create_app(settings, context=ctx), port=settings.port) as url:
            yield Room(url, ctx, cast)
    finally:
        ctx.close()


def _record(room: Room, seconds: int) -> datetime:
    """What an ingest leaves behind: segments of one session, the stream offline, the
    replay playlist written. Returns the recording's start (wall clock)."""
    db, settings = room.ctx.db, room.ctx.settings
    public_id = encoder_settings(db, protector_of(room.ctx), settings, room.stage.show_id).public_id
    directory = config.stream_dir(settings, public_id)
    mark_live(directory)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    for second in range(seconds):
        at_ms = int((start + timedelta(seconds=second)).timestamp() * 1000)
        write_segment(directory / f"{at_ms}.ts", first=second * 25)
    mark_offline(directory)
    refresh_replay(directory)
    return start


def test_off_air_then_a_replay_with_product_chapters_in_chromium(room: Room):
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is missing (apt-get install --no-install-recommends chromium)")
    from playwright.sync_api import expect, sync_playwright

    db, cast = room.ctx.db, room.stage
    set_stock(db, cast.operator, cast.candy, cast.bonded, 5, positive_list=SHIPPED_LIST)
    problems: list[str] = []
    page_url = f"{room.url}/shows/{cast.show_id}/room?lang=en"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(locale="en-US").new_page()
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                    if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
                    if r.status >= 400 else None)
            # live show, nobody streaming: a calm note, the room itself connected
            page.goto(page_url)
            expect(page.locator("#video-offline")).to_have_text(
                "The host is off camera for a moment. Products and buying work as usual.")
            expect(page.locator("#video-offline")).to_be_visible()
            expect(page.locator("#connection")).to_have_text("Connected")
            expect(page.locator("#chapters")).to_be_hidden()

            start = _record(room, 8)
            pin_product(db, cast.host, cast.show_id, cast.candy, start + timedelta(seconds=1))
            pin_product(db, cast.host, cast.show_id, cast.serum, start + timedelta(seconds=5))
            unpin(db, cast.host, cast.show_id, start + timedelta(seconds=7))
            end_show(db, cast.host, cast.show_id)

            page.goto(page_url)
            chapters = page.locator("#chapter-list li")
            expect(chapters).to_have_count(2)
            expect(chapters.nth(0).locator(".name")).to_have_text("Korovka candies, 500 g")
            expect(chapters.nth(0).locator("a.buy")).to_have_text("Buy (5 left)")
            buy_href = chapters.nth(0).locator("a.buy").get_attribute("href")
            expect(chapters.nth(1).locator(".sold-out")).to_have_text("Sold out")
            expect(page.locator("#video-offline")).to_be_hidden()
            page.wait_for_function("() => document.getElementById('video').readyState >= 2", timeout=20000)
            chapters.nth(1).locator("button.jump").click()
            page.wait_for_function("() => { const v = document.getElementById('video');"
                                   " return v.currentTime >= 4.9 && !v.seeking; }", timeout=20000)
            position = page.evaluate("() => document.getElementById('video').currentTime")
        finally:
            browser.close()
    assert buy_href == f"/shows/{cast.show_id}#product-{cast.candy}"
    assert 4.9 <= position < 8
    assert problems == []
