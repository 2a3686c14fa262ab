"""The merchant-facing routes both payment providers serve, and how every one of them is
handled: body → merchant's key → signature and freshness → nonce not seen → action → an
answer signed with the provider's key (refusals too). Signing and verifying run in the
thread pool, never on the event loop."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from liveport.protocols import sm2sign, trade_messages
from liveport.protocols.customs import CustomsWireError
from liveport.protocols.payment_wire import (
    SUCCESS,
    WireError,
    check_envelope,
    decode,
    encode,
    parse_utc_text,
    seal,
    validated,
)
from liveport.sandbox.payment_provider.customs_filing import RECEIPTS_PATH, CustomsDeclarer
from liveport.sandbox.payment_provider.keys import Merchants
from liveport.sandbox.payment_provider.notifier import Notifier
from liveport.sandbox.payment_provider.store import TradeStore

Action = Callable[[dict[str, Any], Request], dict[str, Any]]


def _no_credit(_conn: sqlite3.Connection, _trade: dict[str, Any], _amount: int) -> None:
    return None


@dataclass
class ProviderCore:
    store: TradeStore
    keypair: sm2sign.KeyPair
    merchants: Merchants
    notifier: Notifier
    pay_code: str  # the provider's customs registration code, as CEB411 carries it
    page_path: str  # where the buyer pays, e.g. "/cashier/{token}"
    order_ttl_s: int = 1800
    clock: Callable[[], float] = time.time
    credit_refund: Callable[[sqlite3.Connection, dict[str, Any], int], None] = _no_credit
    code_url: Callable[[str], str] | None = None
    # Sends CEB411 for declarations (customs_filing.py); None: declarations are only recorded.
    customs: CustomsDeclarer | None = None

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    # -- the signed exchange -----------------------------------------------------------------

    def _authenticate(self, kind: str, body: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
        """(checked fields of the kind, the whole message)"""
        data = decode(body)
        mch_id = validated(data, ("mch_id",))["mch_id"]
        public_key = self.merchants.public_key(mch_id)
        if public_key is None:
            raise WireError("unknown_merchant", status=401)
        check_envelope(data, public_key, clock=self.clock)
        if not self.store.use_nonce(mch_id, data["nonce"], self.clock()):
            raise WireError("replayed_nonce", status=401)
        return trade_messages.fields_of(kind, data), data

    def signed(self, answer: dict[str, Any], status: int = 200) -> Response:
        return Response(encode(seal(answer, self.keypair.private_key, self.clock)), status,
                        media_type="application/json")

    def refusal(self, error: WireError, mch_id: object = None) -> dict[str, Any]:
        answer: dict[str, Any] = {"code": error.code, "message": error.message, **error.extra}
        if isinstance(mch_id, str) and len(mch_id) <= 32:
            answer["mch_id"] = mch_id
        return answer

    def endpoint(
        self, kind: str, action: Action, delay_s: Callable[[dict[str, Any]], float] | None = None
    ) -> Callable[[Request], Awaitable[Response]]:
        """``delay_s(fields)`` > 0 holds the answer that long (a slow upstream on demand)
        without holding a worker thread."""

        async def handle(request: Request) -> Response:
            body = await request.body()

            def refuse(error: WireError) -> Response:
                try:
                    mch_id = decode(body).get("mch_id")
                except WireError:
                    mch_id = None
                return self.signed(self.refusal(error, mch_id), error.status)

            def answer(fields: dict[str, Any]) -> Response:
                try:
                    return self.signed({"code": SUCCESS, "mch_id": fields["mch_id"], **action(fields, request)})
                except WireError as error:
                    return refuse(error)

            try:
                fields, request.state.message = await run_in_threadpool(self._authenticate, kind, body)
            except WireError as error:
                return await run_in_threadpool(refuse, error)
            if delay_s is not None and (pause := delay_s(fields)) > 0:
                await asyncio.sleep(pause)
            return await run_in_threadpool(answer, fields)

        return handle

    # -- actions -----------------------------------------------------------------------------

    def pre_order(self, fields: dict[str, Any], request: Request) -> dict[str, Any]:
        if ("buyer_name" in fields) != ("buyer_id_no" in fields):
            raise WireError("bad_request", "buyer_name and buyer_id_no go together")
        now = self.now()
        expires = now + timedelta(seconds=self.order_ttl_s)
        if "time_expire" in fields:
            expires = parse_utc_text(fields["time_expire"])
            if expires <= now:
                raise WireError("bad_request", "time_expire is in the past")
        trade = self.store.create_trade(fields, now, expires)
        # Where this app is mounted (/sandbox/ecny when embedded), as the client reached it.
        base = str(request.url.replace(path=request.scope.get("root_path", ""), query="")).rstrip("/")
        answer = {
            "out_trade_no": trade["out_trade_no"],
            "trade_no": trade["trade_no"],
            "amount": str(trade["amount"]),
            "cashier_url": base + self.page_path.format(token=trade["token"]),
            "time_expire": trade["expires_at"],
        }
        if self.code_url is not None:
            answer["code_url"] = self.code_url(trade["token"])
        return answer

    def query(self, fields: dict[str, Any], _request: Request) -> dict[str, Any]:
        trade = self.store.trade(fields["mch_id"], fields["out_trade_no"])
        return self.store.trade_fields(trade, self.now())

    def refund(self, fields: dict[str, Any], _request: Request) -> dict[str, Any]:
        row = self.store.refund(fields, self.now(), self.credit_refund)
        return {
            "out_trade_no": row["out_trade_no"],
            "out_refund_no": row["out_refund_no"],
            "refund_no": row["refund_no"],
            "amount": str(row["amount"]),
            "refund_state": "SUCCESS",
            "refunded_at": row["refunded_at"],
        }

    def statement(self, fields: dict[str, Any], _request: Request) -> dict[str, Any]:
        entries = self.store.statement(fields["mch_id"], date.fromisoformat(fields["date"]))
        paid = sum(int(e["amount"]) for e in entries if e["kind"] == "payment")
        refunded = sum(int(e["amount"]) for e in entries if e["kind"] == "refund")
        return {
            "date": fields["date"],
            "currency": "CNY",
            "count": str(len(entries)),
            "total_paid": str(paid),
            "total_refunded": str(refunded),
            "entries": entries,
        }

    @staticmethod
    def _declaration(row: dict[str, Any]) -> dict[str, str]:
        names = ("declaration_no", "out_trade_no", "order_no", "ebp_code", "ebp_name",
                 "customs_code", "status", "received_at", "pay_code")
        return {n: str(row[n]) for n in names}

    def declare(self, fields: dict[str, Any], request: Request) -> dict[str, Any]:
        row = self.store.declare(fields, self.pay_code, self.now())
        if self.customs is not None:
            # The window sends its receipts where this app was reached (its mount when embedded).
            base = str(request.url.replace(path=request.scope.get("root_path", ""), query="")).rstrip("/")
            row = self.customs.submit(row, base + RECEIPTS_PATH)
        return self._declaration(row)

    def declarations(self, fields: dict[str, Any], _request: Request) -> dict[str, Any]:
        rows = self.store.declarations(fields["mch_id"], fields["out_trade_no"])
        return {"out_trade_no": fields["out_trade_no"], "declarations": [self._declaration(r) for r in rows]}

    def routes(self) -> list[Route]:
        actions: dict[str, Action] = {
            "pre_order": self.pre_order,
            "query": self.query,
            "refund": self.refund,
            "statement": self.statement,
            "declare": self.declare,
            "declarations": self.declarations,
        }
        return [
            Route(trade_messages.PATHS[kind], self.endpoint(kind, action), methods=["POST"])
            for kind, action in actions.items()
        ]


async def healthz(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def public_key_route(core: ProviderCore) -> Route:
    """GET /v1/provider-key: the provider's public key, for setting up a merchant (a real
    operator hands it over out of band; compare it with what you configure)."""

    async def provider_key(_request: Request) -> Response:
        return JSONResponse({"sign_type": "SM2", "public_key": core.keypair.public_key})

    return Route("/v1/provider-key", provider_key, methods=["GET"])


def customs_receipts_route(core: ProviderCore) -> Route:
    """POST /v1/customs-receipts: the single window's CEB412 (or CEB900) for our CEB411."""

    async def receive(request: Request) -> Response:
        if core.customs is None:
            return JSONResponse({"error": "this provider declares to no customs single window"}, 404)
        body = await request.body()
        try:
            await run_in_threadpool(core.customs.apply_receipt, body)
        except CustomsWireError as exc:
            return JSONResponse({"error": str(exc)[:300]}, 400)
        return JSONResponse({"received": True})

    return Route(RECEIPTS_PATH, receive, methods=["POST"])
