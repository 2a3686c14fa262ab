"""After the night: what the server holds, read through the operator's API — each order the
crowd placed (status, trail, units, drop) with its payments, and the drop's counters. Paid
orders are re-read until customs has released them or the settling time is up."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from liveport.rehearse.facts import PAID_OR_LATER, RELEASED_OR_LATER, DropFact, OrderFact
from liveport.rehearse.http import Http
from liveport.rehearse.stage import Stage

SETTLED = RELEASED_OR_LATER | {"pending_payment", "expired", "cancelled", "customs_rejected", "refunded"}
PAID_TRADE_STATES = frozenset({"paid", "refunded", "partly_refunded"})
POLL_S = 1.0
ROUND = 200  # orders read per settling round
METRICS_POLL_S = 5.0  # /metrics folds the night's sales on each read: not too often
STALL_S = 60.0  # no order released for this long: stop waiting on the server's count


async def scrape(http: Http, operator: str) -> dict[str, float] | None:
    """The server's /metrics samples, {"name{labels}": value}; None if it has none."""
    answer = await http.call("metrics", "GET", "/metrics", token=operator)
    if answer is None or answer.status_code != 200:
        return None
    samples = {}
    for line in answer.text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


async def released_on_server(http: Http, operator: str) -> int | None:
    """Orders released or further, in the whole database (one GROUP BY on the server)."""
    samples = await scrape(http, operator)
    if samples is None:
        return None
    return int(sum(samples.get(f'liveport_orders{{status="{s}"}}', 0.0) for s in RELEASED_OR_LATER))


async def wait_for_releases(http: Http, operator: str, baseline: int | None, paid: int, settle_s: float,
                            progress: Callable[[int, int], None]) -> None:
    """Wait on the server's own count until the crowd's paid orders can all be released,
    before reading them one by one: 10,000 order reads a round would slow the very
    pipeline being waited for."""
    if baseline is None:
        return
    deadline = time.monotonic() + settle_s
    last, changed = -1, time.monotonic()
    while time.monotonic() < deadline:
        now_released = await released_on_server(http, operator)
        if now_released is None:
            return
        done = now_released - baseline
        progress(min(done, paid), paid)
        if done >= paid:
            return
        if done != last:
            last, changed = done, time.monotonic()
        elif time.monotonic() - changed > STALL_S:
            return
        await asyncio.sleep(METRICS_POLL_S)


async def _get(http: Http, operator: str, path: str) -> Any:
    answer = await http.call("audit", "GET", path, token=operator)
    return answer.json() if answer is not None and answer.status_code == 200 else None


async def read_order(http: Http, operator: str, order_no: str, buyer_id: int,
                     with_payments: bool = True) -> OrderFact | None:
    """The order as the server holds it; its paid trades only ``with_payments`` (the waiting
    rounds look at statuses alone, the final round at everything)."""
    body = await _get(http, operator, f"/api/v1/orders/{order_no}")
    payments = await _get(http, operator, f"/api/v1/orders/{order_no}/payments") if with_payments else []
    if body is None or payments is None:
        return None
    return OrderFact(order_no=order_no, buyer_id=buyer_id, drop_id=body["drop_id"],
                     qty=sum(int(line["qty"]) for line in body["lines"]), status=str(body["status"]),
                     trail=tuple(str(e["status"]) for e in body["trail"]),
                     paid_trades=tuple(str(p["out_trade_no"]) for p in payments if p["status"] in PAID_TRADE_STATES))


def settled(fact: OrderFact, paid_at_cashier: bool) -> bool:
    """Released (or further), or never paid. An order the cashier took money for is not
    settled until the server has heard of it (the notification may still be on its way)."""
    if paid_at_cashier or fact.paid_trades:
        return fact.status in RELEASED_OR_LATER or (fact.status in SETTLED and fact.status not in PAID_OR_LATER
                                                    and fact.status != "pending_payment")
    return fact.status in SETTLED


async def settle_orders(http: Http, operator: str, buyers_of: dict[str, int], paid_at_cashier: set[str],
                        settle_s: float, progress: Callable[[int, int], None]) -> list[OrderFact]:
    """The orders' facts once each is settled, or as they are when ``settle_s`` runs out."""
    statuses: dict[str, OrderFact] = {}
    waiting = list(buyers_of)
    deadline = time.monotonic() + settle_s
    while waiting:
        # Customs works oldest first: read the next ROUND orders still waiting, and go on to
        # the next ones at once only while these are all settled — at most ROUND reads per
        # pause, however big the night, so the reading does not slow the pipeline it waits on.
        batch = waiting[:ROUND]
        read = await asyncio.gather(*(read_order(http, operator, no, buyers_of[no], False) for no in batch))
        for no, fact in zip(batch, read):
            if fact is not None:
                statuses[no] = fact
        still = [no for no in batch if no not in statuses or not settled(statuses[no], no in paid_at_cashier)]
        waiting = still + waiting[len(batch):]
        progress(len(buyers_of) - len(waiting), len(buyers_of))
        if time.monotonic() >= deadline:
            break
        if still:
            await asyncio.sleep(POLL_S * 2)
    final = await asyncio.gather(*(read_order(http, operator, no, buyers_of[no]) for no in buyers_of))
    return [fact for fact in final if fact is not None]


async def read_drop(http: Http, stage: Stage) -> DropFact:
    body: dict[str, Any] = await http.must("audit", "GET", f"/api/v1/drops/{stage.drop_id}")
    return DropFact(stage.drop_id, int(body["quantity"]), int(body["per_buyer_limit"]), int(body["on_sale"] or 0),
                    int(body["reserved"] or 0), int(body["sold"] or 0))
