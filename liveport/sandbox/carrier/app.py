"""The sandbox logistics carrier as a Starlette app (wire format: liveport/protocols/carrier.py).

Routes (relative to the mount, ``/sandbox/carrier`` in the embedded setup):
- ``POST /v1/waybills`` (signed by the merchant, answered signed): a waybill for an order,
  unique at this carrier; the same order again answers the same waybill. Its CEB511 is then
  filed with the customs single window (filing.py).
- ``GET /v1/waybills/{logistics_no}/events``: tracking events (signed answer).
- ``POST /v1/waybills/{logistics_no}/handover`` (signed by the merchant, answered signed):
  the packed parcel is ready; the carrier then delivers it on its own clock (delivery.py).
- ``POST /v1/customs-receipts``: where the single window sends CEB512 / CEB900.
- ``GET /v1/carrier-key`` (the carrier's public key), ``GET /healthz``.

Configuration (arguments, else environment, else defaults): ``merchants`` {mch_id: public
key hex}, else the merchant ``LIVEPORT_CARRIER_MERCHANT_ID`` (default ``LP-CARRIER-0001``)
with the ``carrier_merchant_public_key`` of the ``secrets.json`` beside the data dir;
``customs_url`` (default ``{base_url}/sandbox/customs``; no filing without either);
``self_url``, where the window reaches this carrier (default: the URL the waybill request
came in on); ``logistics_code`` / ``logistics_name``; ``customs_backoff_s``
(``LIVEPORT_SANDBOX_CARRIER_BACKOFF_S``); ``clock_speed``, sandbox seconds per real second
for deliveries (``LIVEPORT_SANDBOX_CLOCK_SPEED``, default 1). Keys are made on first start in
``<data_dir>/carrier/``: ``provider_key.json`` (0600), ``provider_public_key.hex``,
``customs_party.json`` (the certificate CEB511 is signed with).
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from liveport.protocols import carrier as wire
from liveport.protocols import customs as ceb
from liveport.protocols.payment_wire import SUCCESS, WireError, check_envelope, decode, encode, seal
from liveport.sandbox.carrier.delivery import Deliveries, resolve_speed
from liveport.sandbox.carrier.filing import DEFAULT_BACKOFF_S, CustomsFiler, apply_receipt
from liveport.sandbox.carrier.keys import Merchants, carrier_keypair, customs_party
from liveport.sandbox.carrier.store import WaybillStore, new_logistics_no, now_utc, same_or_refused

MERCHANT_ID_ENV = "LIVEPORT_CARRIER_MERCHANT_ID"
DEFAULT_MERCHANT_ID = "LP-CARRIER-0001"
BACKOFF_ENV = "LIVEPORT_SANDBOX_CARRIER_BACKOFF_S"
LOGISTICS_CODE = "4403980LOG"  # the sandbox carrier's customs registration code
LOGISTICS_NAME = "Sandbox Express"
DXP_ID = "DXPENTCARRIER001"
RECEIPTS_PATH = "/v1/customs-receipts"


class Carrier:
    def __init__(self, store: WaybillStore, keypair: Any, merchants: Merchants, party: ceb.PartyCredentials,
                 filer: CustomsFiler | None, self_url: str | None, clock: Callable[[], float],
                 deliveries: Deliveries) -> None:
        self.store = store
        self.deliveries = deliveries
        self.keypair = keypair
        self.merchants = merchants
        self.party = party
        self.filer = filer
        self.self_url = self_url
        self.clock = clock

    def signed(self, answer: dict[str, Any], status: int = 200) -> Response:
        return Response(encode(seal(answer, self.keypair.private_key, self.clock)), status,
                        media_type="application/json")

    def refused(self, error: WireError) -> Response:
        return self.signed({"code": error.code, "message": error.message}, error.status)

    def _authenticate(self, body: bytes, fields: Callable[[Any], dict[str, str]] = wire.waybill_request
                      ) -> dict[str, str]:
        data = decode(body)
        mch_id = wire.checked(data, ("mch_id",))["mch_id"]
        public_key = self.merchants.public_key(mch_id)
        if public_key is None:
            raise WireError("unknown_merchant", status=401)
        check_envelope(data, public_key, clock=self.clock)
        if not self.store.use_nonce(mch_id, data["nonce"], self.clock()):
            raise WireError("replayed_nonce", status=401)
        return fields(data)

    async def create_waybill(self, request: Request) -> Response:
        body = await request.body()
        base = self.self_url or str(request.url.replace(path=request.scope.get("root_path", ""), query=""))
        try:
            waybill = await run_in_threadpool(self._create, body, base.rstrip("/") + RECEIPTS_PATH)
        except WireError as error:
            return await run_in_threadpool(self.refused, error)
        if self.filer is not None and waybill["customs_status"] == "PENDING":
            self.filer.wake()
        answer = {"code": SUCCESS, **{name: waybill[name] for name in ("mch_id", "order_no", "logistics_no")},
                  "logistics_code": self.party.customs_code, "logistics_name": self.party.name}
        answer.update({n: waybill[n] for n in ("traf_mode", "traf_no", "voyage_no", "bill_no") if waybill.get(n)})
        return await run_in_threadpool(self.signed, answer)

    def _create(self, body: bytes, receipt_url: str) -> dict[str, Any]:
        fields = self._authenticate(body)
        fields.setdefault("trade_mode", ceb.TRADE_MODE_BONDED)
        known = self.store.existing(fields["mch_id"], fields["order_no"])
        if known is not None:
            return same_or_refused(known, fields)
        now = now_utc()
        waybill = {**fields, "logistics_no": new_logistics_no(), "receipt_url": receipt_url}
        if fields["trade_mode"] == ceb.TRADE_MODE_DIRECT:  # a parcel flown in: the flight it is on
            waybill.update(traf_mode="5", traf_no="SX0851", voyage_no=f"{now.astimezone(ceb.CHINA_TIME):%Y%m%d}",
                           bill_no=f"999-{now.astimezone(ceb.CHINA_TIME):%Y%m%d}")
        message = self._ceb511(waybill, now)
        waybill.update(message=ceb.seal(message, self.party), message_guid=message.guid)
        return self.store.create(waybill, now)

    def _ceb511(self, waybill: dict[str, Any], now: datetime) -> ceb.CEB511Message:
        node = ceb.Logistics(
            app_time=ceb.app_time(now), logistics_code=self.party.customs_code, logistics_name=self.party.name,
            logistics_no=waybill["logistics_no"], bill_no=waybill.get("bill_no"), order_no=waybill["order_no"],
            freight=Decimal(waybill["freight"]) / 100, insured_fee=Decimal(waybill["insured_fee"]) / 100,
            weight=Decimal(waybill["weight"]), goods_info=waybill["goods_info"], consignee=waybill["consignee"],
            consignee_address=waybill["consignee_address"], consignee_telephone=waybill["consignee_telephone"],
        )
        transfer = ceb.BaseTransfer(cop_code=self.party.customs_code, cop_name=self.party.name, dxp_id=DXP_ID)
        return ceb.CEB511Message(logistics=(node,), base_transfer=transfer)

    async def events(self, request: Request) -> Response:
        logistics_no = request.path_params["logistics_no"]
        waybill = await run_in_threadpool(self.store.waybill, logistics_no)
        if waybill is None:
            return await run_in_threadpool(self.refused, WireError("waybill_not_found", status=404))
        await run_in_threadpool(self.deliveries.catch_up, logistics_no)
        events = await run_in_threadpool(self.store.events, logistics_no)
        return await run_in_threadpool(self.signed, {
            "code": SUCCESS, "logistics_no": logistics_no, "order_no": waybill["order_no"],
            "customs_status": waybill["customs_status"], "events": events,
        })

    async def handover(self, request: Request) -> Response:
        body = await request.body()
        try:
            answer = await run_in_threadpool(self._hand_over, body, request.path_params["logistics_no"])
        except WireError as error:
            return await run_in_threadpool(self.refused, error)
        return await run_in_threadpool(self.signed, {"code": SUCCESS, **answer})

    def _hand_over(self, body: bytes, logistics_no: str) -> dict[str, Any]:
        fields = self._authenticate(body, wire.handover_request)
        if fields["logistics_no"] != logistics_no:
            raise WireError("bad_request", "logistics_no differs from the path")
        return self.deliveries.hand_over(fields)

    async def customs_receipt(self, request: Request) -> Response:
        body = await request.body()
        try:
            await run_in_threadpool(apply_receipt, self.store, body, self.party.customs_code)
        except ceb.CustomsWireError as exc:
            return JSONResponse({"error": str(exc)[:300]}, 400)
        return JSONResponse({"received": True})

    async def public_key(self, _request: Request) -> Response:
        return JSONResponse({"sign_type": "SM2", "public_key": self.keypair.public_key})


async def healthz(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def create_app(
    data_dir: Path,
    *,
    base_url: str | None = None,
    customs_url: str | None = None,
    self_url: str | None = None,
    merchants: Mapping[str, str] | None = None,
    logistics_code: str = LOGISTICS_CODE,
    logistics_name: str = LOGISTICS_NAME,
    customs_backoff_s: Sequence[float] | None = None,
    customs_timeout_s: float = 5.0,
    clock: Callable[[], float] = time.time,
    clock_speed: float | None = None,
) -> Starlette:
    home = Path(data_dir) / "carrier"
    store = WaybillStore(home / "carrier.sqlite3")
    keypair = carrier_keypair(home)
    party = customs_party(home, logistics_name, logistics_code)
    if customs_url is None and base_url is not None:
        customs_url = f"{base_url.rstrip('/')}/sandbox/customs"
    filer = None
    if customs_url is not None:
        backoff = customs_backoff_s or tuple(
            float(p) for p in os.environ.get(BACKOFF_ENV, "").split(",") if p.strip()) or DEFAULT_BACKOFF_S
        filer = CustomsFiler(store, party, customs_url=customs_url, dxp_id=DXP_ID,
                             window_id=os.environ.get("LIVEPORT_CUSTOMS_RECEIVER_ID", "DXPEDCCEB0000002"),
                             backoff_s=backoff, timeout_s=customs_timeout_s)
    carrier = Carrier(
        store, keypair,
        Merchants(merchants, Path(data_dir).parent / "secrets.json",
                  os.environ.get(MERCHANT_ID_ENV, DEFAULT_MERCHANT_ID), "carrier_merchant_public_key"),
        party, filer, self_url.rstrip("/") if self_url else None, clock,
        Deliveries(store, resolve_speed(clock_speed), clock),
    )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        if filer is not None:
            filer.close()  # only when served alone: a mount's lifespan is its parent's

    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route(wire.WAYBILLS_PATH, carrier.create_waybill, methods=["POST"]),
            Route(wire.EVENTS_PATH, carrier.events, methods=["GET"]),
            Route(wire.HANDOVER_PATH, carrier.handover, methods=["POST"]),
            Route(RECEIPTS_PATH, carrier.customs_receipt, methods=["POST"]),
            Route(wire.KEY_PATH, carrier.public_key, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.carrier = carrier
    app.state.store = store
    if filer is not None and store.next_filing_at() is not None:
        filer.wake()  # filings left pending by the last run
    return app
