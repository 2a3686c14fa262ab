"""services.figures on a real database (SQLite and PostgreSQL): a small scripted night paid at
the e-CNY cashier, one goodwill refund, the room's audience as the real-time plane records it."""
from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from decimal import Decimal

import httpx
from sqlalchemy import select

from liveport.accounts.domain import Principal, Role
from liveport.analytics import services
from liveport.analytics.domain import PresenceSample
from liveport.core.clock import utcnow
from liveport.customs.models import Declaration
from liveport.metrics.domain import format_number
from liveport.orders.models import Order, OrderLine
from liveport.payments.ledger import balances
from liveport.realtime.audience import AudienceRecorder
from tests.integration.web.web_support import expo_night
from tests.support.test_night import bearer, live_liveport, scripted_night


def _ledger_total(session) -> Decimal:
    return sum((v for k, v in balances(session).items() if k.startswith("provider:")), Decimal(0))


def test_figures_equal_the_ledger_and_the_orders_of_a_small_night(settings):
    with live_liveport(settings) as live:
        night = scripted_night(live, buyers=5, workers=2)
        db = live.ctx.db
        with db.reader() as session:
            rows = session.execute(select(Order).where(Order.order_no.in_(night.orders))).scalars().all()
            paid = sum((o.actural_paid for o in rows), Decimal(0))
            qty = sum(session.scalars(select(OrderLine.qty).where(OrderLine.order_id.in_([o.id for o in rows]))))
            exhibitor = rows[0].exhibitor_id
        # when the operator gives 5.00 back on the first order
        _ops, headers = bearer(live, Role.OPERATOR)
        answer = httpx.post(f"{live.url}/api/v1/orders/{night.orders[0]}/refunds", timeout=10,
                            headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
                            json={"amount": "5.00", "reason": "late delivery"})
        assert answer.status_code == 201, answer.text
        everything = services.figures(db)
        theirs = services.figures(db, exhibitor_id=exhibitor)
        others = services.figures(db, exhibitor_id=exhibitor + 1000)
        later = services.figures(db, since=utcnow() + timedelta(minutes=1))
        # the same figures through the API: a merchant gets its own exhibitor's, never another's
        _m, merchant = bearer(live, Role.MERCHANT, exhibitor_id=exhibitor)
        _o, operator = bearer(live, Role.OPERATOR)
        api = f"{live.url}/api/v1/analytics/figures"
        as_merchant = httpx.get(api, headers=merchant, timeout=10).json()
        widened = httpx.get(api, params={"exhibitor_id": exhibitor + 1}, headers=merchant, timeout=10)
        as_operator = httpx.get(api, params={"exhibitor_id": exhibitor + 1}, headers=operator, timeout=10).json()
        bad_time = httpx.get(api, params={"since": "yesterday"}, headers=operator, timeout=10)
        scraped = httpx.get(f"{live.url}/metrics", headers=operator, timeout=10).text.splitlines()
        with db.reader() as session:
            ledger = _ledger_total(session)
            statuses = sorted(session.scalars(select(Declaration.status)))
    assert everything.gmv == ledger == paid - Decimal("5.00")
    # catalog orders (no show): paid, but not the live shows' funnel
    assert (everything.units, everything.orders_paid, everything.funnel.payers) == (qty, 5, 0)
    assert [(b.gmv, b.units, b.orders) for b in everything.by_product] == [(paid - 5, qty, 5)]
    assert sum(p.gmv for p in everything.by_minute) == everything.gmv
    assert sum(p.units for p in everything.by_minute) == qty
    assert everything.by_show[0].key == "none" and everything.by_country[0].gmv == everything.gmv
    assert everything.by_country[0].label == "俄罗斯联邦 / Russian Federation"
    assert sum(everything.declarations.values()) == len(statuses)
    assert (theirs.gmv, theirs.units) == (everything.gmv, qty)
    assert (others.gmv, others.units, others.orders_paid, others.by_minute) == (Decimal(0), 0, 0, [])
    assert (later.gmv, later.units) == (Decimal(0), 0)
    assert (as_merchant["gmv"], as_merchant["units"]) == (f"{everything.gmv:.2f}", qty)
    assert (widened.status_code, widened.json()["error"]["code"]) == (403, "not_your_exhibitor")
    assert (as_operator["gmv"], as_operator["orders_paid"]) == ("0.00", 0)
    assert bad_time.status_code == 422
    # /metrics reads the same model: the ledger's GMV, the units and orders paid
    assert f'liveport_gmv{{currency="CNY"}} {format_number(float(ledger))}' in scraped
    assert f"liveport_units_sold {qty}" in scraped and "liveport_orders_paid 5" in scraped


def test_the_rooms_audience_gives_the_peak_and_the_funnels_viewers(database):
    shows = expo_night(database)
    show_id = shows["live"].summary.id
    recorder = AudienceRecorder(database)
    buyer = Principal(user_id=7, role=Role.BUYER, display_name="b", identity_hash="h" * 64)
    host = Principal(user_id=8, role=Role.HOST, display_name="host")
    now = utcnow()
    for who in (buyer, buyer, host, Principal(user_id=9, role=Role.BUYER, display_name="c"), None):
        recorder.joined(show_id, who)
    recorder.counted(show_id, 42)
    asyncio.run(recorder.flush())
    recorder.counted(show_id, 17)
    asyncio.run(recorder.flush())
    # a second process that saw the same person records nothing new
    other = AudienceRecorder(database)
    other.joined(show_id, buyer)
    asyncio.run(other.flush())
    services.record_audience(database, [PresenceSample(show_id, now, 5)], [])
    # a crowd bigger than one statement's parameters, some of them seen already
    crowd = [(show_id, f"user:{n}", now) for n in range(1, 1201)]
    services.record_audience(database, [], crowd)
    f = services.figures(database, show_id=show_id)
    assert (f.peak_viewers, f.funnel.viewers, f.funnel.claimers, f.funnel.payers) == (42, 1201, 0, 0)
    assert services.figures(database, show_id=show_id + 1).peak_viewers == 0
