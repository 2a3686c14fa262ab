"""One rehearsal, start to finish: stage, audience, the drop and its buyers, the settling of
the orders, the invariants, the report (a dict; the last line the command prints)."""
from __future__ import annotations

import asyncio
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

from liveport.rehearse import audit, stage
from liveport.rehearse.crowd import Tally, buyer_journey, plan_for
from liveport.rehearse.facts import Outcome
from liveport.rehearse.http import Http, check_target
from liveport.rehearse.invariants import check
from liveport.rehearse.stats import Timings
from liveport.rehearse.viewers import Audience

MAX_VIEWERS = 20_000
MAX_BUYERS = 50_000


@dataclass(frozen=True)
class Plan:
    url: str
    viewers: int
    buyers: int
    operator_email: str
    operator_password: str
    merchant_id: str
    merchant_key: str
    show_id: int | None = None
    product_id: int | None = None
    units: int | None = None  # default: one unit per buyer (demand is ~1.4 units a buyer: it sells out)
    per_buyer_limit: int = 2
    countdown_s: int = 5
    late_max_s: float = 20.0
    settle_s: float = 600.0
    connections: int = 64
    seed: int = 2026
    allow_remote: bool = False
    ecny_url: str | None = None


class Progress:
    """One line on stderr, redrawn in place on a terminal, every few seconds otherwise."""

    def __init__(self, out: TextIO, quiet: bool) -> None:
        self.out, self.quiet = out, quiet
        self.tty = out.isatty()
        self.started = time.monotonic()
        self.last = 0.0

    def say(self, text: str, *, force: bool = False) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if not force and now - self.last < (0.5 if self.tty else 5.0):
            return
        self.last = now
        line = f"[{now - self.started:6.1f}s] {text}"
        self.out.write(("\r\x1b[K" + line) if self.tty and not force else line + "\n")
        self.out.flush()


async def _watch(progress: Progress, tally: Tally, timings: Timings, viewers: int, stop: asyncio.Event) -> None:
    while not stop.is_set():
        claims = ", ".join(f"{k} {v}" for k, v in sorted(tally.claims.items())) or "-"
        progress.say(f"viewers {viewers} | claims {timings.count('claim')} ({claims}) | orders {len(tally.orders)} "
                     f"| paid {tally.paid} | walked away {tally.abandoned}")
        try:
            await asyncio.wait_for(stop.wait(), 0.5)
        except TimeoutError:
            pass


async def _peak_connections(http: Http, operator: str) -> int | None:
    """The server's own count of live-room sockets (GET /metrics), read while the room is full."""
    samples = await audit.scrape(http, operator)
    value = None if samples is None else samples.get("liveport_websocket_connections")
    return None if value is None else int(value)


async def rehearse(plan: Plan, err: TextIO | None = None, quiet: bool = False) -> dict[str, Any]:
    base = check_target(plan.url, allow_remote=plan.allow_remote)
    viewers = max(0, min(plan.viewers, MAX_VIEWERS))
    buyers_wanted = max(1, min(plan.buyers, MAX_BUYERS))
    timings, tally, progress = Timings(), Tally(), Progress(err or sys.stderr, quiet)
    http = Http(base, plan.connections, timings)
    audience: Audience | None = None
    began = time.monotonic()
    try:
        operator = await stage.sign_in(http, plan.operator_email, plan.operator_password)
        show = await stage.choose_show(http, plan.show_id)
        item, row = await stage.choose_stock(http, operator, show, plan.product_id)
        progress.say(f"show {show['id']}, product {item['sku']} ({row['available']} available in "
                     f"{row['warehouse_code']}); provisioning {buyers_wanted} buyers", force=True)
        t0 = time.monotonic()
        buyers = await stage.provision(http, operator, buyers_wanted)
        provision_s = time.monotonic() - t0
        await stage.open_wallets(http, plan.ecny_url or f"{base}/sandbox/ecny", plan.merchant_id, plan.merchant_key,
                                 buyers)
        addressed = await asyncio.gather(*(stage.give_address(http, b) for b in buyers))
        buyers = [b for b, ok in zip(buyers, addressed) if ok]
        progress.say(f"{len(buyers)} buyers ready in {time.monotonic() - t0:.1f}s "
                     f"(accounts {provision_s:.1f}s); {viewers} viewers joining", force=True)
        audience = Audience(base, show["id"], viewers, [b.token for b in buyers])
        joined = await audience.join()
        peak = await _peak_connections(http, operator)
        released_before = await audit.released_on_server(http, operator)
        the_drop = await stage.put_on_sale(http, operator, show, item, row, plan.units or buyers_wanted,
                                           plan.per_buyer_limit, datetime.now(UTC))
        opens = await stage.open_with_countdown(http, operator, the_drop, plan.countdown_s)
        progress.say(f"{joined['open']} viewers in the room; drop {the_drop.drop_id} of {the_drop.quantity} at "
                     f"¥{the_drop.price} opens at {opens.isoformat()}", force=True)
        rng = random.Random(plan.seed)
        plans = [plan_for(rng, the_drop.per_buyer_limit, plan.late_max_s) for _ in buyers]
        stop = asyncio.Event()
        watcher = asyncio.create_task(_watch(progress, tally, timings, joined["open"], stop))
        sale_started = time.monotonic()
        lanes = asyncio.Semaphore(plan.connections)
        await asyncio.gather(*(buyer_journey(http, the_drop, b, p, tally, lanes) for b, p in zip(buyers, plans)))
        sale_s = time.monotonic() - sale_started
        during = await _peak_connections(http, operator)
        peak = max(p for p in (peak, during, 0) if p is not None)
        stop.set()
        await watcher
        room = await audience.leave()
        progress.say(f"sale over in {sale_s:.1f}s: {len(tally.orders)} orders, {tally.paid} paid; "
                     f"waiting for customs (up to {plan.settle_s:.0f}s)", force=True)
        settle_until = time.monotonic() + plan.settle_s
        await audit.wait_for_releases(http, operator, released_before, len(tally.payment_facts), plan.settle_s,
                                      lambda done, total: progress.say(f"released {done}/{total} paid orders"))
        orders = await audit.settle_orders(
            http, operator, dict(tally.order_buyers), {p.order_no for p in tally.payment_facts},
            max(0.0, settle_until - time.monotonic()),
            lambda done, total: progress.say(f"settled {done}/{total} orders"))
        drop_fact = await audit.read_drop(http, the_drop)
    finally:
        if audience is not None and audience.pool is not None:
            await audience.leave()
        await http.close()
    outcome = Outcome(drops=[drop_fact], claims=tally.claim_facts, orders=orders, payments=tally.payment_facts,
                      created_orders=list(tally.orders))
    verdicts = check(outcome)
    statuses: dict[str, int] = {}
    for o in orders:
        statuses[o.status] = statuses.get(o.status, 0) + 1
    return {
        "invariants": {name: v.holds for name, v in verdicts.items()},
        "problems": {name: list(v.problems) for name, v in verdicts.items() if not v.holds},
        "orders": list(tally.orders),
        "order_statuses": statuses,
        "steps": timings.summary(),
        "claims": dict(sorted(tally.claims.items())),
        "paid": tally.paid,
        "walked_away": tally.abandoned,
        "drop": {"id": drop_fact.drop_id, "show_id": the_drop.show_id, "product_id": the_drop.product_id,
                 "quantity": drop_fact.quantity, "price": the_drop.price, "on_sale": drop_fact.on_sale,
                 "reserved": drop_fact.reserved, "sold": drop_fact.sold, "sale_s": round(sale_s, 2)},
        "room": {**room, "peak_server_connections": peak},
        "buyers": len(buyers),
        "provision_s": round(provision_s, 2),
        "elapsed_s": round(time.monotonic() - began, 1),
    }
