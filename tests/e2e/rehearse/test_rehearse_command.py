"""`liveport rehearse` end to end at a small size: the demo night served over real HTTP with
its sandboxes, 50 viewers in the room and 100 buyers through claim, checkout, the e-CNY
cashier and customs; every invariant holds and the JSON report says what happened. Then
`liveport report` on the rehearsed show: its totals are the ledger's. On SQLite (the demo's
database) and PostgreSQL, about two minutes each."""
from __future__ import annotations

import csv
import json
from decimal import Decimal

from sqlalchemy import func, select

from liveport.cli import main
from liveport.core.settings import get_settings
from liveport.demo.seed import seed_demo_night
from liveport.orders.models import Order
from liveport.payments.models import LedgerJournal, LedgerPosting
from tests.support.test_night import live_liveport

PASSWORD = "rehearsal-night-2026"


def ledger_of_show(db, show_id: int) -> Decimal:
    """What buyers paid for the show's orders, net, as the ledger's provider accounts hold it."""
    with db.reader() as session:
        total = session.scalar(
            select(func.coalesce(func.sum(LedgerPosting.amount), 0))
            .join(LedgerJournal, LedgerJournal.id == LedgerPosting.journal_id)
            .join(Order, Order.id == LedgerJournal.order_id)
            .where(Order.show_id == show_id, LedgerPosting.account.like("provider:%")))
    return Decimal(total).quantize(Decimal("0.01"))


def rows(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_small_rehearsal_holds_every_invariant_and_the_report_equals_the_ledger(
        settings, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("LIVEPORT_SANDBOX_CUSTOMS_STEP_DELAY_S", "0.05")
    with live_liveport(settings, outbox_dispatcher=True, outbox_poll_s=0.05, customs_interval_s=0.1,
                       customs_retry_base_s=0.2) as live:
        seed_demo_night(live.ctx, password=PASSWORD)
        monkeypatch.setenv("LIVEPORT_REHEARSE_PASSWORD", PASSWORD)
        # when the operator rehearses the night with 50 viewers and 100 buyers
        try:
            code = main(["rehearse", "--url", live.url, "--viewers", "50", "--buyers", "100", "--countdown", "2",
                         "--late", "3", "--settle", "180", "--data-dir", str(live.settings.data_dir), "--json"])
        except SystemExit as exit_:  # an invariant failed: the report below says which
            code = exit_.code
        report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        show_id = report["drop"]["show_id"]
        ledger = ledger_of_show(live.ctx.db, show_id)
        # and the operator writes the show's report from the same database
        monkeypatch.setenv("LIVEPORT_DATABASE_URL", live.settings.resolved_database_url)
        get_settings.cache_clear()
        try:
            made = main(["report", "--show", str(show_id), "--out", str(tmp_path / "report"),
                         "--data-dir", str(live.settings.data_dir)])
        finally:
            get_settings.cache_clear()
        written = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    # then every invariant holds, and the command says so with its exit status
    assert report["invariants"] == {
        "stock_accounted_per_drop": True, "nobody_over_limit": True, "payments_matched_once": True,
        "paid_orders_declared_and_released": True, "every_order_accounted": True}, report["problems"]
    assert code == 0
    # 100 buyers wanted about 140 units of a 100-unit drop: it sold out, and the units add up
    drop = report["drop"]
    assert drop["quantity"] == 100
    assert report["claims"]["reserved"] >= 60 and report["claims"].get("sold_out", 0) >= 1
    assert drop["on_sale"] + drop["reserved"] + drop["sold"] == 100
    # the orders: one per kept reservation, the paid ones released by customs
    assert len(report["orders"]) == len(set(report["orders"])) == sum(report["order_statuses"].values())
    assert report["paid"] == report["order_statuses"]["released"]
    assert report["paid"] >= 40
    assert set(report["order_statuses"]) <= {"released", "pending_payment"}
    # throughput and latency percentiles per step
    for step in ("provision", "consignee", "claim", "order", "payment_link", "pay", "audit"):
        figures = report["steps"][step]
        assert figures["count"] >= 1 and figures["per_s"] > 0, step
        assert 0 < figures["p50_ms"] <= figures["p90_ms"] <= figures["p99_ms"] <= figures["max_ms"], step
    assert report["steps"]["consignee"]["errors"] == 0 and report["steps"]["order"]["errors"] == 0
    # the room: every viewer got in, the signed-in ones chatted, the server counted them
    assert report["room"]["open_at_start"] == 50 and report["room"]["failed"] == 0
    assert report["room"]["peak_server_connections"] >= 50
    assert report["room"]["events_delivered"] > 0
    # the report: its totals are the ledger's, and every breakdown adds up to them
    assert made == 0
    out = tmp_path / "report"
    summary = {r["figure"]: r["value"] for r in rows(out / "summary.csv")}
    assert ledger > 0
    assert Decimal(summary["gmv"]) == ledger
    assert int(summary["orders_paid"]) == report["paid"]
    assert int(summary["units"]) == report["drop"]["sold"]
    for name in ("by_country", "by_product", "by_pavilion"):
        assert sum(Decimal(r["gmv"]) for r in rows(out / f"{name}.csv")) == ledger, name
    assert sum(Decimal(r["gmv"]) for r in rows(out / "gmv_per_minute.csv")) == ledger
    assert [r["kind"] for r in rows(out / "moments.csv")].count("drop") == 1
    html = (out / "index.html").read_text(encoding="utf-8")
    assert f"{ledger:,.2f}" in html and "Import index" in html
    for png in ("gmv_per_minute.png", "gmv_by_country.png", "units_by_product.png", "funnel.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
    assert written["files"]["html"] == "index.html"
