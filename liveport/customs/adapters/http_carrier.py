"""The logistics carrier over HTTP: SM2-signed JSON as the payment providers speak it
(liveport.protocols.payment_wire); the carrier files CEB511 with customs itself."""
from __future__ import annotations

import logging
from pathlib import Path

import httpx

from liveport.core.errors import ConfigurationError, UpstreamError
from liveport.core.outbound import OutboundClient
from liveport.core.settings import Settings
from liveport.customs.ports import Transport, Waybill, WaybillRequest
from liveport.protocols import payment_wire, sm2sign

log = logging.getLogger("liveport.customs")
SANDBOX_KEY_FILE = Path("sandbox") / "carrier" / "provider_public_key.hex"


class CarrierUnavailable(UpstreamError):
    code = "carrier_unavailable"
    message = "The logistics carrier did not answer correctly."


class HttpCarrier:
    def __init__(self, base_url: str, mch_id: str, private_key: str | None, carrier_key: str | Path,
                 timeout_s: float, transport: httpx.BaseTransport | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._mch_id = mch_id
        self._private_key = private_key
        self._key_source = carrier_key
        self._http = OutboundClient(timeout_s, transport)

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpCarrier:
        key = settings.carrier_merchant_private_key
        return cls(settings.carrier_url or settings.sandbox_url("carrier"), settings.carrier_merchant_id,
                   key.get_secret_value() if key else None,
                   settings.carrier_public_key or settings.data_dir / SANDBOX_KEY_FILE, settings.outbound_timeout_s)

    def _carrier_key(self) -> str:
        source = self._key_source
        try:
            text = source.read_text() if isinstance(source, Path) else source
            return sm2sign.check_public_key(text.strip())
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"the carrier's public key is missing or invalid ({source})") from exc

    def create_waybill(self, request: WaybillRequest) -> Waybill:
        if not self._private_key:
            raise ConfigurationError("no carrier merchant key: run `liveport secrets init`")
        message = payment_wire.seal({
            "mch_id": self._mch_id, "order_no": request.order_no, "ebp_code": request.ebp_code,
            "ebp_name": request.ebp_name, "consignee": request.consignee,
            "consignee_telephone": request.consignee_telephone, "consignee_address": request.consignee_address,
            "freight": payment_wire.fen_text(request.freight), "insured_fee": "0",
            "weight": f"{request.weight_kg:.4f}", "goods_info": request.goods_info,
            "trade_mode": request.trade_mode}, self._private_key)
        try:
            answer = self._http.get().post(f"{self._base}/v1/waybills", content=payment_wire.encode(message),
                                     headers={"content-type": "application/json"})
        except httpx.HTTPError as exc:
            raise CarrierUnavailable(details={"reason": type(exc).__name__}) from exc
        if answer.status_code != 200:
            raise CarrierUnavailable(details={"status": answer.status_code, "answer": answer.text[:300]})
        try:
            body = payment_wire.open_sealed(answer.content, self._carrier_key())
        except ValueError as exc:
            raise CarrierUnavailable(details={"reason": "bad_answer"}) from exc
        transport = None
        if request.trade_mode == "9610":
            transport = Transport(str(body["traf_mode"]), str(body["traf_no"]), str(body["voyage_no"]), str(body["bill_no"]))
        return Waybill(str(body["logistics_code"]), str(body["logistics_name"]), str(body["logistics_no"]), transport)
