"""The card acquirer's merchant interface, on payment_wire's envelope.

Two ways to take a card payment:
- hosted page: ``pre_order`` (same fields as at the e-CNY operator; no ``code_url``) returns
  ``cashier_url``, the acquirer's card form; the buyer's card never touches the merchant;
- server to server: ``authorize`` (card number, expiry ``MMYY``, CVV, optional holder name
  and ID number) then ``capture`` (at most the authorised amount).
Either way a captured payment is notified to ``notify_url`` like an e-CNY payment (the same
``notification`` message) and then ``query``, ``refund``, ``statement`` and ``declare`` work as
at the e-CNY operator. A cross-border order (pre-ordered with the buyer's name and ID number)
is declined with ``payer_mismatch`` unless the card holder's ID number is the buyer's.

Test cards (any future expiry, any 3-digit CVV):

=====================  =====================================================
``6222000000000009``    approved
``4242424242424242``    approved
``6222000000000017``    declined, ``decline_reason`` ``do_not_honor``
``6222000000000025``    declined, ``decline_reason`` ``insufficient_funds``
``6222000000000033``    no answer in time: the acquirer waits longer than any
                        client's timeout (the sandbox's ``slow_card_delay_s``)
=====================  =====================================================
Any other Luhn-valid number is approved; a number failing the Luhn check is ``invalid_card``.
"""

from __future__ import annotations

from liveport.protocols.trade_messages import PRE_ORDER_FIELDS, Kind, register

APPROVED_CARDS = ("6222000000000009", "4242424242424242")
DECLINED_CARDS = {"6222000000000017": "do_not_honor", "6222000000000025": "insufficient_funds"}
SLOW_CARD = "6222000000000033"
HOSTED_PAGE_PATH = "/pay/{token}"

register(
    "authorize",
    Kind((*PRE_ORDER_FIELDS, "card_no", "card_expiry", "card_cvv"),
         ("holder_name", "holder_id_no", "buyer_name", "buyer_id_no")),
    "/v1/authorizations",
)
register(
    "authorize_answer",
    Kind(("code", "mch_id", "out_trade_no", "auth_id", "amount", "auth_state")),
)
register("capture", Kind(("mch_id", "out_trade_no", "amount")), "/v1/captures")


def luhn_ok(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def masked(number: str) -> str:
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
