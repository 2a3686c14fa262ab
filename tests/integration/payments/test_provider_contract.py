"""The PaymentProvider port's contract, held by both HTTP adapters against their sandboxes
served over real HTTP. A real operator's or acquirer's adapter must pass the same checks."""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import pytest

from liveport.core.clock import CHINA
from liveport.core.errors import UpstreamError
from liveport.core.money import Money
from liveport.payments.domain import (
    Buyer,
    CustomsDeclaration,
    NotificationRefused,
    PaymentRefused,
    PaymentStatus,
    PreOrder,
    Provider,
)
from liveport.protocols import sm2sign
from liveport.protocols.payment_wire import encode, seal
from tests.integration.sandbox.identity_support import free_port
from tests.support.payments import (
    WALLET_ZHANG,
    ZHANG,
    NotificationReceiver,
    RunningProvider,
    pay_at_cashier,
    pay_by_card,
    running_card,
    running_ecny,
)


@pytest.fixture(scope="module")
def receiver() -> Iterator[NotificationReceiver]:
    with NotificationReceiver() as running:
        yield running


@pytest.fixture(scope="module", params=["ecny", "card"])
def sandbox(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningProvider]:
    starter = running_ecny if request.param == "ecny" else running_card
    with starter(tmp_path_factory.mktemp(request.param)) as running:
        yield running


def new_trade_no() -> str:
    return "LP" + secrets.token_hex(8)


def pre_order(sandbox: RunningProvider, receiver: NotificationReceiver, amount: str = "123.45", **extra):
    order = PreOrder(new_trade_no(), Money.cny(amount), "Russian candy 1 kg", receiver.url,
                     buyer=Buyer(*ZHANG), **extra)
    return order, sandbox.adapter().pre_order(order)


def pay(sandbox: RunningProvider, cashier_url: str) -> None:
    if sandbox.kind == "ecny":
        outcome = pay_at_cashier(cashier_url, WALLET_ZHANG)
    else:
        outcome = pay_by_card(cashier_url, "6222000000000009", holder_id_no=ZHANG[1], holder_name=ZHANG[0])
    assert outcome[:2] == (200, "paid"), outcome


def notification_of(receiver: NotificationReceiver, out_trade_no: str) -> bytes:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for body in list(receiver.bodies):
            if json.loads(body)["out_trade_no"] == out_trade_no:
                return body
        time.sleep(0.02)
    raise AssertionError(f"no notification for {out_trade_no}")


def paid_order(sandbox, receiver, amount: str = "123.45"):
    order, link = pre_order(sandbox, receiver, amount)
    pay(sandbox, link.cashier_url)
    notification_of(receiver, order.out_trade_no)
    return order, link


def test_a_pre_order_gives_a_link_and_the_same_order_again_the_same_link(sandbox, receiver):
    order, link = pre_order(sandbox, receiver)
    assert (link.provider.value, link.out_trade_no, link.amount) == (sandbox.kind, order.out_trade_no, Money.cny("123.45"))
    assert link.cashier_url.startswith(sandbox.url + "/")
    assert (link.code_url is not None) == (sandbox.kind == "ecny")
    assert sandbox.adapter().pre_order(order) == link


def test_the_same_out_trade_no_for_another_amount_is_refused(sandbox, receiver):
    order, _ = pre_order(sandbox, receiver)
    with pytest.raises(PaymentRefused) as refused:
        sandbox.adapter().pre_order(PreOrder(order.out_trade_no, Money.cny("1.00"), "x", receiver.url))
    assert (refused.value.code, refused.value.status) == ("out_trade_no_used", 409)


def test_a_paid_order_is_notified_signed_and_parsed_into_a_notice(sandbox, receiver):
    order, link = pre_order(sandbox, receiver)
    assert sandbox.adapter().query(order.out_trade_no).status is PaymentStatus.PENDING
    pay(sandbox, link.cashier_url)
    notice = sandbox.adapter().parse_notification(notification_of(receiver, order.out_trade_no))
    assert (notice.provider, notice.out_trade_no, notice.transaction_id) == (
        Provider(sandbox.kind), order.out_trade_no, link.transaction_id)
    assert (notice.amount, notice.currency, notice.status) == (Decimal("123.45"), "CNY", PaymentStatus.PAID)
    assert (notice.payer.name, notice.payer.id_number) == ZHANG
    assert notice.payer.account is not None and "****" in notice.payer.account
    assert notice.paid_at is not None and abs((datetime.now(CHINA) - notice.paid_at).total_seconds()) < 60
    assert notice.notice_id.startswith("N")
    state = sandbox.adapter().query(order.out_trade_no)
    assert (state.status, state.amount, state.paid_at) == (PaymentStatus.PAID, Money.cny("123.45"), notice.paid_at)


def _tampered(body: bytes, how: str) -> bytes:
    data = json.loads(body)
    if how == "flipped_signature_byte":
        raw = bytearray(base64.b64decode(data["sign"]))
        raw[10] ^= 0x01
        data["sign"] = base64.b64encode(bytes(raw)).decode()
    elif how == "tampered_amount":
        data["amount"] = str(int(data["amount"]) - 100)
    elif how == "signed_by_another_key":
        fields = {k: v for k, v in data.items() if k not in ("sign", "sign_type", "nonce", "timestamp")}
        data = seal(fields, sm2sign.generate_keypair().private_key)
    return encode(data)


@pytest.mark.parametrize("how", ["flipped_signature_byte", "tampered_amount", "signed_by_another_key"])
def test_a_forged_notification_is_refused(sandbox, receiver, how):
    order, _ = paid_order(sandbox, receiver)
    genuine = notification_of(receiver, order.out_trade_no)
    with pytest.raises(NotificationRefused) as refused:
        sandbox.adapter().parse_notification(_tampered(genuine, how))
    assert refused.value.details == {"provider": sandbox.kind, "reason": "bad_signature"}
    assert refused.value.status == 400
    assert sandbox.adapter().parse_notification(genuine).out_trade_no == order.out_trade_no


def test_a_notification_for_another_merchant_stale_or_garbled_is_refused(sandbox, receiver):
    order, _ = paid_order(sandbox, receiver)
    genuine = notification_of(receiver, order.out_trade_no)
    other_merchant = sandbox.adapter()
    other_merchant.mch_id = "SOMEONE-ELSE"

    def reason(adapter, body: bytes) -> str:
        with pytest.raises(NotificationRefused) as refused:
            adapter.parse_notification(body)
        return refused.value.details["reason"]

    assert reason(other_merchant, genuine) == "wrong_merchant"
    assert reason(sandbox.adapter(clock=lambda: time.time() + 301), genuine) == "stale"
    assert reason(sandbox.adapter(), b"{not json") == "malformed"
    assert reason(sandbox.adapter(), genuine.replace(b'"trade_state":"SUCCESS"', b'"trade_state":"CLOSED"')) == (
        "bad_signature")


def test_the_acknowledgement_is_what_the_provider_takes_as_success(sandbox):
    assert sandbox.adapter().notification_ack() == b'{"code":"SUCCESS"}'


def test_partial_then_full_refund_and_no_more(sandbox, receiver):
    order, _ = paid_order(sandbox, receiver, "100.00")
    adapter = sandbox.adapter()
    first = adapter.refund(order.out_trade_no, "RF" + order.out_trade_no, Money.cny("30.00"), "goodwill")
    assert (first.amount, first.out_trade_no) == (Money.cny("30.00"), order.out_trade_no)
    assert adapter.refund(order.out_trade_no, "RF" + order.out_trade_no, Money.cny("30.00")) == first
    state = adapter.query(order.out_trade_no)
    assert (state.status, state.refunded_amount) == (PaymentStatus.REFUNDED, Money.cny("30.00"))
    with pytest.raises(PaymentRefused) as too_much:
        adapter.refund(order.out_trade_no, "RG" + order.out_trade_no, Money.cny("70.01"))
    assert too_much.value.code == "refund_exceeds_payment"
    rest = adapter.refund(order.out_trade_no, "RH" + order.out_trade_no, Money.cny("70.00"))
    assert rest.refund_id != first.refund_id
    assert adapter.query(order.out_trade_no).refunded_amount == Money.cny("100.00")


def test_a_refund_of_an_unpaid_order_and_a_reused_refund_number_are_refused(sandbox, receiver):
    order, _ = pre_order(sandbox, receiver)
    with pytest.raises(PaymentRefused) as unpaid:
        sandbox.adapter().refund(order.out_trade_no, "RF" + order.out_trade_no, Money.cny("1.00"))
    assert unpaid.value.code == "order_not_paid"
    paid, _ = paid_order(sandbox, receiver)
    sandbox.adapter().refund(paid.out_trade_no, "RF" + paid.out_trade_no, Money.cny("1.00"))
    with pytest.raises(PaymentRefused) as reused:
        sandbox.adapter().refund(paid.out_trade_no, "RF" + paid.out_trade_no, Money.cny("2.00"))
    assert reused.value.code == "out_refund_no_used"


def test_the_statement_of_the_china_day_lists_payments_and_refunds(sandbox, receiver):
    order, link = paid_order(sandbox, receiver, "58.80")
    refund = sandbox.adapter().refund(order.out_trade_no, "RF" + order.out_trade_no, Money.cny("8.80"))
    statement = sandbox.adapter().statement(datetime.now(CHINA).date())
    mine = [(e.kind, e.transaction_id, e.amount, e.refund_id) for e in statement.entries
            if e.out_trade_no == order.out_trade_no]
    assert mine == [("payment", link.transaction_id, Money.cny("58.80"), None),
                    ("refund", link.transaction_id, Money.cny("8.80"), refund.refund_id)]
    paid = sum((e.amount.amount for e in statement.entries if e.kind == "payment"), Decimal(0))
    refunded = sum((e.amount.amount for e in statement.entries if e.kind == "refund"), Decimal(0))
    assert (statement.total_paid.amount, statement.total_refunded.amount) == (paid, refunded)


def test_a_day_without_business_has_an_empty_statement(sandbox):
    statement = sandbox.adapter().statement(datetime(2020, 1, 1).date())
    assert (statement.entries, statement.total_paid) == ((), Money.cny("0.00"))


def test_a_payment_declared_to_customs_is_recorded_and_queryable(sandbox, receiver):
    order, _ = paid_order(sandbox, receiver)
    declaration = CustomsDeclaration(order.out_trade_no, "ORD" + order.out_trade_no, "4403169D3W",
                                     "Liveport Expo Live Platform", "5165")
    receipt = sandbox.adapter().declare_to_customs(declaration)
    assert (receipt.out_trade_no, receipt.order_no, receipt.status) == (
        order.out_trade_no, declaration.order_no, "RECEIVED")
    assert receipt.pay_code
    assert sandbox.adapter().declare_to_customs(declaration) == receipt
    assert sandbox.adapter().declarations(order.out_trade_no) == [receipt]


def test_an_unpaid_order_cannot_be_declared(sandbox, receiver):
    order, _ = pre_order(sandbox, receiver)
    with pytest.raises(PaymentRefused) as refused:
        sandbox.adapter().declare_to_customs(CustomsDeclaration(order.out_trade_no, "O1", "E1", "ebp", "5165"))
    assert refused.value.code == "order_not_paid"


def test_an_answer_not_signed_by_the_configured_provider_key_is_not_trusted(sandbox):
    adapter = type(sandbox.adapter())(sandbox.url, sandbox.mch_id, sandbox.merchant.private_key,
                                      sm2sign.generate_keypair().public_key, 5.0)
    with pytest.raises(UpstreamError) as bad:
        adapter.query(new_trade_no())
    assert (bad.value.code, bad.value.status, bad.value.details["reason"]) == (
        "payment_provider_bad_answer", 502, "bad_signature")


def test_a_merchant_key_the_provider_does_not_know_is_a_bad_answer_not_a_refusal(sandbox):
    adapter = type(sandbox.adapter())(sandbox.url, sandbox.mch_id, sm2sign.generate_keypair().private_key,
                                      sandbox.provider_public_key, 5.0)
    with pytest.raises(UpstreamError) as bad:
        adapter.query(new_trade_no())
    assert bad.value.details == {"provider": sandbox.kind, "reason": "request_refused", "provider_code": "bad_signature"}


def test_an_unreachable_provider_is_unavailable(sandbox):
    adapter = type(sandbox.adapter())(f"http://127.0.0.1:{free_port()}", sandbox.mch_id,
                                      sandbox.merchant.private_key, sandbox.provider_public_key, 1.0)
    with pytest.raises(UpstreamError) as down:
        adapter.query(new_trade_no())
    assert (down.value.code, down.value.status, down.value.details) == (
        "payment_provider_unavailable", 503, {"provider": sandbox.kind, "reason": "unreachable"})
