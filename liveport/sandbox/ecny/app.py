"""The sandbox e-CNY operator as a Starlette app (wire format: liveport/protocols/ecny.py).

Routes (paths relative to the mount, ``/sandbox/ecny`` in the embedded setup):
- ``POST /v1/orders``, ``/v1/orders/query``, ``/v1/refunds``, ``/v1/statements``,
  ``/v1/customs-declarations``, ``/v1/customs-declarations/query``: signed by the merchant;
  every answer signed by the operator.
- ``GET|POST /cashier/{token}``: the wallet owner's page; the POST takes ``wallet_no`` and
  ``pin`` (form or JSON) and answers HTML, or JSON with ``Accept: application/json``.
- ``POST /v1/sandbox/wallets``: signed by the merchant, ``{"mch_id", "wallets": [...]}`` adds
  test wallets (the fields of ``default_wallets.json``).
- ``POST /v1/customs-receipts``: the customs single window's CEB412 for the operator's CEB411.
- ``GET /v1/provider-key`` (the operator's public key), ``GET /healthz``.

Configuration (arguments, else environment, else defaults): ``merchants`` {mch_id: public
key hex}, else the merchant ``LIVEPORT_ECNY_MERCHANT_ID`` (default ``LP-ECNY-0001``) with the
``ecny_merchant_public_key`` of the ``secrets.json`` beside the data dir; ``wallet_config``
(``LIVEPORT_SANDBOX_ECNY_WALLETS``) seeds an empty store; ``notify_backoff_s``
(``LIVEPORT_SANDBOX_NOTIFY_BACKOFF_S``, comma-separated seconds). The operator's key pair is
made on first start in ``<data_dir>/ecny/provider_key.json`` (0600), its public half in
``provider_public_key.hex``. A declaration sends CEB411 to ``customs_url`` (default
``{base_url}/sandbox/customs``; recorded only without either), signed with the certificate
in ``customs_party.json`` (payment_provider/customs_filing.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from liveport.protocols import ecny
from liveport.protocols.payment_wire import WireError
from liveport.sandbox.ecny import cashier
from liveport.sandbox.ecny.wallets import WalletStore, load_config
from liveport.sandbox.payment_provider.customs_filing import declarer_for
from liveport.sandbox.payment_provider.keys import Merchants, provider_keypair
from liveport.sandbox.payment_provider.merchant_api import (
    ProviderCore,
    customs_receipts_route,
    healthz,
    public_key_route,
)
from liveport.sandbox.payment_provider.notifier import DEFAULT_BACKOFF_S, Notifier

MERCHANT_ID_ENV = "LIVEPORT_ECNY_MERCHANT_ID"
DEFAULT_MERCHANT_ID = "LP-ECNY-0001"
WALLETS_ENV = "LIVEPORT_SANDBOX_ECNY_WALLETS"
BACKOFF_ENV = "LIVEPORT_SANDBOX_NOTIFY_BACKOFF_S"
PAY_CODE = "312226T001"  # the sandbox operator's customs registration code
PAY_NAME = "Sandbox e-CNY Operator"
DXP_ID = "DXPENTECNY000001"  # the provider's DXP node at the customs single window


def backoff_from_env(default: Sequence[float]) -> tuple[float, ...]:
    raw = os.environ.get(BACKOFF_ENV, "").strip()
    if not raw:
        return tuple(default)
    return tuple(float(part) for part in raw.split(","))


class Cashier:
    def __init__(self, core: ProviderCore, store: WalletStore) -> None:
        self.core = core
        self.store = store

    async def page(self, request: Request) -> Response:
        token = request.path_params["token"]
        trade = await run_in_threadpool(self.store.trade_by_token, token)
        if trade is None:
            return HTMLResponse(cashier.refused_page("order_not_found"), 404)
        wallets = await run_in_threadpool(self.store.list_wallets)
        return HTMLResponse(cashier.payment_page(trade, wallets, str(request.url)))

    async def confirm(self, request: Request) -> Response:
        token = request.path_params["token"]
        wants_json = "application/json" in request.headers.get("accept", "")
        if request.headers.get("content-type", "").startswith("application/json"):
            try:
                data: Mapping[str, Any] = await request.json()
            except ValueError:
                data = {}
        else:
            data = await request.form()
        wallet_no, pin = str(data.get("wallet_no", "")).strip(), str(data.get("pin", ""))
        try:
            if not (wallet_no.isdigit() and pin.isdigit() and len(pin) == 6):
                raise WireError("bad_request", "wallet_no and a 6-digit pin are required")
            trade = await run_in_threadpool(self.store.pay, token, wallet_no, pin, self.core.now())
        except WireError as error:
            limit = error.extra.get("limit")
            if wants_json:
                body = {"result": "refused", "code": error.code, "message": error.message}
                if limit:
                    body["limit"] = limit
                return JSONResponse(body, error.status)
            return HTMLResponse(cashier.refused_page(error.code, limit), error.status)
        self.core.notifier.wake()
        if wants_json:
            return JSONResponse({"result": "paid", "out_trade_no": trade["out_trade_no"],
                                 "trade_no": trade["trade_no"]})
        return HTMLResponse(cashier.paid_page(trade))


def create_app(
    data_dir: Path,
    *,
    merchants: Mapping[str, str] | None = None,
    wallet_config: Path | None = None,
    notify_backoff_s: Sequence[float] | None = None,
    notify_timeout_s: float = 5.0,
    order_ttl_s: int = 1800,
    clock: Callable[[], float] = time.time,
    base_url: str | None = None,
    customs_url: str | None = None,
    customs_backoff_s: Sequence[float] | None = None,
    customs_timeout_s: float = 5.0,
) -> Starlette:
    home = Path(data_dir) / "ecny"
    config_path = wallet_config or (Path(os.environ[WALLETS_ENV]) if os.environ.get(WALLETS_ENV) else None)
    config = load_config(config_path)
    store = WalletStore(home / "operator.sqlite3", config.get("categories", {}))
    if store.wallet_count() == 0:
        store.add_wallets(config.get("wallets", []))
    keypair = provider_keypair(home)
    notifier = Notifier(
        store, keypair.private_key, notify_backoff_s or backoff_from_env(DEFAULT_BACKOFF_S),
        timeout_s=notify_timeout_s, clock=clock,
    )
    core = ProviderCore(
        store=store,
        keypair=keypair,
        merchants=Merchants(
            merchants, Path(data_dir).parent / "secrets.json",
            os.environ.get(MERCHANT_ID_ENV, DEFAULT_MERCHANT_ID), "ecny_merchant_public_key",
        ),
        notifier=notifier,
        pay_code=PAY_CODE,
        page_path=ecny.CASHIER_PATH,
        order_ttl_s=order_ttl_s,
        clock=clock,
        customs=declarer_for(home, store, pay_code=PAY_CODE, pay_name=PAY_NAME, dxp_id=DXP_ID, base_url=base_url,
                             customs_url=customs_url, backoff_s=customs_backoff_s, timeout_s=customs_timeout_s),
        credit_refund=WalletStore.credit_refund,
        code_url=ecny.code_url,
    )
    desk = Cashier(core, store)

    def add_wallets(fields: dict[str, Any], request: Request) -> dict[str, Any]:
        wallets = request.state.message.get("wallets")
        if not isinstance(wallets, list) or not 1 <= len(wallets) <= 5000:
            raise WireError("bad_request", "wallets: a list of 1-5000 wallets")
        try:
            added = store.add_wallets(wallets)
        except ValueError as exc:
            raise WireError("bad_request", str(exc)[:200]) from exc
        return {"message": f"{added} wallets added"}

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        notifier.close()  # only when served alone: a mount's lifespan is its parent's
        if core.customs is not None:
            core.customs.close()

    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            *core.routes(),
            Route(ecny.SANDBOX_WALLETS_PATH, core.endpoint("sandbox_wallets", add_wallets), methods=["POST"]),
            public_key_route(core),
            customs_receipts_route(core),
            Route(ecny.CASHIER_PATH, desk.page, methods=["GET"]),
            Route(ecny.CASHIER_PATH, desk.confirm, methods=["POST"]),
        ],
        lifespan=lifespan,
    )
    app.state.sandbox = core
    app.state.store = store
    if core.customs is not None and core.customs.pending():
        core.customs.wake()  # declarations left unsent by the last run
    if store.next_notification_at() is not None:
        notifier.wake()  # notifications left pending by the last run
    return app
