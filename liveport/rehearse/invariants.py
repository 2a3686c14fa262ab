"""The night's invariants, pure logic over a rehearsal's facts. Each check answers a verdict
with the first few counter-examples, so a failed rehearsal says what went wrong."""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from liveport.rehearse.facts import PAID_OR_LATER, RELEASED_OR_LATER, Outcome

MAX_EXAMPLES = 5


@dataclass(frozen=True)
class Verdict:
    holds: bool
    problems: tuple[str, ...] = ()


def _verdict(problems: list[str]) -> Verdict:
    return Verdict(not problems, tuple(problems[:MAX_EXAMPLES]))


def stock_accounted_per_drop(outcome: Outcome) -> Verdict:
    """Every unit of a drop is on sale, reserved or sold; the gate's sold count is exactly the
    units of the drop's paid orders; no drop sold more than it had."""
    paid_units: Counter[int] = Counter()
    for order in outcome.orders:
        if order.drop_id is not None and order.status in PAID_OR_LATER:
            paid_units[order.drop_id] += order.qty
    problems = []
    for d in outcome.drops:
        if min(d.on_sale, d.reserved, d.sold) < 0:
            problems.append(f"drop {d.drop_id}: a negative counter ({d.on_sale}/{d.reserved}/{d.sold})")
        if d.on_sale + d.reserved + d.sold != d.quantity:
            problems.append(f"drop {d.drop_id}: {d.on_sale} on sale + {d.reserved} reserved + {d.sold} sold "
                            f"!= {d.quantity}")
        if paid_units[d.drop_id] > d.quantity:
            problems.append(f"drop {d.drop_id}: oversold, {paid_units[d.drop_id]} units paid of {d.quantity}")
        if paid_units[d.drop_id] != d.sold:
            problems.append(f"drop {d.drop_id}: gate says {d.sold} sold, paid orders hold {paid_units[d.drop_id]}")
    return _verdict(problems)


def nobody_over_limit(outcome: Outcome) -> Verdict:
    """No buyer was granted, or paid for, more units of a drop than its per-buyer limit."""
    limits = {d.drop_id: d.per_buyer_limit for d in outcome.drops}
    granted: Counter[tuple[int, int]] = Counter()
    paid: Counter[tuple[int, int]] = Counter()
    for claim in outcome.claims:
        if claim.outcome == "reserved":
            granted[(claim.drop_id, claim.buyer_id)] += claim.qty
    for order in outcome.orders:
        if order.drop_id is not None and order.status in PAID_OR_LATER:
            paid[(order.drop_id, order.buyer_id)] += order.qty
    problems = []
    for what, held in (("granted", granted), ("paid for", paid)):
        for (drop_id, buyer_id), units in sorted(held.items()):
            limit = limits.get(drop_id)
            if limit is None:
                problems.append(f"buyer {buyer_id}: {units} units {what} of unknown drop {drop_id}")
            elif units > limit:
                problems.append(f"buyer {buyer_id}: {units} units {what} of drop {drop_id}, limit {limit}")
    return _verdict(problems)


def payments_matched_once(outcome: Outcome) -> Verdict:
    """Every trade the cashier confirmed belongs to exactly one order, the one the buyer paid;
    a paid order has exactly one paid trade, and an unpaid one none."""
    holders: defaultdict[str, list[str]] = defaultdict(list)
    for order in outcome.orders:
        for trade in order.paid_trades:
            holders[trade].append(order.order_no)
    problems = []
    confirmed = Counter(p.out_trade_no for p in outcome.payments)
    for payment in outcome.payments:
        owners = holders.get(payment.out_trade_no, [])
        if owners != [payment.order_no]:
            problems.append(f"trade {payment.out_trade_no} paid for {payment.order_no} is held by {owners or 'no order'}")
        if confirmed[payment.out_trade_no] > 1:
            problems.append(f"trade {payment.out_trade_no} was confirmed {confirmed[payment.out_trade_no]} times")
    for order in outcome.orders:
        wanted = 1 if order.status in PAID_OR_LATER else 0
        if len(order.paid_trades) != wanted:
            problems.append(f"order {order.order_no} ({order.status}) has {len(order.paid_trades)} paid trades")
    return _verdict(sorted(set(problems), key=problems.index))


def paid_orders_declared_and_released(outcome: Outcome) -> Verdict:
    """Every paid order was declared to customs and released."""
    problems = []
    for order in outcome.orders:
        if order.status not in PAID_OR_LATER and not order.paid_trades:
            continue
        if "declared" not in order.trail:
            problems.append(f"order {order.order_no} ({order.status}) was never declared")
        elif order.status not in RELEASED_OR_LATER:
            problems.append(f"order {order.order_no} is {order.status}, not released")
    return _verdict(problems)


def every_order_accounted(outcome: Outcome) -> Verdict:
    """The server still knows every order it gave the crowd a number for."""
    known = {o.order_no for o in outcome.orders}
    return _verdict([f"order {no} could not be read back" for no in outcome.created_orders if no not in known])


CHECKS: dict[str, Callable[[Outcome], Verdict]] = {
    "stock_accounted_per_drop": stock_accounted_per_drop,
    "nobody_over_limit": nobody_over_limit,
    "payments_matched_once": payments_matched_once,
    "paid_orders_declared_and_released": paid_orders_declared_and_released,
    "every_order_accounted": every_order_accounted,
}


def check(outcome: Outcome) -> dict[str, Verdict]:
    return {name: rule(outcome) for name, rule in CHECKS.items()}
