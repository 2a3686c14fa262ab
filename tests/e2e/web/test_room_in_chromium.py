"""The minimal live room page in a real browser (Debian chromium, Python Playwright): a
signed-in buyer sees a chat message and a pinned product arrive live, chats and likes; the
text stays text (no markup from chat reaches the page), and nothing breaks the CSP.

The app runs under uvicorn in a thread on a free loopback port with its own SQLite database;
another viewer and the host act through the socket and the API from the test."""
from __future__ import annotations

import asyncio
import secrets
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect

from liveport.accounts.domain import Role
from liveport.accounts.services import issue_token
from liveport.app import create_app
from liveport.context import AppContext, build_context
from liveport.core.settings import Settings
from liveport.schema import metadata
from liveport.shows.domain import HostSpec
from liveport.shows.services import create_show, set_lineup, start_show
from tests.conftest import missing
from tests.integration.catalog.catalog_support import SERUM, expo, product
from tests.integration.web.web_support import PASSWORD, account
from tests.support.live_server import served

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


class Live:
    def __init__(self, url: str, ctx: AppContext, show_id: int, serum: int) -> None:
        self.url, self.ctx, self.show_id, self.serum = url, ctx, show_id, serum

    def token(self, user_id: int) -> str:
        with self.ctx.db.transaction() as session:
            return issue_token(session, user_id, "api", None, secret=self.ctx.settings.secret("session_secret"))


@pytest.fixture
def live_room(tmp_path: Path) -> Iterator[Live]:
    settings = Settings(
        env="test", data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'e2e.sqlite3'}",
        session_secret=secrets.token_urlsafe(32), outbox_dispatcher=False,
        mount_sandboxes=False, rate_limit_enabled=False,
    )
    ctx = build_context(settings)
    metadata().create_all(ctx.db.engine)
    place = expo(ctx.db)
    candy = product(ctx.db, place.operator, exhibitor_id=place.candy_maker)
    serum = product(ctx.db, place.operator, SERUM, exhibitor_id=place.cosmetics_house)
    host = account(ctx.db, "host@example.cn", role=Role.HOST, display_name="Lin Xiao")
    account(ctx.db, "buyer@example.cn", display_name="Browser Buyer")
    start = datetime.now(UTC).replace(microsecond=0)
    show = create_show(ctx.db, place.operator, title="松子直播", title_en="Pine nuts, live", description="",
                       scheduled_start=start, scheduled_end=start + timedelta(hours=2),
                       main_host=HostSpec(host.user_id, "主播", "Host"))
    set_lineup(ctx.db, host, show.summary.id, [candy, serum])
    start_show(ctx.db, host, show.summary.id)
    try:
        with served(create_app(settings, context=ctx)) as url:
            live = Live(url, ctx, show.summary.id, serum)
            live.host_id = host.user_id  # type: ignore[attr-defined]
            yield live
    finally:
        ctx.close()


async def _another_viewer_says(url: str, token: str, text: str) -> None:
    async with connect(f"{url.replace('http://', 'ws://')}?token={token}") as ws:
        await ws.recv()
        await ws.send(orjson.dumps({"type": "chat", "text": text, "ref": 1}).decode())
        while True:
            message = orjson.loads(str(await ws.recv()).split("\n")[-1])
            if message["seq"] is None:
                assert message["data"]["ok"] is True
                return


def _in_a_thread(coroutine) -> None:  # type: ignore[no-untyped-def]
    """Playwright's sync API keeps an event loop in this thread: the viewer runs in its own."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as exc:  # handed to the test
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive() and not failures, failures


def test_chat_likes_and_a_pin_arrive_live_in_chromium(live_room: Live):
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is missing (apt-get install --no-install-recommends chromium)")
    from playwright.sync_api import expect, sync_playwright

    other = account(live_room.ctx.db, "other@example.cn", display_name="<b>Other</b> viewer")
    other_token = live_room.token(other.user_id)
    host_token = live_room.token(live_room.host_id)  # type: ignore[attr-defined]
    problems: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    room_path = f"/shows/{live_room.show_id}/room?lang=en"
    room = live_room.url + room_path
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844}).new_page()
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                    if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
            page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
                    if r.status >= 400 else None)
            # a buyer signs in and opens the room (the socket rides on the session cookie)
            page.goto(f"{live_room.url}/signin?next={quote(room_path)}&lang=en")
            page.fill("input[name=email]", "buyer@example.cn")
            page.fill("input[name=password]", PASSWORD)
            page.click("form button[type=submit]")
            page.wait_for_url(room)
            page.wait_for_load_state("networkidle")
            expect(page.locator("#connection")).to_have_text("Connected")
            expect(page.locator("#pin-empty")).to_be_visible()
            # another viewer chats, with markup in the message and in the name
            _in_a_thread(_another_viewer_says(
                f"{live_room.url}/ws/shows/{live_room.show_id}", other_token, "<img src=x onerror=alert(1)> 你好"))
            first = page.locator("#chat li").first
            expect(first.locator(".text")).to_have_text("<img src=x onerror=alert(1)> 你好")
            expect(first.locator(".who")).to_have_text("<b>Other</b> viewer")
            # the host pins a product
            httpx.put(f"{live_room.url}/api/v1/shows/{live_room.show_id}/pin",
                      headers={"Authorization": f"Bearer {host_token}"}, json={"product_id": live_room.serum})
            expect(page.locator("#pin-name")).to_have_text("Serum, 30 ml")
            expect(page.locator("#pin-card")).to_be_visible()
            # the buyer chats and likes from the page
            page.fill("#chat-text", "我要买 three")
            page.click("#chat-form button[type=submit]")
            expect(page.locator("#chat li .text").last).to_have_text("我要买 three")
            for _ in range(3):
                page.click("#like-button")
            expect(page.locator("#likes")).to_have_text("3", timeout=5000)
            page.wait_for_timeout(1500)  # the taps went out as one batch; the total came back
            likes_after = page.locator("#likes").inner_text()
            markup_in_chat = page.locator("#chat img, #chat b").count()
            page.screenshot(path=str(ARTIFACTS / "room-chromium-en-mobile.png"), full_page=True)
        finally:
            browser.close()
    snapshot = httpx.get(f"{live_room.url}/api/v1/shows/{live_room.show_id}/room").json()
    assert markup_in_chat == 0
    assert likes_after == "3" and snapshot["likes"] == 3
    assert [m["text"] for m in snapshot["chat"]] == ["<img src=x onerror=alert(1)> 你好", "我要买 three"]
    assert problems == []
