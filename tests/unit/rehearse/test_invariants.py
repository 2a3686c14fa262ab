"""The invariant checker over doctored outcomes: a clean night holds, and each kind of
damage (an oversold drop, a buyer over the limit, a payment matched twice, a paid order never
declared, a lost order) fails exactly its invariant."""
from __future__ import annotations

from dataclasses import replace

from liveport.rehearse.facts import ClaimFact, DropFact, OrderFact, Outcome, PaymentFact
from liveport.rehearse.invariants import check

RELEASED = ("pending_payment", "paid", "declared", "released")


def clean_night() -> Outcome:
    """Drop 7: 5 units, limit 2. Buyer 1 paid 2, buyer 2 paid 1, buyer 3 holds 1 unpaid,
    buyer 4 was too late."""
    return Outcome(
        drops=[DropFact(7, quantity=5, per_buyer_limit=2, on_sale=1, reserved=1, sold=3)],
        claims=[ClaimFact(1, 7, 2, "reserved", "r1"), ClaimFact(2, 7, 1, "reserved", "r2"),
                ClaimFact(3, 7, 1, "reserved", "r3"), ClaimFact(4, 7, 2, "sold_out")],
        orders=[OrderFact("LP1", 1, 7, 2, "released", RELEASED, ("T1",)),
                OrderFact("LP2", 2, 7, 1, "shipped", (*RELEASED, "shipped"), ("T2",)),
                OrderFact("LP3", 3, 7, 1, "pending_payment", ("pending_payment",), ())],
        payments=[PaymentFact("LP1", "T1"), PaymentFact("LP2", "T2")],
        created_orders=["LP1", "LP2", "LP3"])


def failing(outcome: Outcome) -> list[str]:
    return sorted(name for name, verdict in check(outcome).items() if not verdict.holds)


def test_a_clean_night_holds_every_invariant():
    verdicts = check(clean_night())
    assert {name: v.holds for name, v in verdicts.items()} == {
        "stock_accounted_per_drop": True, "nobody_over_limit": True, "payments_matched_once": True,
        "paid_orders_declared_and_released": True, "every_order_accounted": True}
    assert all(v.problems == () for v in verdicts.values())


def test_an_oversold_drop_fails_stock_accounting():
    night = clean_night()
    # buyer 3 paid, and a fourth buyer's order of 2 was paid though only 1 unit was left
    night.orders[2] = replace(night.orders[2], status="released", trail=RELEASED, paid_trades=("T3",))
    night.orders.append(OrderFact("LP4", 4, 7, 2, "released", RELEASED, ("T4",)))
    night.payments += [PaymentFact("LP3", "T3"), PaymentFact("LP4", "T4")]
    night.created_orders.append("LP4")
    night.drops[0] = replace(night.drops[0], on_sale=0, reserved=0, sold=5)  # the gate's counters add up …
    assert failing(night) == ["stock_accounted_per_drop"]
    problems = check(night)["stock_accounted_per_drop"].problems
    assert problems == ("drop 7: oversold, 6 units paid of 5", "drop 7: gate says 5 sold, paid orders hold 6")


def test_counters_that_do_not_add_up_fail_stock_accounting():
    night = clean_night()
    night.drops[0] = replace(night.drops[0], on_sale=2)
    assert failing(night) == ["stock_accounted_per_drop"]
    assert check(night)["stock_accounted_per_drop"].problems == (
        "drop 7: 2 on sale + 1 reserved + 3 sold != 5",)


def test_a_buyer_granted_more_than_the_limit_fails():
    night = clean_night()
    night.claims.append(ClaimFact(1, 7, 1, "reserved", "r9"))  # buyer 1 already holds 2
    assert failing(night) == ["nobody_over_limit"]
    assert check(night)["nobody_over_limit"].problems == ("buyer 1: 3 units granted of drop 7, limit 2",)


def test_a_payment_matched_to_two_orders_fails():
    night = clean_night()
    night.orders[1] = replace(night.orders[1], paid_trades=("T2", "T1"))  # T1 also counted for LP2
    assert failing(night) == ["payments_matched_once"]
    assert check(night)["payments_matched_once"].problems == (
        "trade T1 paid for LP1 is held by ['LP1', 'LP2']", "order LP2 (shipped) has 2 paid trades")


def test_a_payment_confirmed_twice_fails():
    night = clean_night()
    night.payments.append(PaymentFact("LP1", "T1"))
    assert failing(night) == ["payments_matched_once"]
    assert check(night)["payments_matched_once"].problems == ("trade T1 was confirmed 2 times",)


def test_a_paid_trade_on_no_order_fails():
    night = clean_night()
    night.payments.append(PaymentFact("LP3", "T3"))  # the cashier took the money; the server never heard
    assert failing(night) == ["payments_matched_once"]
    assert check(night)["payments_matched_once"].problems == ("trade T3 paid for LP3 is held by no order",)


def test_a_paid_order_never_declared_fails():
    night = clean_night()
    night.orders[0] = replace(night.orders[0], status="paid", trail=("pending_payment", "paid"))
    assert failing(night) == ["paid_orders_declared_and_released"]
    assert check(night)["paid_orders_declared_and_released"].problems == ("order LP1 (paid) was never declared",)


def test_a_declared_order_not_released_fails():
    night = clean_night()
    night.orders[0] = replace(night.orders[0], status="declared", trail=RELEASED[:3])
    assert failing(night) == ["paid_orders_declared_and_released"]
    assert check(night)["paid_orders_declared_and_released"].problems == ("order LP1 is declared, not released",)


def test_an_order_that_cannot_be_read_back_fails():
    night = clean_night()
    night.created_orders.append("LP404")
    assert failing(night) == ["every_order_accounted"]
