"""Paying for an order in a real browser (Debian chromium, Python Playwright), against
Liveport served over real HTTP with its e-CNY and card sandboxes mounted.

e-CNY: the buyer opens the pay page on a phone-sized screen, chooses e-CNY, sees the QR code
drawn, opens the wallet cashier, pays there with wallet number and PIN, and the pay page and
the order page (left open in another tab) turn to "Paid" by themselves. Card: the card form
goes straight to the acquirer's hosted page; no request to Liveport carries the card number.
Any console error, failed request or error status fails the test."""
from __future__ import annotations

import os

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from liveport.accounts.guards import SESSION_COOKIE
from liveport.accounts.services import issue_token
from liveport.buyers.services import identity_for_declaration
from liveport.protocols.card import APPROVED_CARDS
from tests.conftest import missing
from tests.support.test_night import (
    PIN,
    Live,
    NightBuyer,
    live_liveport,
    night_shop,
    real_name_buyers,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}

# Dark and light pixels of the QR image, read back through a canvas: a blank or broken
# image has none of one kind.
QR_PIXELS = """img => {
  const canvas = document.createElement("canvas");
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const g = canvas.getContext("2d");
  g.drawImage(img, 0, 0);
  const data = g.getImageData(0, 0, canvas.width, canvas.height).data;
  let dark = 0, light = 0;
  for (let i = 0; i < data.length; i += 4) { if (data[i] < 128) dark++; else light++; }
  return {width: img.naturalWidth, height: img.naturalHeight, dark, light,
          src: img.src.slice(0, 22)};
}"""


def _order_for(live: Live, buyer: NightBuyer, product_id: int) -> str:
    with httpx.Client(base_url=live.url, headers=buyer.headers, timeout=30) as http:
        address = http.post("/api/v1/me/consignees", json={
            "name": "韩梅梅", "phone": "13900002222", "address": "上海市青浦区崧泽大道 333 号",
            "district_code": "310118"})
        assert address.status_code == 201, address.text
        placed = http.post("/api/v1/orders", headers={"Idempotency-Key": uuid.uuid4().hex}, json={
            "items": [{"product_id": product_id, "qty": 2}], "freight": "8.00",
            "consignee_id": address.json()["id"]})
        assert placed.status_code == 201, placed.text
        return placed.json()["order_no"]


def _session_cookie(live: Live, user_id: int) -> dict[str, object]:
    """What signing in sets: a session token in the HttpOnly, SameSite=Lax session cookie."""
    with live.ctx.db.transaction() as session:
        token = issue_token(session, user_id, "session", timedelta(days=1),
                            secret=live.settings.secret("session_secret"))
    return {"name": SESSION_COOKIE, "value": token, "url": live.url, "httpOnly": True,
            "sameSite": "Lax"}


@contextmanager
def _browser_for(live: Live, buyer: NightBuyer, problems: list[str]) -> Iterator[object]:
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is missing (apt-get install --no-install-recommends chromium)")
    from playwright.sync_api import sync_playwright

    # The sandbox cashier pages name no icon, so the browser guesses /favicon.ico (Liveport's
    # pages link theirs under /static); that guess is the only 404 let through.
    def watch(page) -> None:  # type: ignore[no-untyped-def]
        page.on("console", lambda m: problems.append(f"console: {m.text} at {m.location['url']}")
                if m.type == "error" and not m.location["url"].endswith("/favicon.ico") else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
        page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="en-US", viewport=PHONE)
            context.add_cookies([_session_cookie(live, buyer.user_id)])
            context.on("page", watch)
            yield context
        finally:
            browser.close()


@pytest.mark.parametrize("db_kind", ["sqlite"], indirect=True)
def test_a_buyer_pays_with_ecny_and_both_pages_turn_paid(settings, tmp_path):
    from playwright.sync_api import expect

    problems: list[str] = []
    with live_liveport(settings) as live:
        candy, _warehouse = night_shop(live, 10)
        buyer = real_name_buyers(live, 1)[0]
        order_no = _order_for(live, buyer, candy)
        with _browser_for(live, buyer, problems) as context:
            # the buyer keeps the order page open in one tab...
            order_page = context.new_page()
            order_page.goto(f"{live.url}/orders/{order_no}?lang=en", wait_until="networkidle")
            expect(order_page.locator("#order-status")).to_have_text("Awaiting payment")
            expect(order_page.locator("#pay-link")).to_be_visible()
            # ...and pays in another, on a phone-sized screen
            pay = context.new_page()
            pay.goto(f"{live.url}/orders/{order_no}/pay?lang=en", wait_until="networkidle")
            expect(pay.locator("h1")).to_have_text("Pay for your order")
            pay.screenshot(path=str(tmp_path / "pay-page-390.png"), full_page=True)
            page_width = pay.evaluate("document.documentElement.scrollWidth")

            pay.get_by_role("button", name="e-CNY (digital RMB)").click()
            qr = pay.locator("#ecny-qr")
            expect(qr).to_be_visible()
            pay.wait_for_function("document.getElementById('ecny-qr').naturalWidth > 0")
            drawn = qr.evaluate(QR_PIXELS)
            pay.screenshot(path=str(tmp_path / "pay-page-qr-390.png"), full_page=True)
            if os.environ.get("LIVEPORT_UPDATE_SCREENSHOTS") == "1":  # refresh the one in docs/
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                pay.screenshot(path=str(SCREENSHOTS / "pay-page.png"), full_page=True)

            # the wallet cashier opens in a new tab: wallet number and PIN, confirm
            with context.expect_page() as opened:
                pay.get_by_role("link", name="Open the wallet cashier").click()
            cashier = opened.value
            cashier.wait_for_load_state()
            cashier.fill("#wallet_no", buyer.wallet_no)
            cashier.fill("#pin", PIN)
            cashier.get_by_role("button", name="Pay 确认支付").click()
            expect(cashier.locator("body")).to_have_attribute("data-result", "paid")
            cashier.close()

            # back on the pay page: the payment has landed, without a reload
            expect(pay.locator("#paid-box")).to_be_visible(timeout=15_000)
            expect(pay.locator("#paid-box h2")).to_have_text("✓ Paid")
            expect(pay.locator("#pay")).to_be_hidden()
            expect(pay.locator("#order-status")).to_have_text("Paid")
            paid_box_focused = pay.evaluate("document.activeElement && document.activeElement.id")
            # and the order page, open all along, says so too
            expect(order_page.locator("#order-status")).to_have_text("Paid", timeout=15_000)
            expect(order_page.locator("#order-trail li")).to_have_count(2)
            expect(order_page.locator("#order-trail li").last).to_contain_text("Paid")
            expect(order_page.locator("#pay-link")).to_be_hidden()
            order_page.screenshot(path=str(tmp_path / "order-page-paid-390.png"), full_page=True)
            pay.get_by_role("link", name="See your order").click()
            pay.wait_for_url(f"{live.url}/orders/{order_no}")
            expect(pay.locator("#order-status")).to_have_text("Paid")
        seen = httpx.get(f"{live.url}/api/v1/orders/{order_no}", headers=buyer.headers).json()
    assert seen["status"] == "paid"
    assert page_width <= PHONE["width"]
    assert drawn["src"] == "data:image/gif;base64,"
    assert drawn["width"] == drawn["height"] >= 200
    assert drawn["dark"] > 0.2 * drawn["width"] ** 2 and drawn["light"] > 0.2 * drawn["width"] ** 2
    assert paid_box_focused == "paid-box"
    assert (tmp_path / "pay-page-390.png").stat().st_size > 10_000
    assert problems == []


@pytest.mark.parametrize("db_kind", ["sqlite"], indirect=True)
def test_the_card_form_posts_to_the_acquirer_and_never_to_liveport(settings, tmp_path):
    from playwright.sync_api import expect

    problems: list[str] = []
    to_liveport: list[str] = []  # bodies of requests to Liveport itself (not its sandboxes)
    with live_liveport(settings) as live:
        candy, _warehouse = night_shop(live, 10)
        buyer = real_name_buyers(live, 1)[0]
        order_no = _order_for(live, buyer, candy)
        person = identity_for_declaration(live.ctx.db, live.ctx.identity, buyer.user_id)
        id_number = person.id_number
        with _browser_for(live, buyer, problems) as context:
            context.on("request", lambda r: to_liveport.append(r.post_data or "")
                       if not r.url.startswith(f"{live.url}/sandbox/") else None)
            pay = context.new_page()
            pay.goto(f"{live.url}/orders/{order_no}/pay?lang=zh", wait_until="networkidle")
            pay.get_by_role("button", name="银行卡").click()
            form = pay.locator("#card-form")
            expect(form).to_be_visible()
            action = form.evaluate("f => f.action")
            pay.screenshot(path=str(tmp_path / "pay-card-zh-390.png"), full_page=True)
            page_width = pay.evaluate("document.documentElement.scrollWidth")
            card_no = APPROVED_CARDS[0]
            pay.get_by_label("卡号").fill(" ".join(card_no[i:i + 4] for i in range(0, 16, 4)))
            pay.get_by_label("有效期（MMYY）").fill("1239")
            pay.get_by_label("安全码（CVV）").fill("123")
            pay.get_by_label("持卡人姓名").fill("测试买家")
            pay.get_by_label("持卡人身份证号").fill(id_number)
            with context.expect_page() as opened:
                pay.locator("#card-submit").click()
            acquirer = opened.value
            expect(acquirer.locator("body")).to_have_attribute("data-result", "paid")
            acquirer.close()
            expect(pay.locator("#paid-box")).to_be_visible(timeout=15_000)
            expect(pay.locator("#paid-box h2")).to_have_text("✓ 付款成功")
        seen = httpx.get(f"{live.url}/api/v1/orders/{order_no}", headers=buyer.headers).json()
    assert action.startswith(f"{live.url}/sandbox/card/pay/")
    assert page_width <= PHONE["width"]
    assert seen["status"] == "paid"
    assert [body for body in to_liveport
            if card_no[-8:] in body or id_number in body or "card_cvv" in body] == []
    assert problems == []
