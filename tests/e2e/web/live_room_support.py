"""The stage for the viewer room and host console journeys in Debian Chromium: Liveport over
real HTTP with its sandboxes (e-CNY cashier, customs single window) and its background loops,
a show that is live with two candies in its bag and a flash sale on the first, a host and
real-name buyers signed in by session cookie, and a watcher that collects every console
error, page error, failed request and error status of every page."""
from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from liveport.accounts.domain import Role
from liveport.accounts.guards import SESSION_COOKIE
from liveport.accounts.services import create_user, issue_token, principal_of
from liveport.shows.domain import HostSpec
from liveport.shows.services import create_show, set_lineup, start_show
from tests.conftest import missing
from tests.support.test_night import (
    Live,
    NightBuyer,
    live_liveport,
    night_product,
    night_shop,
    real_name_buyers,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REPO = Path(__file__).resolve().parents[3]
ARTIFACTS = REPO / "test-artifacts" / "live-room"
DOC_SCREENSHOTS = REPO / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
FAST_CUSTOMS = {"LIVEPORT_SANDBOX_CUSTOMS_STEP_DELAY_S": "0.05", "LIVEPORT_SANDBOX_CUSTOMS_MATCH_WAIT_S": "20"}
DROP_PRICE = "39.00"


@dataclass
class Stage:
    live: Live
    show_id: int
    host_id: int
    host_headers: dict[str, str]
    candy: int
    sweets: int
    warehouse: int
    buyers: list[NightBuyer]
    drops: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.live.url

    def room(self, lang: str) -> str:
        return f"{self.url}/shows/{self.show_id}/room?lang={lang}"

    def console(self, lang: str) -> str:
        return f"{self.url}/shows/{self.show_id}/host?lang={lang}"

    def new_drop(self, quantity: int, per_buyer_limit: int = 1) -> int:
        made = httpx.post(f"{self.url}/api/v1/drops", headers=self.host_headers, timeout=30, json={
            "show_id": self.show_id, "product_id": self.candy, "warehouse_id": self.warehouse,
            "quantity": quantity, "price": DROP_PRICE, "per_buyer_limit": per_buyer_limit,
            "opens_at": datetime.now(UTC).isoformat()})
        assert made.status_code == 201, made.text
        self.drops.append(made.json()["id"])
        return made.json()["id"]

    def open_drop(self, drop_id: int, countdown_s: int = 0) -> None:
        opened = httpx.post(f"{self.url}/api/v1/drops/{drop_id}/open", headers=self.host_headers, timeout=30,
                            json={"countdown_s": countdown_s})
        assert opened.status_code == 200, opened.text

    def pin(self, product_id: int) -> None:
        pinned = httpx.put(f"{self.url}/api/v1/shows/{self.show_id}/pin", headers=self.host_headers, timeout=30,
                           json={"product_id": product_id})
        assert pinned.status_code == 200, pinned.text

    def drop(self, drop_id: int) -> dict[str, Any]:
        return httpx.get(f"{self.url}/api/v1/drops/{drop_id}", timeout=30).json()

    def cookie(self, user_id: int) -> dict[str, object]:
        """What signing in sets: a session token in the HttpOnly, SameSite=Lax cookie."""
        with self.live.ctx.db.transaction() as session:
            token = issue_token(session, user_id, "session", timedelta(days=1),
                                secret=self.live.settings.secret("session_secret"))
        return {"name": SESSION_COOKIE, "value": token, "url": self.url, "httpOnly": True, "sameSite": "Lax"}


def stage_show(live: Live, buyers: int) -> Stage:
    candy, warehouse = night_shop(live, 40)
    sweets = night_product(live, "SWEETS-2", 30, overseas=True)
    db = live.ctx.db
    host_user = create_user(db, email=f"host-{uuid.uuid4().hex[:8]}@example.test", password=None, role=Role.HOST,
                            display_name="Anna Petrova")
    host = principal_of(host_user)
    start = datetime.now(UTC).replace(microsecond=0)
    show = create_show(db, live.place.operator, title="俄罗斯糖果专场", title_en="Russian candy night",
                       description="", scheduled_start=start, scheduled_end=start + timedelta(hours=2),
                       main_host=HostSpec(host.user_id, "主播", "Host"))
    set_lineup(db, host, show.summary.id, [candy, sweets])
    start_show(db, host, show.summary.id)
    with db.transaction() as session:
        token = issue_token(session, host.user_id, "api", None, secret=live.settings.secret("session_secret"))
    return Stage(live, show.summary.id, host.user_id, {"Authorization": f"Bearer {token}"}, candy, sweets,
                 warehouse, real_name_buyers(live, buyers) if buyers else [])


@contextmanager
def staged(settings: Any, shared_dir: Path, monkeypatch: pytest.MonkeyPatch, buyers: int) -> Iterator[Stage]:
    for name, value in FAST_CUSTOMS.items():
        monkeypatch.setenv(name, value)
    with live_liveport(settings, outbox_dispatcher=True, outbox_poll_s=0.05, customs_interval_s=0.1,
                       customs_retry_base_s=0.2,
                       customs_xsd_dir=shared_dir / "standards" / "customs-2022") as live:
        yield stage_show(live, buyers)


class Watcher:
    """Every problem any page of a browser context reports; ``allowed`` lets a test name the
    one refusal it expects (a sold-out claim answered 409 is the journey, not a fault)."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.allowed: list[tuple[str, str]] = []  # (url part, text part)

    def _add(self, text: str, url: str) -> None:
        if url.endswith("/favicon.ico"):  # the sandbox cashier's page names no icon
            return
        if any(part in url and words in text for part, words in self.allowed):
            return
        self.problems.append(f"{text} at {url}")

    def watch(self, page: Any) -> None:
        page.on("console", lambda m: self._add(f"console {m.text}", m.location.get("url", ""))
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self._add(f"request failed {r.failure}", r.url)
                if "/ws/" not in r.url else None)
        page.on("response", lambda r: self._add(f"HTTP {r.status}", r.url) if r.status >= 400 else None)


@contextmanager
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is missing (apt-get install --no-install-recommends chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def person(browser: Any, stage: Stage, watcher: Watcher, user_id: int | None, *, viewport: dict[str, int] = PHONE,
           locale: str = "en-US") -> Any:
    """A browser context signed in as ``user_id`` (None: anonymous), every page watched."""
    context = browser.new_context(locale=locale, viewport=viewport)
    context.set_default_timeout(20_000)
    if user_id is not None:
        context.add_cookies([stage.cookie(user_id)])
    context.on("page", watcher.watch)
    return context


def shoot(page: Any, name: str, *, keep: bool = False) -> Path:
    """A full-page screenshot kept under test-artifacts/; ``keep`` also refreshes the copy in
    docs/screenshots when LIVEPORT_UPDATE_SCREENSHOTS=1."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if keep and os.environ.get("LIVEPORT_UPDATE_SCREENSHOTS") == "1":
        DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        _small_copy(path, DOC_SCREENSHOTS / f"{name}.png")
    return path


def _small_copy(source: Path, target: Path) -> None:
    """The copy kept in git: 64 colours are plenty for a page of flat colours and text."""
    try:
        from PIL import Image
    except ImportError:  # Pillow is a test dependency; without it the copy is full size
        shutil.copyfile(source, target)
        return
    with Image.open(source) as image:
        image.convert("RGB").quantize(colors=64).save(target, optimize=True)
