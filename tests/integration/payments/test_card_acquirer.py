"""The card acquirer: test cards that succeed, decline or answer too late; authorise and
capture; the hosted card page — through the adapter over real HTTP."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator

import pytest

from liveport.core.errors import UpstreamError
from liveport.core.money import Money
from liveport.payments.domain import Buyer, CardDetails, PaymentRefused, PaymentStatus, PreOrder
from liveport.protocols import card
from tests.support.payments import (
    ZHANG,
    NotificationReceiver,
    RunningProvider,
    pay_by_card,
    running_card,
)


@pytest.fixture(scope="module")
def receiver() -> Iterator[NotificationReceiver]:
    with NotificationReceiver() as running:
        yield running


@pytest.fixture(scope="module")
def acquirer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningProvider]:
    with running_card(tmp_path_factory.mktemp("card"), slow_card_delay_s=3.0) as running:
        yield running


def order(receiver, amount: str = "199.00", buyer: tuple[str, str] | None = None) -> PreOrder:
    return PreOrder("LP" + secrets.token_hex(8), Money.cny(amount), "Swiss chocolate", receiver.url,
                    buyer=Buyer(*buyer) if buyer else None)


def test_authorise_then_capture_pays_and_notifies(acquirer, receiver):
    placed = order(receiver)
    authorization = acquirer.adapter().authorize(placed, CardDetails(card.APPROVED_CARDS[0], "1240", "123", "Li Lei"))
    assert (authorization.out_trade_no, authorization.amount) == (placed.out_trade_no, Money.cny("199.00"))
    assert acquirer.adapter().query(placed.out_trade_no).status is PaymentStatus.PENDING
    state = acquirer.adapter().capture(placed.out_trade_no, Money.cny("199.00"))
    assert (state.status, state.amount, state.payer.account, state.payer.name) == (
        PaymentStatus.PAID, Money.cny("199.00"), "6222********0009", "Li Lei")
    body = next(b for b in receiver.wait_for(1) if placed.out_trade_no.encode() in b)
    assert acquirer.adapter().parse_notification(body).transaction_id == state.transaction_id


@pytest.mark.parametrize(("number", "reason"), sorted(card.DECLINED_CARDS.items()))
def test_declining_cards_are_refused_with_the_reason(acquirer, receiver, number, reason):
    placed = order(receiver)
    with pytest.raises(PaymentRefused) as declined:
        acquirer.adapter().authorize(placed, CardDetails(number, "1240", "123"))
    assert (declined.value.code, declined.value.details) == ("card_declined", {"provider": "card", "decline_reason": reason})
    with pytest.raises(PaymentRefused) as not_authorized:
        acquirer.adapter().capture(placed.out_trade_no, placed.amount)
    assert not_authorized.value.code == "not_authorized"


def test_the_slow_card_is_a_timeout_within_the_clients_bound(acquirer, receiver):
    placed = order(receiver)
    started = time.monotonic()
    with pytest.raises(UpstreamError) as late:
        acquirer.adapter(timeout_s=0.5).authorize(placed, CardDetails(card.SLOW_CARD, "1240", "123"))
    assert time.monotonic() - started < 1.5
    assert (late.value.code, late.value.status, late.value.details) == (
        "payment_provider_unavailable", 503, {"provider": "card", "reason": "timeout"})


@pytest.mark.parametrize(("number", "expiry"), [("6222000000000008", "1240"), (card.APPROVED_CARDS[0], "0120")])
def test_a_card_failing_luhn_or_expired_is_invalid(acquirer, receiver, number, expiry):
    with pytest.raises(PaymentRefused) as invalid:
        acquirer.adapter().authorize(order(receiver), CardDetails(number, expiry, "123"))
    assert invalid.value.code == "invalid_card"


def test_capture_above_the_authorised_amount_is_refused_and_a_partial_capture_is_what_is_paid(acquirer, receiver):
    placed = order(receiver, "50.00")
    acquirer.adapter().authorize(placed, CardDetails(card.APPROVED_CARDS[1], "1240", "123"))
    with pytest.raises(PaymentRefused) as above:
        acquirer.adapter().capture(placed.out_trade_no, Money.cny("50.01"))
    assert above.value.code == "capture_exceeds_authorization"
    assert acquirer.adapter().capture(placed.out_trade_no, Money.cny("45.00")).amount == Money.cny("45.00")


def test_a_cross_border_order_needs_the_buyer_as_card_holder(acquirer, receiver):
    placed = order(receiver, buyer=ZHANG)
    with pytest.raises(PaymentRefused) as mismatch:
        acquirer.adapter().authorize(placed, CardDetails(card.APPROVED_CARDS[0], "1240", "123", "王芳", "310104198506173217"))
    assert mismatch.value.code == "payer_mismatch"
    assert acquirer.adapter().authorize(placed, CardDetails(card.APPROVED_CARDS[0], "1240", "123", *ZHANG)).amount == placed.amount


def test_the_hosted_page_declines_and_pays(acquirer, receiver):
    link = acquirer.adapter().pre_order(order(receiver, "20.00"))
    assert link.code_url is None
    assert pay_by_card(link.cashier_url, "6222000000000017") == (402, "refused", {
        "result": "refused", "code": "card_declined", "decline_reason": "do_not_honor",
        "message": "the issuer declined the card (see decline_reason)"})
    assert pay_by_card(link.cashier_url, card.APPROVED_CARDS[1])[:2] == (200, "paid")
    assert pay_by_card(link.cashier_url, card.APPROVED_CARDS[1])[2]["code"] == "order_paid"
    assert acquirer.adapter().query(link.out_trade_no).status is PaymentStatus.PAID
