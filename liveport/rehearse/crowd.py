"""The buyers' side of the night, one asyncio task each: wait for the drop, claim at the
opening instant, and then — as people do — most check out and pay at once, some pay a little
later, and a few walk away (after claiming, or with an unpaid order).

Each buyer's plan is drawn up front from a seeded generator, so a rehearsal is repeatable."""
from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from liveport.rehearse.facts import ClaimFact, PaymentFact
from liveport.rehearse.http import Http
from liveport.rehearse.stage import PIN, Buyer, Stage

NOT_OPEN_RETRIES = 50  # claims sent a little early are retried every 20 ms
NOT_OPEN_PAUSE_S = 0.02


@dataclass(frozen=True)
class Plan:
    qty: int
    double_tap: bool  # sends the same claim twice with two keys (a nervous thumb)
    fate: str  # pay | late | abandon_claim | abandon_order
    think_s: float  # between the reservation and the order
    late_s: float  # extra wait before paying, for the late


def plan_for(rng: random.Random, per_buyer_limit: int, late_max_s: float) -> Plan:
    roll = rng.random()
    fate = "abandon_claim" if roll < 0.04 else "abandon_order" if roll < 0.08 else "late" if roll < 0.20 else "pay"
    return Plan(qty=min(per_buyer_limit, 1 + (rng.random() < 0.4)), double_tap=rng.random() < 0.05, fate=fate,
                think_s=rng.uniform(0.0, 1.5), late_s=rng.uniform(late_max_s / 4, late_max_s))


@dataclass
class Tally:
    """What the crowd did so far (progress display and report)."""

    claims: dict[str, int] = field(default_factory=dict)
    orders: list[str] = field(default_factory=list)
    paid: int = 0
    abandoned: int = 0
    claim_facts: list[ClaimFact] = field(default_factory=list)
    payment_facts: list[PaymentFact] = field(default_factory=list)
    order_buyers: dict[str, int] = field(default_factory=dict)  # order no → buyer's user id

    def claimed(self, fact: ClaimFact) -> None:
        self.claim_facts.append(fact)
        self.claims[fact.outcome] = self.claims.get(fact.outcome, 0) + 1


async def _claim(http: Http, stage: Stage, buyer: Buyer, qty: int) -> ClaimFact:
    key = uuid.uuid4().hex
    for _ in range(NOT_OPEN_RETRIES):
        answer = await http.call("claim", "POST", f"/api/v1/drops/{stage.drop_id}/claims", token=buyer.token, buyer=buyer.index,
                                 headers={"Idempotency-Key": key}, json={"qty": qty}, expect=(201, 409))
        if answer is None or answer.status_code not in (201, 409):
            return ClaimFact(buyer.user_id, stage.drop_id, qty, "error")
        body = answer.json()
        if answer.status_code == 201:
            return ClaimFact(buyer.user_id, stage.drop_id, qty, "reserved", body["reservation"]["id"])
        outcome = str(body["error"]["code"])
        if outcome != "not_open":
            return ClaimFact(buyer.user_id, stage.drop_id, qty, outcome)
        await asyncio.sleep(NOT_OPEN_PAUSE_S)
    return ClaimFact(buyer.user_id, stage.drop_id, qty, "not_open")


async def _order_and_pay(http: Http, buyer: Buyer, reservation_id: str, plan: Plan, tally: Tally,
                         lanes: asyncio.Semaphore) -> None:
    """A buyer who has started checking out finishes before the next one starts, as people
    do: without lanes every buyer's order would queue ahead of every buyer's payment."""
    await asyncio.sleep(plan.think_s)
    async with lanes:
        made = await _order_and_link(http, buyer, reservation_id, plan, tally)
        if made is None:
            return
        if plan.fate != "late":
            await _pay(http, buyer, *made, tally)
            return
    await asyncio.sleep(plan.late_s)
    async with lanes:
        await _pay(http, buyer, *made, tally)


async def _order_and_link(http: Http, buyer: Buyer, reservation_id: str, plan: Plan,
                          tally: Tally) -> tuple[str, httpx.Response] | None:
    placed = await http.call("order", "POST", "/api/v1/orders", token=buyer.token, buyer=buyer.index,
                             headers={"Idempotency-Key": uuid.uuid4().hex},
                             json={"reservation_id": reservation_id, "freight": "0", "consignee_id": buyer.consignee_id})
    if placed is None or placed.status_code != 201:
        return None
    order_no = str(placed.json()["order_no"])
    tally.orders.append(order_no)
    tally.order_buyers[order_no] = buyer.user_id
    if plan.fate == "abandon_order":
        tally.abandoned += 1
        return None
    link = await http.call("payment_link", "POST", f"/api/v1/orders/{order_no}/payments", token=buyer.token, buyer=buyer.index,
                           json={"provider": "ecny"})
    return (order_no, link) if link is not None and link.status_code == 201 else None


async def _pay(http: Http, buyer: Buyer, order_no: str, link: httpx.Response, tally: Tally) -> None:
    paid = await http.call("pay", "POST", str(link.json()["cashier_url"]), buyer=buyer.index,
                           data={"wallet_no": buyer.wallet_no, "pin": PIN}, headers={"accept": "application/json"},
                           expect=(200,))
    if paid is not None and paid.status_code == 200 and paid.json().get("result") == "paid":
        tally.paid += 1
        tally.payment_facts.append(PaymentFact(order_no, str(paid.json()["out_trade_no"])))


async def buyer_journey(http: Http, stage: Stage, buyer: Buyer, plan: Plan, tally: Tally,
                        lanes: asyncio.Semaphore) -> None:
    assert stage.sales_start_at is not None
    wait = (stage.sales_start_at - datetime.now(UTC)).total_seconds()
    if wait > 0:
        await asyncio.sleep(wait)
    claims = await asyncio.gather(*(_claim(http, stage, buyer, plan.qty) for _ in range(1 + plan.double_tap)))
    for fact in claims:
        tally.claimed(fact)
    reserved = [c for c in claims if c.outcome == "reserved" and c.reservation_id]
    if plan.fate == "abandon_claim":
        tally.abandoned += len(reserved)
        return
    await asyncio.gather(*(_order_and_pay(http, buyer, c.reservation_id or "", plan, tally, lanes) for c in reserved))
