"""The host's stream page in chromium: signed in, the host sees the server and a hidden key,
reveals it, asks for a new one; the old key stops working at once."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from liveport.app import create_app
from liveport.context import build_context
from liveport.media.protection import hook_secret
from liveport.schema import metadata
from tests.conftest import missing
from tests.integration.media.media_support import Stage, bearer, media_settings, stage
from tests.integration.web.web_support import PASSWORD
from tests.support.live_server import served

pytestmark = [pytest.mark.browser, pytest.mark.timeout(90)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def host_site(tmp_path: Path) -> Iterator[tuple[str, Stage, dict[str, str], object]]:
    settings = media_settings(tmp_path, "off")
    ctx = build_context(settings)
    metadata().create_all(ctx.db.engine)
    cast = stage(ctx.db)
    try:
        with served(create_app(settings, context=ctx), port=settings.port) as url:
            yield url, cast, bearer(ctx.db, settings, cast.host), settings
    finally:
        ctx.close()


def test_a_host_reads_the_encoder_settings_and_rotates_the_key(host_site):
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is missing (apt-get install --no-install-recommends chromium)")
    from playwright.sync_api import expect, sync_playwright

    url, cast, headers, settings = host_site
    old_key = httpx.get(f"{url}/api/v1/shows/{cast.show_id}/stream", headers=headers).json()["stream_key"]
    path = f"/shows/{cast.show_id}/host?lang=en"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(locale="en-US").new_page()
            page.goto(f"{url}/signin?next={quote(path)}&lang=en")
            page.fill("input[name=email]", "host@example.cn")
            page.fill("input[name=password]", PASSWORD)
            page.click("form button[type=submit]")
            page.wait_for_url(url + path)
            expect(page.locator("#server-url")).to_have_value(f"rtmp://127.0.0.1:{settings.media_rtmp_port}/ingest")
            expect(page.locator("#stream-key")).to_have_attribute("type", "password")
            expect(page.locator("#stream-key")).to_have_value(old_key)
            page.focus("#stream-key")
            expect(page.locator("#stream-key")).to_have_attribute("type", "text")
            page.click("#rotate-key")
            expect(page.locator("#rotate-result")).to_have_text("Key replaced: give your encoder the new key.")
            new_key = page.locator("#stream-key").input_value()
        finally:
            browser.close()
    current = httpx.get(f"{url}/api/v1/shows/{cast.show_id}/stream", headers=headers).json()["stream_key"]
    refused = httpx.post(f"{url}/media/hooks/publish?token={hook_secret(settings)}",
                         data={"call": "publish", "app": "ingest", "name": old_key, "addr": "127.0.0.1"})
    assert new_key == current != old_key
    assert refused.status_code == 403
