"""The landing page in a real browser: Debian's chromium driven by Python Playwright.

The app runs under uvicorn in a thread on a free loopback port, on its own SQLite database
seeded through the services; the test reads what a viewer sees, switches the language, and
fails on any console error or failed request (a missing asset, a CSP violation, a script
error).
"""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from liveport.app import create_app
from liveport.context import build_context
from liveport.core.settings import Settings
from liveport.schema import metadata
from tests.conftest import missing
from tests.integration.web.web_support import expo_night
from tests.support.live_server import served

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[str]:
    settings = Settings(
        env="test", data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'e2e.sqlite3'}",
        session_secret=secrets.token_urlsafe(32), outbox_dispatcher=False,
        mount_sandboxes=False, rate_limit_enabled=False,
    )
    ctx = build_context(settings)
    metadata().create_all(ctx.db.engine)
    expo_night(ctx.db)
    with served(create_app(settings, context=ctx)) as url:
        yield url
        ctx.close()


def test_landing_page_in_chromium(live_server: str) -> None:
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is missing (apt-get install --no-install-recommends chromium)")
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # a phone-sized screen, a browser that asks for Chinese
            context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
            page = context.new_page()
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                    if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
            page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
                    if r.status >= 400 else None)

            page.goto(live_server + "/", wait_until="networkidle")
            zh_title = page.title()
            zh_cards = page.locator("ul.shows > li h2").all_inner_texts()
            live_badge = page.locator("ul.shows > li").first.locator(".status").inner_text()
            page.screenshot(path=str(ARTIFACTS / "landing-chromium-zh-mobile.png"), full_page=True)

            page.get_by_role("link", name="English").click()
            page.wait_for_load_state("networkidle")
            en_title = page.title()
            en_heading = page.locator("h1").inner_text()
            page.set_viewport_size({"width": 1280, "height": 800})
            page.screenshot(path=str(ARTIFACTS / "landing-chromium-en-desktop.png"), full_page=True)
            stylesheet_applied = page.evaluate(
                "getComputedStyle(document.querySelector('.site-header')).backgroundColor")
        finally:
            browser.close()

    assert zh_title == "正在直播与即将开播 · Liveport 直播跨境购"
    assert zh_cards == ["阿富汗松子直播", "俄罗斯糖果专场", "昨日回放"]
    assert live_badge == "直播中"
    assert en_title == "Live now and coming up · Liveport"
    assert en_heading == "Live now and coming up"
    assert stylesheet_applied == "rgb(11, 79, 138)"
    assert problems == []
