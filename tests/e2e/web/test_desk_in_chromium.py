"""The operator dashboard and the merchant desk in a real browser (Debian chromium, Python
Playwright), after a small scripted night paid at the e-CNY cashier over real HTTP.

The operator's GMV (and the chart's minutes, and the live JSON it polls) equals the ledger's
total of paid orders, net of a goodwill refund. The candy maker's merchant sees its own orders
and products and none of the perfumer's; the perfumer's order and product by direct URL are a
404 page. Phone and desktop widths, Chinese and English. Any console error, failed request or
unexpected error status fails the test."""
from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from liveport.accounts.domain import Role
from liveport.accounts.guards import SESSION_COOKIE
from liveport.accounts.services import issue_token
from liveport.analytics import services
from liveport.catalog.services import set_stock
from liveport.customs.models import Declaration
from liveport.orders.models import Order
from liveport.payments.ledger import balances
from tests.conftest import missing
from tests.integration.catalog.catalog_support import CANDY, SHIPPED_LIST, product
from tests.integration.web.web_support import account, show
from tests.support.test_night import (
    Live,
    bearer,
    buy_and_pay,
    live_liveport,
    real_name_buyers,
    scripted_night,
    wait_for_status,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
CHART_TOTAL = """() => {
  const chart = window.Chart && window.Chart.getChart("gmv-chart");
  if (!chart) return null;
  const fen = chart.data.datasets[0].data.reduce((sum, v) => sum + Math.round(v * 100), 0);
  return {fen, points: chart.data.labels.length};
}"""


def _session_cookie(live: Live, user_id: int) -> dict[str, object]:
    with live.ctx.db.transaction() as session:
        token = issue_token(session, user_id, "session", timedelta(days=1),
                            secret=live.settings.secret("session_secret"))
    return {"name": SESSION_COOKIE, "value": token, "url": live.url, "httpOnly": True, "sameSite": "Lax"}


@contextmanager
def _browser(problems: list[str], expected: set[str]) -> Iterator[object]:
    """``expected``: URLs whose 4xx answer is the point of the test (a refused page)."""
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is missing (apt-get install --no-install-recommends chromium)")
    from playwright.sync_api import sync_playwright

    def watch(page) -> None:  # type: ignore[no-untyped-def]
        page.on("console", lambda m: problems.append(f"console: {m.text} at {m.location['url']}")
                if m.type == "error" and m.location["url"].split("?")[0] not in expected else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
        page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
                if r.status >= 400 and r.url.split("?")[0] not in expected else None)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser, watch
        finally:
            browser.close()


def _context(browser, watch, live: Live, user_id: int, viewport: dict[str, int]):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="en-US", viewport=viewport)
    context.add_cookies([_session_cookie(live, user_id)])
    context.on("page", watch)
    return context


def _night(live: Live) -> dict[str, object]:
    """12 candy orders (the candy maker), one perfume order (the other exhibitor), and a
    goodwill refund of 5.00 on the first candy order."""
    night = scripted_night(live, buyers=12, workers=3)
    place = live.place
    perfume = product(live.ctx.db, place.operator, replace(CANDY, sku="FR-CANDY-1", name_zh="法国糖果",
                                                             name_en="French sweets", barcode=None),
                      exhibitor_id=place.cosmetics_house)
    set_stock(live.ctx.db, place.operator, perfume, place.bonded, 10, positive_list=SHIPPED_LIST)
    other_buyer = real_name_buyers(live, 1)[0]
    other_order = buy_and_pay(live, perfume, other_buyer, 1)
    _ops, ops_headers = bearer(live, Role.OPERATOR)
    refund = httpx.post(f"{live.url}/api/v1/orders/{night.orders[0]}/refunds", timeout=10,
                        headers={**ops_headers, "Idempotency-Key": uuid.uuid4().hex},
                        json={"amount": "5.00", "reason": "late delivery"})
    assert refund.status_code == 201, refund.text
    return {"night": night, "perfume": perfume, "other_order": other_order}


def _two_viewers_watch_a_live_show(live: Live, buyers: list) -> tuple[int, int, int]:  # type: ignore[type-arg]
    """Two buyers join a live show's room over the WebSocket and stay until the real-time
    plane has persisted them (presence sample and visitors): (peak, viewers, show id)."""
    from websockets.sync.client import connect

    host = account(live.ctx.db, "anna@example.cn", role=Role.HOST, display_name="Anna")
    on_air = show(live.ctx.db, live.place.operator, host, title="糖果之夜", title_en="Candy night",
                  starts_in=timedelta(minutes=-5), live=True)
    ws = live.url.replace("http://", "ws://") + f"/ws/shows/{on_air.summary.id}?token="
    tokens = [b.headers["Authorization"].split()[1] for b in buyers]
    with connect(ws + tokens[0]) as first, connect(ws + tokens[1]) as second:
        assert '"snapshot"' in first.recv(timeout=10) and '"snapshot"' in second.recv(timeout=10)
        deadline = time.monotonic() + 20
        while (seen := services.figures(live.ctx.db)).peak_viewers < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
    return seen.peak_viewers, seen.funnel.viewers, on_air.summary.id


def _wait_paid(live: Live, order_nos: list[str]) -> None:
    assert wait_for_status(live, order_nos, ("paid", "declared", "released"), timeout_s=60) == len(order_nos)


@pytest.mark.parametrize("db_kind", ["sqlite"], indirect=True)
def test_the_operator_dashboard_gmv_is_the_ledgers_total_and_merchants_see_only_their_own(settings, tmp_path):
    from playwright.sync_api import expect

    problems: list[str] = []
    with live_liveport(settings, outbox_dispatcher=True, outbox_poll_s=0.05, customs_interval_s=0.1) as live:
        made = _night(live)
        night, other_order, perfume = made["night"], made["other_order"], made["perfume"]
        _wait_paid(live, [other_order])
        # the customs pipeline declares the night's orders in the background: wait for them
        assert wait_for_status(live, night.orders, "released", timeout_s=120) == len(night.orders)
        with live.ctx.db.reader() as session:
            ledger = sum((v for k, v in balances(session).items() if k.startswith("provider:")), Decimal(0))
            paid = session.execute(select(Order.order_no, Order.actural_paid, Order.exhibitor_id)).all()
        candy_maker = live.place.candy_maker
        audience = _two_viewers_watch_a_live_show(live, night.buyers[:2])
        show_id = audience[2]
        # one declaration as if it had run out of retries (the dead-letter list)
        with live.ctx.db.transaction() as session:
            dead = session.scalars(select(Declaration).join(Order, Order.id == Declaration.order_id).where(
                Order.order_no == night.orders[1], Declaration.kind == "311")).one()
            dead.status, dead.attempts, dead.last_error = "failed", 8, "gateway timed out"
            dead_id = dead.id
        with live.ctx.db.reader() as session:
            statuses = sorted(session.scalars(select(Declaration.status)))
        operator_id, _ = bearer(live, Role.OPERATOR)
        merchant_id, _ = bearer(live, Role.MERCHANT, exhibitor_id=candy_maker)
        buyer_id, _ = bearer(live, Role.BUYER)
        refused = {f"{live.url}/desk/orders/{other_order}", f"{live.url}/desk/products/{perfume}",
                   f"{live.url}/operator"}
        with _browser(problems, refused) as (browser, watch):
            # the operator, on a desktop and on a phone
            widths = {}
            for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                ops = _context(browser, watch, live, operator_id, viewport).new_page()
                ops.goto(f"{live.url}/operator?lang=en", wait_until="networkidle")
                expect(ops.locator("h1")).to_have_text("Operator dashboard")
                ops.wait_for_function("document.querySelector('section.figures').dataset.updated")
                shown_gmv = ops.locator("#gmv").inner_text()
                shown_peak = ops.locator("[data-figure='peak_viewers']").inner_text()
                shown_declarations = ops.locator("[data-figure-map='declarations'] li").all_inner_texts()
                chart = ops.evaluate(CHART_TOTAL)
                polled = ops.evaluate("fetch('/api/v1/analytics/figures').then(r => r.json())")
                widths[name] = ops.evaluate("document.documentElement.scrollWidth")
                ops.screenshot(path=str(tmp_path / f"operator-{name}.png"), full_page=True)
            # a declaration that ran out of retries: the operator retries it from the dashboard
            desk_ops = _context(browser, watch, live, operator_id, DESKTOP).new_page()
            desk_ops.goto(f"{live.url}/operator?lang=en", wait_until="networkidle")
            row = desk_ops.locator(f"tr[data-declaration='{dead_id}']")
            expect(row).to_contain_text("gateway timed out")
            row.get_by_role("button", name="Retry").click()
            expect(row.locator(".retry-result")).to_have_text("Queued again (prepared)")
            desk_ops.reload(wait_until="networkidle")
            expect(desk_ops.locator("#audit")).to_contain_text("customs.retry")
            expect(desk_ops.locator(f"tr[data-declaration='{dead_id}']")).to_have_count(0)
            one_show = ops.context.new_page()
            one_show.goto(f"{live.url}/operator?lang=en&show_id={show_id}", wait_until="networkidle")
            one_show.wait_for_function("document.querySelector('section.figures').dataset.updated")
            one_show_gmv = one_show.locator("#gmv").inner_text()
            one_show_peak = one_show.locator("[data-figure='peak_viewers']").inner_text()
            zh = ops.context.new_page()
            zh.goto(f"{live.url}/operator?lang=zh", wait_until="networkidle")
            expect(zh.locator("h1")).to_have_text("运营看板")
            # the candy maker's merchant
            desk = _context(browser, watch, live, merchant_id, PHONE).new_page()
            desk.goto(f"{live.url}/desk?lang=en", wait_until="networkidle")
            expect(desk.locator("h1")).to_contain_text("Merchant desk")
            desk.wait_for_function("document.querySelector('section.figures').dataset.updated")
            desk_width = desk.evaluate("document.documentElement.scrollWidth")
            desk.screenshot(path=str(tmp_path / "desk-phone.png"), full_page=True)
            listed_orders = desk.locator("tr[data-order]").evaluate_all("rows => rows.map(r => r.dataset.order)")
            listed_products = desk.locator("tr[data-product]").evaluate_all(
                "rows => rows.map(r => Number(r.dataset.product))")
            desk_gmv = desk.locator("#gmv").inner_text()
            customs_tags = desk.locator(f"tr[data-order='{night.orders[5]}'] .tag").all_inner_texts()
            # webhook settings: the secret is shown once, the endpoint is listed after a reload
            desk.fill("#webhook-url", "https://hooks.example.test/liveport")
            desk.get_by_role("button", name="Add webhook").click()
            expect(desk.locator("#webhook-result")).to_contain_text("Signing secret (shown only once):")
            desk.reload(wait_until="networkidle")
            expect(desk.locator(".endpoints")).to_contain_text("https://hooks.example.test/liveport")
            desk.get_by_role("button", name="Remove https://hooks.example.test/liveport").click()
            expect(desk.locator(".endpoints li")).to_have_count(0)
            desk.reload(wait_until="networkidle")
            expect(desk.locator("#webhooks .empty")).to_have_text("No webhooks yet.")
            desk.goto(f"{live.url}/desk?lang=zh", wait_until="networkidle")
            expect(desk.locator("h1")).to_contain_text("商家工作台")
            expect(desk.locator("#statement-title")).to_have_text("结算对账")
            desk.screenshot(path=str(tmp_path / "desk-zh-phone.png"), full_page=True)
            desk.goto(f"{live.url}/desk/orders/{night.orders[3]}?lang=en", wait_until="networkidle")
            expect(desk.locator("h1 .order-no")).to_have_text(night.orders[3])
            mine = desk.goto(f"{live.url}/desk/products/{night.candy}?lang=en", wait_until="networkidle")
            expect(desk.locator("#product-name")).to_have_text(CANDY.name_en)
            theirs = desk.goto(f"{live.url}/desk/orders/{other_order}?lang=en", wait_until="networkidle")
            expect(desk.locator("#refused")).to_have_text("Order not found")
            other_product = desk.goto(f"{live.url}/desk/products/{perfume}?lang=en", wait_until="networkidle")
            expect(desk.locator("#refused")).to_have_text("Product not found")
            # a buyer is refused the dashboard, with a page that says why
            nosy = _context(browser, watch, live, buyer_id, PHONE).new_page()
            not_operator = nosy.goto(f"{live.url}/operator?lang=en", wait_until="networkidle")
            expect(nosy.locator("#refused")).to_have_text("The operator dashboard is for operators")
    candy_orders = sorted(no for no, _amount, exhibitor in paid if exhibitor == candy_maker)
    assert ledger == sum(amount for _no, amount, _e in paid) - Decimal("5.00")
    assert Decimal(shown_gmv) == ledger
    assert Decimal(polled["gmv"]) == ledger and polled["orders_paid"] == 13
    assert audience == (2, 2, show_id)
    assert sorted(shown_declarations) == sorted(f"{st}: {statuses.count(st)}" for st in set(statuses))
    assert "failed: 1" in shown_declarations
    assert "CEB311 released" in customs_tags or "CEB311 accepted" in customs_tags, customs_tags
    assert (one_show_gmv, one_show_peak) == ("0.00", "2")
    assert (polled["peak_viewers"], polled["funnel"]["viewers"], polled["funnel"]["payers"]) == (2, 2, 0)
    assert shown_peak == "2"
    assert chart["fen"] == int(ledger * 100) and chart["points"] >= 1
    assert sorted(listed_orders) == candy_orders and len(candy_orders) == 12
    assert other_order not in listed_orders
    assert listed_products == [night.candy]
    assert Decimal(desk_gmv) == ledger - next(a for no, a, _e in paid if no == other_order)
    assert (mine.status, theirs.status, other_product.status, not_operator.status) == (200, 404, 404, 403)
    assert widths["phone"] <= PHONE["width"] and widths["desktop"] <= DESKTOP["width"]
    assert desk_width <= PHONE["width"]
    assert problems == []
