"""Races that must have exactly one winner, on SQLite and PostgreSQL: two baskets for the
last unit, two orders of one person for the last of the annual quota."""
from __future__ import annotations

import threading
from decimal import Decimal

from liveport.catalog.reference import current_positive_list
from liveport.checkout.services import Buyer, ItemRequest
from liveport.core.errors import AppError
from liveport.orders.services import NewOrder, place_order
from tests.integration.orders.orders_support import customer, quota_of, shop, stock_of


def _race(database, settings, entries) -> list[str]:
    """Place each (buyer, new order) at the same moment; the outcome of each: 'placed' or
    the refusal's code."""
    plist = current_positive_list(settings)
    outcomes: list[str] = [""] * len(entries)
    start = threading.Barrier(len(entries))

    def run(n: int, buyer: Buyer, new: NewOrder) -> None:
        start.wait()
        try:
            place_order(database, settings, plist, buyer, new)
            outcomes[n] = "placed"
        except AppError as exc:
            outcomes[n] = exc.code

    threads = [threading.Thread(target=run, args=(n, *entry)) for n, entry in enumerate(entries)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return sorted(outcomes)


def _new(who, product_id: int, qty: int, key: str) -> NewOrder:
    return NewOrder(idempotency_key=key, consignee_id=who.consignee_id, freight=Decimal(0),
                    items=(ItemRequest(qty=qty, product_id=product_id),))


def _buyer(who) -> Buyer:
    return Buyer(int(who.headers["X-User-Id"]), who.id_hash)


def test_two_baskets_racing_for_the_last_unit_cannot_both_win(client, database, settings, login_as):
    s = shop(database, candy_stock=1)
    a, b = customer(client, database, login_as), customer(client, database, login_as)
    outcomes = _race(database, settings, [(_buyer(a), _new(a, s.candy, 1, "a")), (_buyer(b), _new(b, s.candy, 1, "b"))])
    assert outcomes == ["out_of_stock", "placed"]
    assert stock_of(database, s.candy, s.bonded) == (1, 1)


def test_two_orders_racing_for_the_last_of_a_persons_quota_cannot_both_win(client, database, settings, login_as):
    s = shop(database)
    tight = settings.model_copy(update={"annual_quota_cny": Decimal("100.00")})
    # one person, two accounts: the quota is the person's
    a = customer(client, database, login_as)
    b = customer(client, database, login_as, id_hash=a.id_hash)
    # ¥48 × 2 = ¥96 each: either fits alone, both together do not
    outcomes = _race(database, tight, [(_buyer(a), _new(a, s.candy, 2, "a")), (_buyer(b), _new(b, s.candy, 2, "b"))])
    assert outcomes == ["annual_quota_exceeded", "placed"]
    assert quota_of(database, a.id_hash) == ("0.00", "96.00")
    assert stock_of(database, s.candy, s.bonded) == (100, 2)
