"""The scripted test night: a few hundred orders placed and paid through the API are declared
to customs, released, packed and delivered (the carrier's sandbox clock at ten hours a second,
auto-packing on) without a manual step, and reconcile with the providers' statements
to the fen; one altered statement entry is exactly one difference."""
from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

import pytest

from liveport.cli import main
from liveport.core.clock import CHINA, utcnow
from liveport.core.settings import get_settings
from liveport.payments.ledger import unbalanced_journals
from liveport.payments.reconcile import reconcile_day
from liveport.payments.registry import providers
from tests.support.test_night import live_liveport, scripted_night, wait_for_status


@pytest.mark.parametrize("db_kind", ["postgresql"], indirect=True)
def test_a_scripted_night_clears_customs_reconciles_and_a_doctored_statement_is_caught(settings, capsys, monkeypatch):
    monkeypatch.setenv("LIVEPORT_SANDBOX_CUSTOMS_STEP_DELAY_S", "0.05")
    with live_liveport(settings, outbox_dispatcher=True, outbox_poll_s=0.05, customs_interval_s=0.1,
                       sandbox_clock_speed=36_000, fulfilment_auto_pack=True, fulfilment_interval_s=0.1) as live:
        night = scripted_night(live, buyers=200)
        assert len(set(night.orders)) == 200
        assert wait_for_status(live, night.orders, "delivered", timeout_s=300) == 200
        today = utcnow().astimezone(CHINA).date()
        assert reconcile_day(live.ctx.db, providers(live.ctx), today) == []
        with live.ctx.db.reader() as session:
            assert unbalanced_journals(session) == []
        # the operator's command says the same
        monkeypatch.setenv("LIVEPORT_DATABASE_URL", live.settings.database_url or "")
        monkeypatch.setenv("LIVEPORT_PUBLIC_URL", live.settings.public_url or "")
        get_settings.cache_clear()
        try:
            assert main(["payments", "reconcile", "--json", "--data-dir", str(live.settings.data_dir)]) == 0
        finally:
            get_settings.cache_clear()
        assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["differences"] == []
        # when the operator's own record of one payment says one fen more
        store = live.sandbox("ecny").state.store
        with sqlite3.connect(store.path) as conn:
            trade_no, amount = conn.execute(
                "SELECT trade_no, amount FROM trades WHERE out_trade_no = ?", (night.orders[17],)).fetchone()
            conn.execute("UPDATE trades SET amount = amount + 1 WHERE trade_no = ?", (trade_no,))
        differences = reconcile_day(live.ctx.db, providers(live.ctx), today)
    assert [(d.reference, d.kind, d.statement_amount - d.ledger_amount) for d in differences] == [
        (trade_no, "amount_differs", Decimal("0.01"))]
    assert differences[0].ledger_amount * 100 == amount
