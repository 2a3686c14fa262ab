"""The card acquirer adapter: liveport.protocols.card over HTTP; adds server-to-server
authorise and capture to what HttpPaymentProvider does."""

from __future__ import annotations

from pathlib import Path

from liveport.core.money import Money
from liveport.core.settings import Settings
from liveport.payments.adapters.http_provider import HttpPaymentProvider, fen_of_money, money_of_fen
from liveport.payments.domain import Authorization, CardDetails, PaymentState, PreOrder, Provider

SANDBOX_KEY_FILE = Path("sandbox") / "card" / "provider_public_key.hex"


class CardAcquirerClient(HttpPaymentProvider):
    provider = Provider.CARD

    @classmethod
    def from_settings(cls, settings: Settings) -> CardAcquirerClient:
        key = settings.card_merchant_private_key
        return cls(
            settings.card_url or settings.sandbox_url("card"),
            settings.card_merchant_id,
            key.get_secret_value() if key else None,
            settings.card_acquirer_public_key
            or settings.card_acquirer_public_key_file
            or settings.data_dir / SANDBOX_KEY_FILE,
            settings.payments_timeout_s,
            max_skew_s=settings.payments_notification_max_age_s,
        )

    def authorize(self, order: PreOrder, card: CardDetails) -> Authorization:
        fields = {
            **self._pre_order_fields(order),
            "card_no": card.number, "card_expiry": card.expiry, "card_cvv": card.cvv,
            "holder_name": card.holder_name, "holder_id_no": card.holder_id_number,
        }
        answer = self.call("authorize", "authorize_answer", fields)
        if answer["out_trade_no"] != order.out_trade_no or money_of_fen(answer["amount"]) != order.amount:
            raise self._bad_answer("answer_mismatch")
        return Authorization(answer["out_trade_no"], answer["auth_id"], money_of_fen(answer["amount"]))

    def capture(self, out_trade_no: str, amount: Money) -> PaymentState:
        state = self._state(self.call("capture", "trade_answer", {"out_trade_no": out_trade_no, "amount": fen_of_money(amount)}))
        if state.out_trade_no != out_trade_no:
            raise self._bad_answer("answer_mismatch")
        return state
