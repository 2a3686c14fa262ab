"""The sandbox card acquirer as a Starlette app (wire format: liveport/protocols/card.py).

Routes (relative to the mount, ``/sandbox/card`` in the embedded setup): the shared signed
routes (``/v1/orders``, ``/v1/orders/query``, ``/v1/refunds``, ``/v1/statements``,
``/v1/customs-declarations``, ``/v1/customs-declarations/query``), ``POST
/v1/authorizations`` and ``POST /v1/captures`` (signed), ``GET|POST /pay/{token}`` (the hosted
card page; JSON with ``Accept: application/json``), ``POST /v1/customs-receipts`` (the customs
single window's CEB412), ``GET /v1/provider-key``, ``GET /healthz``.

The slow test card holds its answer ``slow_card_delay_s`` (default 30 s,
``LIVEPORT_SANDBOX_CARD_SLOW_S``), longer than any client's timeout, and then authorises:
like a real acquirer, the merchant that gave up must query to learn what happened.
Merchants and keys as at the e-CNY sandbox: ``LIVEPORT_CARD_MERCHANT_ID`` (default
``LP-CARD-0001``) with ``card_merchant_public_key`` of the ``secrets.json`` beside the data dir;
declarations send CEB411 to the customs single window as at the e-CNY sandbox.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from liveport.protocols import card
from liveport.protocols.payment_wire import WireError, validated
from liveport.protocols.trade_messages import PATHS
from liveport.sandbox.card import page
from liveport.sandbox.card.cards import CardStore
from liveport.sandbox.payment_provider.customs_filing import declarer_for
from liveport.sandbox.payment_provider.keys import Merchants, provider_keypair
from liveport.sandbox.payment_provider.merchant_api import (
    ProviderCore,
    customs_receipts_route,
    healthz,
    public_key_route,
)
from liveport.sandbox.payment_provider.notifier import DEFAULT_BACKOFF_S, Notifier

MERCHANT_ID_ENV = "LIVEPORT_CARD_MERCHANT_ID"
DEFAULT_MERCHANT_ID = "LP-CARD-0001"
SLOW_ENV = "LIVEPORT_SANDBOX_CARD_SLOW_S"
BACKOFF_ENV = "LIVEPORT_SANDBOX_NOTIFY_BACKOFF_S"
PAY_CODE = "312228C001"  # the sandbox acquirer's customs registration code
PAY_NAME = "Sandbox Card Acquirer"
DXP_ID = "DXPENTCARD000001"  # the provider's DXP node at the customs single window


class Acquirer:
    def __init__(self, core: ProviderCore, store: CardStore, slow_card_delay_s: float) -> None:
        self.core = core
        self.store = store
        self.slow_card_delay_s = slow_card_delay_s

    def delay_for(self, fields: dict[str, Any]) -> float:
        return self.slow_card_delay_s if fields.get("card_no") == card.SLOW_CARD else 0.0

    def authorize(self, fields: dict[str, Any], _request: Request) -> dict[str, Any]:
        now = self.core.now()
        auth = self.store.authorize(fields, now, now + timedelta(seconds=self.core.order_ttl_s))
        return {"out_trade_no": fields["out_trade_no"], "auth_id": auth["auth_id"],
                "amount": str(auth["amount"]), "auth_state": "AUTHORIZED"}

    def capture(self, fields: dict[str, Any], _request: Request) -> dict[str, Any]:
        trade = self.store.capture(fields["mch_id"], fields["out_trade_no"], int(fields["amount"]), self.core.now())
        self.core.notifier.wake()
        return self.store.trade_fields(trade, self.core.now())

    async def page(self, request: Request) -> Response:
        trade = await run_in_threadpool(self.store.trade_by_token, request.path_params["token"])
        if trade is None:
            return HTMLResponse(page.refused_page("order_not_found"), 404)
        return HTMLResponse(page.card_form(trade, str(request.url)))

    def _pay(self, trade: dict[str, Any], form: dict[str, str]) -> dict[str, Any]:
        fields = {key: str(trade[key]) for key in
                  ("mch_id", "out_trade_no", "amount", "currency", "description", "notify_url")}
        for key in ("buyer_name", "buyer_id_no"):
            if trade[key]:
                fields[key] = trade[key]
        fields.update(form)
        now = self.core.now()
        self.store.authorize(fields, now, now)  # the trade exists: its expiry stays
        paid = self.store.capture(trade["mch_id"], trade["out_trade_no"], trade["amount"], now)
        self.core.notifier.wake()
        return paid

    async def pay(self, request: Request) -> Response:
        wants_json = "application/json" in request.headers.get("accept", "")
        if request.headers.get("content-type", "").startswith("application/json"):
            try:
                data: Mapping[str, Any] = await request.json()
            except ValueError:
                data = {}
        else:
            data = await request.form()
        trade = await run_in_threadpool(self.store.trade_by_token, request.path_params["token"])
        try:
            if trade is None:
                raise WireError("order_not_found", status=404)
            if trade["state"] != "NOTPAY":
                raise WireError("order_paid" if trade["state"] == "SUCCESS" else "order_closed", status=409)
            form = validated({k: str(v).strip() for k, v in data.items()},
                             ("card_no", "card_expiry", "card_cvv"), ("holder_name", "holder_id_no"))
            if (pause := self.delay_for(form)) > 0:
                await asyncio.sleep(pause)
            paid = await run_in_threadpool(self._pay, trade, form)
        except WireError as error:
            reason = error.extra.get("decline_reason")
            if wants_json:
                body = {"result": "refused", "code": error.code, "message": error.message}
                if reason:
                    body["decline_reason"] = reason
                return JSONResponse(body, error.status)
            return HTMLResponse(page.refused_page(error.code, reason), error.status)
        if wants_json:
            return JSONResponse({"result": "paid", "out_trade_no": paid["out_trade_no"],
                                 "trade_no": paid["trade_no"]})
        return HTMLResponse(page.paid_page(paid))


def create_app(
    data_dir: Path,
    *,
    merchants: Mapping[str, str] | None = None,
    slow_card_delay_s: float | None = None,
    notify_backoff_s: Sequence[float] | None = None,
    notify_timeout_s: float = 5.0,
    order_ttl_s: int = 1800,
    clock: Callable[[], float] = time.time,
    base_url: str | None = None,
    customs_url: str | None = None,
    customs_backoff_s: Sequence[float] | None = None,
    customs_timeout_s: float = 5.0,
) -> Starlette:
    home = Path(data_dir) / "card"
    store = CardStore(home / "acquirer.sqlite3")
    keypair = provider_keypair(home)
    backoff = notify_backoff_s or tuple(
        float(p) for p in os.environ.get(BACKOFF_ENV, "").split(",") if p.strip()
    ) or DEFAULT_BACKOFF_S
    notifier = Notifier(store, keypair.private_key, backoff, timeout_s=notify_timeout_s, clock=clock)
    core = ProviderCore(
        store=store,
        keypair=keypair,
        merchants=Merchants(
            merchants, Path(data_dir).parent / "secrets.json",
            os.environ.get(MERCHANT_ID_ENV, DEFAULT_MERCHANT_ID), "card_merchant_public_key",
        ),
        notifier=notifier,
        pay_code=PAY_CODE,
        page_path=card.HOSTED_PAGE_PATH,
        order_ttl_s=order_ttl_s,
        clock=clock,
        customs=declarer_for(home, store, pay_code=PAY_CODE, pay_name=PAY_NAME, dxp_id=DXP_ID, base_url=base_url,
                             customs_url=customs_url, backoff_s=customs_backoff_s, timeout_s=customs_timeout_s),
        credit_refund=CardStore.no_credit,
    )
    if slow_card_delay_s is None:
        slow_card_delay_s = float(os.environ.get(SLOW_ENV, "30"))
    acquirer = Acquirer(core, store, slow_card_delay_s)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        notifier.close()
        if core.customs is not None:
            core.customs.close()

    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            *core.routes(),
            Route(PATHS["authorize"], core.endpoint("authorize", acquirer.authorize, acquirer.delay_for),
                  methods=["POST"]),
            Route(PATHS["capture"], core.endpoint("capture", acquirer.capture), methods=["POST"]),
            public_key_route(core),
            customs_receipts_route(core),
            Route(card.HOSTED_PAGE_PATH, acquirer.page, methods=["GET"]),
            Route(card.HOSTED_PAGE_PATH, acquirer.pay, methods=["POST"]),
        ],
        lifespan=lifespan,
    )
    app.state.sandbox = core
    app.state.store = store
    if core.customs is not None and core.customs.pending():
        core.customs.wake()  # declarations left unsent by the last run
    if store.next_notification_at() is not None:
        notifier.wake()
    return app
