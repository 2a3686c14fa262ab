"""What both HTTP adapters share: signed requests, verified answers, error mapping, and the
messages both providers speak (liveport.protocols.trade_messages).

Every answer must carry the provider's signature; one that does not is
``payment_provider_bad_answer`` (502), never trusted. Messages of errors never carry the
request (it holds personal data)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from liveport.core.errors import ConfigurationError
from liveport.core.money import Money
from liveport.core.outbound import OutboundClient
from liveport.payments.domain import (
    CustomsDeclaration,
    DeclarationReceipt,
    NotificationRefused,
    Payer,
    PaymentLink,
    PaymentNotice,
    PaymentProviderBadAnswer,
    PaymentProviderUnavailable,
    PaymentRefused,
    PaymentState,
    PreOrder,
    Provider,
    Refund,
    Statement,
    StatementEntry,
    status_of_trade_state,
)
from liveport.protocols import sm2sign, trade_messages
from liveport.protocols.payment_wire import (
    MAX_SKEW_S,
    WireError,
    amount_of_fen,
    check_envelope,
    decode,
    encode,
    fen_text,
    parse_utc_text,
    utc_text,
    validated,
)

log = logging.getLogger("liveport.payments.provider")

# Refusals that mean our own set-up is wrong, not that the provider said no to the business.
_SETUP_CODES = {"bad_signature", "stale_request", "replayed_nonce", "unknown_merchant", "bad_request"}


def money_of_fen(fen: str) -> Money:
    return Money(amount_of_fen(fen), "CNY")


def fen_of_money(money: Money) -> str:
    if money.currency != "CNY":
        raise ValueError("the providers take CNY only")
    return fen_text(money.amount)


class HttpPaymentProvider:
    provider: Provider

    def __init__(
        self,
        base_url: str,
        mch_id: str,
        private_key: str | None,
        provider_public_key: str | Path | None,
        timeout_s: float,
        *,
        transport: httpx.BaseTransport | None = None,
        max_skew_s: int = MAX_SKEW_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self.mch_id = mch_id
        self._private_key = private_key
        self._public_key_source = provider_public_key
        self._public_key: str | None = None
        self._timeout = timeout_s
        self._http = OutboundClient(timeout_s, transport)
        self._max_skew_s = max_skew_s
        self._clock = clock

    # -- keys -------------------------------------------------------------------------------

    def _signing_key(self) -> str:
        if not self._private_key:
            raise ConfigurationError(
                f"no merchant key for {self.provider.value}: set LIVEPORT_{self.provider.value.upper()}"
                "_MERCHANT_PRIVATE_KEY or run `liveport secrets init`"
            )
        return self._private_key

    def provider_public_key(self) -> str:
        """Given as hex, or read (once) from a file; looked up when first needed so that a
        process whose sandbox has not made its key yet still starts."""
        if self._public_key is None:
            source = self._public_key_source
            try:
                text = source.read_text() if isinstance(source, Path) else source
                self._public_key = sm2sign.check_public_key(text or "")
            except (OSError, ValueError) as exc:
                raise ConfigurationError(
                    f"the {self.provider.value} provider's public key is missing or invalid ({source})"
                ) from exc
        return self._public_key

    # -- the exchange -----------------------------------------------------------------------

    def _unavailable(self, reason: str, **details: Any) -> PaymentProviderUnavailable:
        return PaymentProviderUnavailable(details={"provider": self.provider.value, "reason": reason, **details})

    def _bad_answer(self, reason: str, **details: Any) -> PaymentProviderBadAnswer:
        log.warning("%s gave an unusable answer: %s %s", self.provider.value, reason, details)
        return PaymentProviderBadAnswer(details={"provider": self.provider.value, "reason": reason, **details})

    def call(self, kind: str, answer_kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        message = trade_messages.build(kind, {"mch_id": self.mch_id, **fields}, self._signing_key(), self._clock)
        url = self._base_url + trade_messages.PATHS[kind]
        try:
            response = self._http.get().post(url, content=encode(message), headers={"content-type": "application/json"})
        except httpx.TimeoutException as exc:
            log.warning("%s timed out after %.1fs", self.provider.value, self._timeout)
            raise self._unavailable("timeout") from exc
        except httpx.HTTPError as exc:
            log.warning("%s unreachable: %s", self.provider.value, type(exc).__name__)
            raise self._unavailable("unreachable") from exc
        if response.status_code >= 500:
            raise self._unavailable("http_status", status=response.status_code)
        try:
            return trade_messages.parse_answer(
                answer_kind, response.content, self.provider_public_key(), clock=self._clock
            )
        except trade_messages.Refusal as refusal:
            if refusal.code in _SETUP_CODES:
                raise self._bad_answer("request_refused", provider_code=refusal.code) from refusal
            raise PaymentRefused(
                refusal.message, code=refusal.code,
                details={"provider": self.provider.value, **refusal.extra},
            ) from refusal
        except WireError as error:
            raise self._bad_answer(error.code, status=response.status_code) from error

    # -- the port ---------------------------------------------------------------------------

    def _pre_order_fields(self, order: PreOrder) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "out_trade_no": order.out_trade_no,
            "amount": fen_of_money(order.amount),
            "currency": order.amount.currency,
            "description": order.description,
            "notify_url": order.notify_url,
        }
        if order.expires_at is not None:
            fields["time_expire"] = utc_text(order.expires_at)
        if order.buyer is not None:
            fields["buyer_name"] = order.buyer.full_name
            fields["buyer_id_no"] = order.buyer.id_number
        return fields

    def pre_order(self, order: PreOrder) -> PaymentLink:
        answer = self.call("pre_order", "pre_order_answer", self._pre_order_fields(order))
        if answer["out_trade_no"] != order.out_trade_no or money_of_fen(answer["amount"]) != order.amount:
            raise self._bad_answer("answer_mismatch")
        return PaymentLink(
            provider=self.provider,
            out_trade_no=answer["out_trade_no"],
            transaction_id=answer["trade_no"],
            amount=money_of_fen(answer["amount"]),
            cashier_url=answer["cashier_url"],
            code_url=answer.get("code_url"),
            expires_at=parse_utc_text(answer["time_expire"]),
        )

    def _payer(self, fields: dict[str, str]) -> Payer:
        return Payer(fields.get("payer_name"), fields.get("payer_id_no"), fields.get("payer_account"))

    def _state(self, fields: dict[str, str]) -> PaymentState:
        return PaymentState(
            provider=self.provider,
            out_trade_no=fields["out_trade_no"],
            transaction_id=fields["trade_no"],
            amount=money_of_fen(fields["amount"]),
            status=status_of_trade_state(fields["trade_state"]),
            refunded_amount=money_of_fen(fields["refunded_amount"]),
            paid_at=parse_utc_text(fields["paid_at"]) if "paid_at" in fields else None,
            payer=self._payer(fields),
        )

    def query(self, out_trade_no: str) -> PaymentState:
        state = self._state(self.call("query", "trade_answer", {"out_trade_no": out_trade_no}))
        if state.out_trade_no != out_trade_no:
            raise self._bad_answer("answer_mismatch")
        return state

    def refund(self, out_trade_no: str, out_refund_no: str, amount: Money, reason: str | None = None) -> Refund:
        answer = self.call("refund", "refund_answer", {
            "out_trade_no": out_trade_no, "out_refund_no": out_refund_no,
            "amount": fen_of_money(amount), "reason": reason,
        })
        if (answer["out_refund_no"], money_of_fen(answer["amount"])) != (out_refund_no, amount):
            raise self._bad_answer("answer_mismatch")
        return Refund(
            provider=self.provider,
            out_trade_no=answer["out_trade_no"],
            out_refund_no=answer["out_refund_no"],
            refund_id=answer["refund_no"],
            amount=money_of_fen(answer["amount"]),
            refunded_at=parse_utc_text(answer["refunded_at"]),
        )

    def parse_notification(self, body: bytes) -> PaymentNotice:
        def refuse(reason: str) -> NotificationRefused:
            log.warning("%s notification refused: %s", self.provider.value, reason)
            return NotificationRefused(details={"provider": self.provider.value, "reason": reason})

        try:
            data = decode(body)
            if validated(data, ("mch_id",))["mch_id"] != self.mch_id:
                raise refuse("wrong_merchant")
            check_envelope(data, self.provider_public_key(), clock=self._clock, max_skew_s=self._max_skew_s)
            fields = trade_messages.fields_of("notification", data)
        except WireError as error:
            reason = {"bad_signature": "bad_signature", "stale_request": "stale"}.get(error.code, "malformed")
            raise refuse(reason) from error
        return PaymentNotice(
            provider=self.provider,
            notice_id=fields["notify_id"],
            out_trade_no=fields["out_trade_no"],
            transaction_id=fields["trade_no"],
            amount=amount_of_fen(fields["amount"]),
            currency=fields["currency"],
            status=status_of_trade_state(fields["trade_state"]),
            paid_at=parse_utc_text(fields["paid_at"]) if "paid_at" in fields else None,
            payer=self._payer(fields),
            refunded_amount=amount_of_fen(fields["refunded_amount"]),
        )

    def notification_ack(self) -> bytes:
        return trade_messages.NOTIFICATION_ACK

    def statement(self, day: date) -> Statement:
        answer = self.call("statement", "statement_answer", {"date": day.isoformat()})
        if answer["date"] != day.isoformat() or int(answer["count"]) != len(answer["entries"]):
            raise self._bad_answer("answer_mismatch")
        entries = tuple(
            StatementEntry(
                kind=e["kind"], out_trade_no=e["out_trade_no"], transaction_id=e["trade_no"],
                amount=money_of_fen(e["amount"]), at=parse_utc_text(e["at"]),
                out_refund_no=e.get("out_refund_no"), refund_id=e.get("refund_no"),
            )
            for e in answer["entries"]
        )
        return Statement(
            provider=self.provider, day=day, entries=entries,
            total_paid=money_of_fen(answer["total_paid"]), total_refunded=money_of_fen(answer["total_refunded"]),
        )

    def _receipt(self, fields: dict[str, str]) -> DeclarationReceipt:
        return DeclarationReceipt(
            provider=self.provider,
            declaration_id=fields["declaration_no"],
            out_trade_no=fields["out_trade_no"],
            order_no=fields["order_no"],
            pay_code=fields.get("pay_code", ""),
            status=fields["status"],
            received_at=parse_utc_text(fields["received_at"]),
        )

    def declare_to_customs(self, declaration: CustomsDeclaration) -> DeclarationReceipt:
        answer = self.call("declare", "declare_answer", {
            "out_trade_no": declaration.out_trade_no, "order_no": declaration.order_no,
            "ebp_code": declaration.ebp_code, "ebp_name": declaration.ebp_name,
            "customs_code": declaration.customs_code,
        })
        return self._receipt(answer)

    def declarations(self, out_trade_no: str) -> list[DeclarationReceipt]:
        answer = self.call("declarations", "declarations_answer", {"out_trade_no": out_trade_no})
        return [self._receipt(item) for item in answer["declarations"]]


