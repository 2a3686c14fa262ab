"""A scripted test night, reusable by the payments, customs, fulfilment and analytics tests:
Liveport served over real HTTP with its sandboxes mounted, a small expo, and a few hundred
real-name buyers who each place an order through the API and pay it at the e-CNY cashier.

    with live_liveport(settings) as live:
        night = scripted_night(live, buyers=200)
"""
from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
from sqlalchemy import func, select

from liveport.accounts.domain import Role
from liveport.accounts.services import create_user, issue_token
from liveport.buyers.provisioning import demo_identity_writer
from liveport.buyers.services import identity_for_declaration
from liveport.catalog.services import set_stock
from liveport.context import AppContext, build_context
from liveport.core.secrets_file import init_secrets
from liveport.core.settings import Settings
from liveport.orders.models import Order
from liveport.protocols import ecny
from liveport.protocols.payment_wire import encode, seal
from tests.integration.catalog.catalog_support import CANDY, SHIPPED_LIST, expo, product
from tests.support.live_server import served

PIN = "246810"


@dataclass
class Live:
    url: str
    ctx: AppContext
    app: Any
    settings: Settings
    place: Any = None  # the expo of night_shop

    def sandbox(self, name: str) -> Any:
        """The mounted sandbox app (its own store is ``.state.store``)."""
        for route in self.app.routes:
            if getattr(route, "path", None) == f"/sandbox/{name}":
                return route.app
        raise LookupError(name)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def live_liveport(settings: Settings, **changes: Any) -> Iterator[Live]:
    from liveport.app import create_app

    port = _free_port()
    configured = init_secrets(settings.model_copy(update={
        "public_url": f"http://127.0.0.1:{port}", "mount_sandboxes": True, "rate_limit_enabled": False,
        **changes}))
    ctx = build_context(configured)
    app = create_app(configured, context=ctx)
    try:
        with served(app, port=port, log_config=None, access_log=False) as url:
            yield Live(url, ctx, app, configured)
    finally:
        ctx.close()


@dataclass
class NightBuyer:
    user_id: int
    headers: dict[str, str]
    wallet_no: str
    consignee_id: int = 0


@dataclass
class Night:
    candy: int
    bonded: int
    buyers: list[NightBuyer]
    orders: list[str] = field(default_factory=list)  # order numbers, paid


def bearer(live: Live, role: Role, **fields: Any) -> tuple[int, dict[str, str]]:
    """A new account of ``role`` and its bearer headers: (user id, headers)."""
    user = create_user(live.ctx.db, email=f"{role.value}-{uuid.uuid4().hex[:10]}@example.test", password=None,
                       role=role, display_name=f"{role.value} account", **fields)
    with live.ctx.db.transaction() as session:
        token = issue_token(session, user.id, "api", None, secret=live.settings.secret("session_secret"))
    return user.id, {"Authorization": f"Bearer {token}"}


def add_wallets(live: Live, wallets: list[dict[str, str]]) -> None:
    """Wallets in the mounted e-CNY sandbox, added as the merchant may in a sandbox."""
    message = seal({"mch_id": live.settings.ecny_merchant_id, "wallets": wallets},
                   live.settings.secret("ecny_merchant_private_key"))
    answer = httpx.post(f"{live.url}/sandbox/ecny{ecny.SANDBOX_WALLETS_PATH}", content=encode(message),
                        headers={"content-type": "application/json"}, timeout=30)
    assert answer.status_code == 200, answer.text


def real_name_buyers(live: Live, count: int) -> list[NightBuyer]:
    """Buyers with verified (provisioned) identities, each with a category-2 wallet in their
    own name holding enough for the night."""
    db, ctx = live.ctx.db, live.ctx
    made = [create_user(db, email=f"night-{uuid.uuid4().hex[:10]}@example.test", password=None,
                        role=Role.BUYER, display_name=f"buyer {n}") for n in range(count)]
    with db.transaction() as session:
        demo_identity_writer(ctx.identity)(session, [u.id for u in made])
    buyers, wallets = [], []
    for user in made:
        person = identity_for_declaration(db, ctx.identity, user.id)
        wallet_no = f"0099{user.id:012d}"
        wallets.append({"wallet_no": wallet_no, "category": 2, "medium": "soft", "owner_name": person.full_name,
                        "owner_id_no": person.id_number, "balance": "20000.00", "pin": PIN})
        with db.transaction() as session:
            token = issue_token(session, user.id, "api", None, secret=live.settings.secret("session_secret"))
        buyers.append(NightBuyer(user.id, {"Authorization": f"Bearer {token}"}, wallet_no))
    for start in range(0, len(wallets), 200):
        add_wallets(live, wallets[start:start + 200])
    return buyers


def _buy_and_pay(live: Live, night: Night, buyer: NightBuyer, qty: int) -> str:
    return buy_and_pay(live, night.candy, buyer, qty)


def buy_and_pay(live: Live, product_id: int, buyer: NightBuyer, qty: int,
                more: tuple[tuple[int, int], ...] = ()) -> str:
    """One order of ``qty`` units (and ``more`` (product, qty) lines) placed through the API
    and paid at the e-CNY cashier; returns its number (paid once the notification lands)."""
    items = [{"product_id": product_id, "qty": qty}] + [{"product_id": p, "qty": q} for p, q in more]
    with httpx.Client(base_url=live.url, headers=buyer.headers, timeout=30) as http:
        address = http.post("/api/v1/me/consignees", json={
            "name": "李雷", "phone": "13900001111", "address": "上海市青浦区崧泽大道 333 号", "district_code": "310118"})
        assert address.status_code == 201, address.text
        buyer.consignee_id = address.json()["id"]
        placed = http.post("/api/v1/orders", headers={"Idempotency-Key": uuid.uuid4().hex}, json={
            "items": items, "freight": "8.00", "consignee_id": buyer.consignee_id})
        assert placed.status_code == 201, placed.text
        order_no = placed.json()["order_no"]
        link = http.post(f"/api/v1/orders/{order_no}/payments", json={"provider": "ecny"})
        assert link.status_code == 201, link.text
    paid = httpx.post(link.json()["cashier_url"], data={"wallet_no": buyer.wallet_no, "pin": PIN},
                      headers={"accept": "application/json"}, timeout=30)
    assert paid.status_code == 200 and paid.json()["result"] == "paid", paid.text
    return order_no


PAID_OR_LATER = ("paid", "declared", "released", "shipped", "delivered")


def paid_count(live: Live, order_nos: list[str], status: str | tuple[str, ...] = PAID_OR_LATER) -> int:
    wanted = (status,) if isinstance(status, str) else status
    with live.ctx.db.reader() as session:
        return session.execute(select(func.count()).select_from(Order).where(
            Order.order_no.in_(order_nos), Order.status.in_(wanted))).scalar_one()


def wait_for_status(live: Live, order_nos: list[str], status: str, timeout_s: float = 120) -> int:
    """How many of the orders reached ``status`` before the time ran out."""
    deadline = time.monotonic() + timeout_s
    while (reached := paid_count(live, order_nos, status)) < len(order_nos) and time.monotonic() < deadline:
        time.sleep(0.2)
    return reached


def night_shop(live: Live, units: int) -> tuple[int, int]:
    """The expo of the catalog tests, with ``units`` bags of Russian candy in the bonded
    warehouse: (product id, warehouse id)."""
    place = live.place = expo(live.ctx.db)
    candy = product(live.ctx.db, place.operator, CANDY, exhibitor_id=place.candy_maker)
    set_stock(live.ctx.db, place.operator, candy, place.bonded, units, positive_list=SHIPPED_LIST)
    return candy, place.bonded


def night_product(live: Live, sku: str, units: int = 50, *, overseas: bool = False) -> int:
    """Another sweet of the same candy maker (after night_shop), stocked in the bonded
    warehouse, or only in the overseas one (a 9610 direct-mail sale)."""
    place = live.place
    made = product(live.ctx.db, place.operator, replace(CANDY, sku=sku, name_zh=f"糖果 {sku}",
                                                           name_en=f"Sweets {sku}", barcode=None),
                   exhibitor_id=place.candy_maker)
    warehouse = place.overseas if overseas else place.bonded
    set_stock(live.ctx.db, place.operator, made, warehouse, units, positive_list=SHIPPED_LIST)
    return made


def scripted_night(live: Live, buyers: int = 200, workers: int = 8, timeout_s: float = 240) -> Night:
    """Places and pays one order per buyer (1–3 bags of candy each) through the API and the
    e-CNY cashier; returns when every order is paid (the notifications have landed)."""
    candy, bonded = night_shop(live, buyers * 3)
    night = Night(candy, bonded, real_name_buyers(live, buyers))
    with ThreadPoolExecutor(workers) as pool:
        night.orders = list(pool.map(lambda nb: _buy_and_pay(live, night, nb[1], 1 + nb[0] % 3),
                                     enumerate(night.buyers)))
    deadline = time.monotonic() + timeout_s
    while paid_count(live, night.orders) < len(night.orders):
        assert time.monotonic() < deadline, f"{paid_count(live, night.orders)}/{len(night.orders)} paid"
        time.sleep(0.2)
    return night
