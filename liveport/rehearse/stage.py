"""Setting the stage, as the expo's operator would: sign in, find the live show and the
lineup product with the most stock, provision the crowd in bulk, open their sandbox e-CNY
wallets, give each buyer an address, and put a drop on sale with a countdown."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from liveport.buyers.domain import synthetic_id_number
from liveport.buyers.provisioning import synthetic_name
from liveport.protocols import ecny
from liveport.protocols.payment_wire import encode, seal
from liveport.rehearse.errors import RehearsalRefused, ServerAnsweredBadly
from liveport.rehearse.http import Http

PROVISION_CHUNK = 2_500  # accounts per provisioning request (one transaction each)
WALLET_CHUNK = 200  # wallets a message: a signed message is at most 64 KiB (payment_wire.MAX_BODY)
WALLET_LANES = 4
PIN = "135790"
WALLET_BALANCE = "50000.00"
ADDRESS = {"name": "", "phone": "", "address": "上海市青浦区崧泽大道 333 号 国家会展中心", "district_code": "310118"}


@dataclass
class Buyer:
    index: int
    user_id: int
    token: str
    wallet_no: str
    consignee_id: int = 0


@dataclass
class Stage:
    show_id: int
    product_id: int
    warehouse_id: int
    drop_id: int
    quantity: int
    per_buyer_limit: int
    price: str
    sales_start_at: datetime | None = None


async def sign_in(http: Http, email: str, password: str) -> str:
    body = await http.must("sign_in", "POST", "/api/v1/auth/login", json={"email": email, "password": password})
    if body["user"]["role"] != "operator":
        raise RehearsalRefused(f"{email} is not an operator.", code="rehearsal_not_operator")
    return str(body["token"])


async def choose_show(http: Http, show_id: int | None) -> dict[str, Any]:
    if show_id is not None:
        return dict(await http.must("show", "GET", f"/api/v1/shows/{show_id}"))
    shows = await http.must("show", "GET", "/api/v1/shows")
    live = [s for s in shows if s["status"] == "live"]
    if not live:
        raise RehearsalRefused("No show is live: start one or give --show.", code="rehearsal_no_live_show")
    return dict(await http.must("show", "GET", f"/api/v1/shows/{live[0]['id']}"))


async def choose_stock(http: Http, operator: str, show: dict[str, Any],
                       product_id: int | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(lineup item, stock row): the given product, or the lineup's most stocked one."""
    lineup = [i for i in show["lineup"] if product_id is None or i["product_id"] == product_id]
    if not lineup:
        raise RehearsalRefused(f"Product {product_id} is not in show {show['id']}'s lineup.",
                               code="rehearsal_product_not_in_lineup")
    best: tuple[dict[str, Any], dict[str, Any]] | None = None
    for item in lineup:
        for row in await http.must("stock", "GET", f"/api/v1/products/{item['product_id']}/stock", token=operator):
            if best is None or row["available"] > best[1]["available"]:
                best = (item, row)
    if best is None or best[1]["available"] < 1:
        raise RehearsalRefused("No lineup product has stock to sell.", code="rehearsal_no_stock")
    return best


async def provision(http: Http, operator: str, count: int, start_index: int = 0) -> list[Buyer]:
    """Buyers with verified synthetic identities and tokens, in a few bulk requests."""
    made: list[Buyer] = []
    for offset in range(0, count, PROVISION_CHUNK):
        n = min(PROVISION_CHUNK, count - offset)
        rows = await http.must("provision", "POST", "/api/v1/users/provision", token=operator,
                               json={"role": "buyer", "count": n, "prefix": "rehearsal"})
        for row in rows:
            made.append(Buyer(start_index + len(made), int(row["user_id"]), str(row["token"]),
                              f"0088{int(row['user_id']):012d}"))
    return made


def wallet_of(buyer: Buyer) -> dict[str, Any]:
    """A category-2 wallet in the buyer's own name: the server gave the buyer the synthetic
    identity of its user id (liveport.buyers.provisioning), and the cashier pays only from a
    wallet whose owner is the order's buyer."""
    return {"wallet_no": buyer.wallet_no, "category": 2, "medium": "soft", "owner_name": synthetic_name(buyer.user_id),
            "owner_id_no": synthetic_id_number(buyer.user_id), "balance": WALLET_BALANCE, "pin": PIN}


async def open_wallets(http: Http, ecny_url: str, merchant_id: str, merchant_key: str, buyers: list[Buyer]) -> None:
    """Wallets in the sandbox e-CNY operator, added as the merchant may in a sandbox (messages
    signed with the merchant key of the server's secrets file), a few messages at a time."""
    lanes = asyncio.Semaphore(WALLET_LANES)

    async def send(chunk: list[Buyer]) -> None:
        async with lanes:
            message = await asyncio.to_thread(seal, {"mch_id": merchant_id, "wallets": [wallet_of(b) for b in chunk]},
                                              merchant_key)
            # A server whose sandboxes run on their own (the demo's) redirects /sandbox there.
            answer = await http.call("wallets", "POST", f"{ecny_url}{ecny.SANDBOX_WALLETS_PATH}",
                                     content=encode(message), headers={"content-type": "application/json"},
                                     follow_redirects=True)
        if answer is None or answer.status_code != 200:
            detail = "no answer" if answer is None else f"{answer.status_code} {answer.text[:300]}"
            raise ServerAnsweredBadly(f"The e-CNY sandbox refused the wallets: {detail}",
                                      code="rehearsal_wallets_refused")

    await asyncio.gather(*(send(buyers[i:i + WALLET_CHUNK]) for i in range(0, len(buyers), WALLET_CHUNK)))


async def give_address(http: Http, buyer: Buyer) -> bool:
    body = {**ADDRESS, "name": synthetic_name(buyer.user_id), "phone": f"139{buyer.user_id % 100_000_000:08d}"}
    answer = await http.call("consignee", "POST", "/api/v1/me/consignees", token=buyer.token, buyer=buyer.index,
                             json=body)
    if answer is None or answer.status_code != 201:
        return False
    buyer.consignee_id = int(answer.json()["id"])
    return True


def drop_price(list_price: str, discount: Decimal) -> str:
    price = (Decimal(list_price) * (1 - discount)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return str(max(price, Decimal("0.01")))


async def put_on_sale(http: Http, operator: str, show: dict[str, Any], item: dict[str, Any], row: dict[str, Any],
                      quantity: int, per_buyer_limit: int, now: datetime) -> Stage:
    price = drop_price(str(item["price_cny"]), Decimal("0.2"))
    drop = await http.must("drop", "POST", "/api/v1/drops", token=operator, json={
        "show_id": show["id"], "product_id": item["product_id"], "warehouse_id": row["warehouse_id"],
        "quantity": min(quantity, row["available"]), "price": price, "per_buyer_limit": per_buyer_limit,
        "opens_at": (now + timedelta(minutes=1)).isoformat()})
    return Stage(show["id"], item["product_id"], row["warehouse_id"], int(drop["id"]), int(drop["quantity"]),
                 per_buyer_limit, price)


async def open_with_countdown(http: Http, operator: str, stage: Stage, countdown_s: int) -> datetime:
    opened = await http.must("drop", "POST", f"/api/v1/drops/{stage.drop_id}/open", token=operator,
                             json={"countdown_s": countdown_s})
    start = opened.get("sales_start_at") or opened.get("opened_at")
    stage.sales_start_at = datetime.fromisoformat(str(start))
    return stage.sales_start_at

