"""The carrier's handover and tracking over HTTP, on the same signed JSON as its waybills
(liveport.protocols.carrier): the customs adapter's connection details, two more calls."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from liveport.core.errors import ConfigurationError
from liveport.customs.adapters.http_carrier import CarrierUnavailable, HttpCarrier
from liveport.fulfilment.domain import TrackingEvent
from liveport.protocols import carrier as wire
from liveport.protocols import payment_wire


def _instant(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


class HttpParcelCarrier(HttpCarrier):
    def _opened(self, answer: httpx.Response) -> dict[str, Any]:
        if answer.status_code != 200:
            raise CarrierUnavailable(details={"status": answer.status_code, "answer": answer.text[:300]})
        try:
            return payment_wire.open_sealed(answer.content, self._carrier_key())
        except (ValueError, payment_wire.WireError) as exc:
            raise CarrierUnavailable(details={"reason": "bad_answer"}) from exc

    def _call(self, method: str, path: str, content: bytes | None = None) -> dict[str, Any]:
        try:
            answer = self._http.get().request(method, f"{self._base}{path}", content=content,
                                              headers={"content-type": "application/json"} if content else None)
        except httpx.HTTPError as exc:
            raise CarrierUnavailable(details={"reason": type(exc).__name__}) from exc
        return self._opened(answer)

    def hand_over(self, logistics_no: str, weight_kg: Decimal) -> datetime:
        if not self._private_key:
            raise ConfigurationError("no carrier merchant key: run `liveport secrets init`")
        message = payment_wire.seal({"mch_id": self._mch_id, "logistics_no": logistics_no,
                                     "weight": f"{weight_kg:.3f}"}, self._private_key)
        body = self._call("POST", wire.HANDOVER_PATH.format(logistics_no=logistics_no), payment_wire.encode(message))
        try:
            return _instant(wire.checked(body, ("handed_over_at",))["handed_over_at"])
        except payment_wire.WireError as exc:
            raise CarrierUnavailable(details={"reason": "bad_answer"}) from exc

    def events(self, logistics_no: str) -> list[TrackingEvent]:
        body = self._call("GET", wire.EVENTS_PATH.format(logistics_no=logistics_no))
        try:
            rows = [wire.checked(row, ("event", "at", "description")) for row in body.get("events", [])]
        except (payment_wire.WireError, AttributeError) as exc:
            raise CarrierUnavailable(details={"reason": "bad_answer"}) from exc
        return [TrackingEvent(row["event"], _instant(row["at"]), row["description"]) for row in rows]
