"""The single window over HTTP: DXP envelopes in, receipts out to our receipt URL."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import httpx

from liveport.core.errors import UpstreamError
from liveport.core.outbound import OutboundClient
from liveport.customs.ports import HeldMessage

log = logging.getLogger("liveport.customs")


class SingleWindowUnavailable(UpstreamError):
    code = "customs_unavailable"
    message = "The customs single window did not answer."


class HttpSingleWindow:
    def __init__(self, base_url: str, timeout_s: float, transport: httpx.BaseTransport | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._http = OutboundClient(timeout_s, transport)

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            answer = self._http.get().request(method, self._base + path, **kwargs)
        except httpx.HTTPError as exc:
            raise SingleWindowUnavailable(details={"reason": type(exc).__name__, "path": path}) from exc
        if answer.status_code >= 300:
            raise SingleWindowUnavailable(details={"status": answer.status_code, "path": path,
                                                   "answer": answer.text[:300]})
        return answer

    def register(self, *, dxp_id: str, customs_code: str, name: str, certificate: bytes, receipt_url: str) -> None:
        import base64

        self._send("POST", "/v1/parties", json={
            "dxp_id": dxp_id, "customs_code": customs_code, "name": name,
            "certificate": base64.b64encode(certificate).decode(), "receipt_url": receipt_url})

    def submit(self, envelope: bytes) -> None:
        self._send("POST", "/v1/messages", content=envelope, headers={"content-type": "application/xml"})

    def messages(self, order_no: str) -> list[HeldMessage]:
        rows = self._send("GET", "/v1/messages", params={"order_no": order_no}).json()
        return [HeldMessage(r["msg_type"], r["guid"], datetime.fromisoformat(r["received_at"]), str(r["status"]),
                            r.get("info", ""), r["xml"]) for r in rows]
