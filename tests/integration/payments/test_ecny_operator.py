"""The e-CNY operator: the cashier, wallet limits, real-name payers, notification retries,
refunds to the wallet — through the adapter and the cashier over real HTTP."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from liveport.core.money import Money
from liveport.payments.domain import Buyer, PaymentStatus, PreOrder
from liveport.protocols import ecny
from liveport.protocols.payment_wire import encode, seal
from tests.support.payments import (
    FAST_BACKOFF_S,
    WALLET_ANONYMOUS,
    WALLET_WANG,
    WALLET_ZHANG,
    WALLET_ZHANG_SUB,
    WANG,
    ZHANG,
    NotificationReceiver,
    RunningProvider,
    pay_at_cashier,
    running_ecny,
)


@pytest.fixture(scope="module")
def receiver() -> Iterator[NotificationReceiver]:
    with NotificationReceiver() as running:
        yield running


@pytest.fixture(scope="module")
def operator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningProvider]:
    with running_ecny(tmp_path_factory.mktemp("ecny")) as running:
        yield running


def link_for(operator, receiver, amount: str, buyer: tuple[str, str] | None = ZHANG, **extra):
    order = PreOrder("LP" + secrets.token_hex(8), Money.cny(amount), "Afghan pine nuts", receiver.url,
                     buyer=Buyer(*buyer) if buyer else None, **extra)
    return operator.adapter().pre_order(order)


def balance_of(operator, wallet: tuple[str, str]) -> int:
    return operator.store.wallet(wallet[0])["balance"]


def test_the_qr_code_and_the_cashier_link_lead_to_the_same_payment_page(operator, receiver):
    link = link_for(operator, receiver, "66.00")
    token = ecny.token_of_code_url(link.code_url)
    assert link.cashier_url == f"{operator.url}/cashier/{token}"
    page = httpx.get(link.cashier_url, timeout=5)
    assert page.status_code == 200
    assert "¥66.00" in page.text and 'name="pin"' in page.text and 'data-result="pending"' in page.text
    assert httpx.get(f"{operator.url}/cashier/nope", timeout=5).status_code == 404


def test_the_html_cashier_answers_a_page_with_the_outcome(operator, receiver):
    link = link_for(operator, receiver, "1.00")
    refused = httpx.post(link.cashier_url, data={"wallet_no": WALLET_WANG[0], "pin": WALLET_WANG[1]}, timeout=5)
    assert refused.status_code == 403 and 'data-code="payer_mismatch"' in refused.text
    paid = httpx.post(link.cashier_url, data={"wallet_no": WALLET_ZHANG[0], "pin": WALLET_ZHANG[1]}, timeout=5)
    assert paid.status_code == 200 and 'data-result="paid"' in paid.text


def test_a_payer_who_is_not_the_buyer_is_refused_and_nothing_is_paid(operator, receiver):
    link = link_for(operator, receiver, "10.00")
    before = balance_of(operator, WALLET_WANG)
    assert pay_at_cashier(link.cashier_url, WALLET_WANG) == (403, "refused", {
        "result": "refused", "code": "payer_mismatch",
        "message": "the payer's real-name identity is not the order's buyer"})
    assert balance_of(operator, WALLET_WANG) == before
    assert operator.adapter().query(link.out_trade_no).status is PaymentStatus.PENDING
    assert pay_at_cashier(link.cashier_url, WALLET_ZHANG)[:2] == (200, "paid")


def test_an_anonymous_wallet_pays_a_domestic_order_but_not_a_cross_border_one(operator, receiver):
    cross_border = link_for(operator, receiver, "5.00")
    status, _, body = pay_at_cashier(cross_border.cashier_url, WALLET_ANONYMOUS)
    assert (status, body["code"]) == (403, "payer_identity_unverified")
    domestic = link_for(operator, receiver, "5.00", buyer=None)
    assert pay_at_cashier(domestic.cashier_url, WALLET_ANONYMOUS)[:2] == (200, "paid")
    assert operator.adapter().query(domestic.out_trade_no).payer.id_number is None


def test_the_per_payment_limit_of_a_sub_wallet(operator, receiver):
    link = link_for(operator, receiver, "500.01")
    status, _, body = pay_at_cashier(link.cashier_url, WALLET_ZHANG_SUB)
    assert (status, body["code"], body["limit"]) == (402, "limit_exceeded", "per_payment")


def test_the_daily_limit_counts_the_china_day(tmp_path, receiver):
    with running_ecny(tmp_path) as operator:
        first, second, third = (link_for(operator, receiver, "400.00") for _ in range(3))
        parent_before = balance_of(operator, WALLET_ZHANG)
        assert pay_at_cashier(first.cashier_url, WALLET_ZHANG_SUB)[:2] == (200, "paid")
        assert pay_at_cashier(second.cashier_url, WALLET_ZHANG_SUB)[:2] == (200, "paid")
        status, _, body = pay_at_cashier(third.cashier_url, WALLET_ZHANG_SUB)
        assert (status, body["code"], body["limit"]) == (402, "limit_exceeded", "daily")
        # the sub-wallet spends its parent's balance
        assert balance_of(operator, WALLET_ZHANG) == parent_before - 80000
        assert pay_at_cashier(third.cashier_url, WALLET_ZHANG)[:2] == (200, "paid")


def test_a_balance_too_low_is_refused(operator, receiver):
    link = link_for(operator, receiver, "3500.00", buyer=WANG)
    status, _, body = pay_at_cashier(link.cashier_url, WALLET_WANG)
    assert (status, body["code"], body["limit"]) == (402, "insufficient_balance", "balance")


def test_category_limits_come_from_the_configuration(operator, receiver):
    operator.add_wallets([{"wallet_no": "0021000000009001", "category": 4, "medium": "hard",
                           "balance": "9000.00", "pin": "111111"}])
    link = link_for(operator, receiver, "2000.01", buyer=None)
    status, _, body = pay_at_cashier(link.cashier_url, ("0021000000009001", "111111"))
    assert (status, body["code"], body["limit"]) == (402, "limit_exceeded", "per_payment")


def test_wrong_pins_lock_the_wallet(operator, receiver):
    operator.add_wallets([{"wallet_no": "0021000000009002", "category": 3, "medium": "soft",
                           "owner_name": "赵敏", "owner_id_no": "440306199202291238",
                           "balance": "100.00", "pin": "222222"}])
    link = link_for(operator, receiver, "1.00", buyer=None)
    codes = [pay_at_cashier(link.cashier_url, ("0021000000009002", "999999"))[2]["code"] for _ in range(6)]
    assert codes == ["wrong_pin"] * 5 + ["wallet_locked"]
    assert pay_at_cashier(link.cashier_url, ("0021000000009002", "222222"))[2]["code"] == "wallet_locked"
    assert pay_at_cashier(link.cashier_url, ("0029999999999999", "222222"))[2]["code"] == "wallet_not_found"


def test_a_paid_order_cannot_be_paid_again(operator, receiver):
    link = link_for(operator, receiver, "2.00")
    assert pay_at_cashier(link.cashier_url, WALLET_ZHANG)[:2] == (200, "paid")
    assert pay_at_cashier(link.cashier_url, WALLET_ZHANG)[:3:2] == (409, {
        "result": "refused", "code": "order_paid", "message": "the order is paid already"})


def test_an_expired_order_cannot_be_paid_and_reads_closed(operator, receiver):
    link = link_for(operator, receiver, "2.00", expires_at=datetime.now(UTC) + timedelta(seconds=2))
    time.sleep(2.2)
    assert pay_at_cashier(link.cashier_url, WALLET_ZHANG)[2]["code"] == "order_expired"
    assert operator.adapter().query(link.out_trade_no).status is PaymentStatus.CLOSED


def test_a_refund_goes_back_to_the_paying_wallet(operator, receiver):
    link = link_for(operator, receiver, "12.34")
    before = balance_of(operator, WALLET_ZHANG)
    pay_at_cashier(link.cashier_url, WALLET_ZHANG)
    assert balance_of(operator, WALLET_ZHANG) == before - 1234
    operator.adapter().refund(link.out_trade_no, "RF" + link.out_trade_no, Money.cny("2.34"))
    assert balance_of(operator, WALLET_ZHANG) == before - 1000


def test_a_notification_is_retried_with_back_off_until_the_merchant_accepts(tmp_path):
    with running_ecny(tmp_path) as operator, NotificationReceiver(fail_first=2) as picky:
        link = link_for(operator, picky, "3.00")
        started = time.monotonic()
        pay_at_cashier(link.cashier_url, WALLET_ZHANG)
        bodies = picky.wait_for(3)
        assert time.monotonic() - started >= FAST_BACKOFF_S[1] + FAST_BACKOFF_S[2]
        notices = [operator.adapter().parse_notification(b) for b in bodies]
        assert {n.notice_id for n in notices} == {notices[0].notice_id}
        assert len({json.loads(b)["nonce"] for b in bodies}) == 3  # each attempt signed anew
        time.sleep(0.5)
        [record] = operator.store.notifications()
        assert (record["state"], record["attempts"], len(picky.bodies)) == ("delivered", 3, 3)


def test_the_retries_are_bounded(tmp_path):
    with running_ecny(tmp_path) as operator, NotificationReceiver(fail_first=1000) as broken:
        link = link_for(operator, broken, "3.00")
        pay_at_cashier(link.cashier_url, WALLET_ZHANG)
        broken.wait_for(len(FAST_BACKOFF_S))
        deadline = time.monotonic() + 5
        while operator.store.notifications()[0]["state"] == "pending" and time.monotonic() < deadline:
            time.sleep(0.05)
        [record] = operator.store.notifications()
        assert (record["state"], record["attempts"]) == ("failed", len(FAST_BACKOFF_S))
        time.sleep(0.5)
        assert len(broken.bodies) == len(FAST_BACKOFF_S)


def _post(operator, body: bytes) -> httpx.Response:
    return httpx.post(operator.url + "/v1/orders/query", content=body, timeout=5)


def test_replayed_stale_unsigned_and_unknown_merchant_requests_are_refused(operator):
    sealed = encode(seal({"mch_id": operator.mch_id, "out_trade_no": "LP123456"}, operator.merchant.private_key))
    assert _post(operator, sealed).json()["code"] == "order_not_found"
    replay = _post(operator, sealed)
    assert (replay.status_code, replay.json()["code"]) == (401, "replayed_nonce")
    stale = encode(seal({"mch_id": operator.mch_id, "out_trade_no": "LP123456"}, operator.merchant.private_key,
                        clock=lambda: time.time() - 400))
    assert _post(operator, stale).json()["code"] == "stale_request"
    unsigned = json.dumps({"mch_id": operator.mch_id, "out_trade_no": "LP123456", "nonce": "a" * 32,
                           "timestamp": str(int(time.time())), "sign_type": "SM2", "sign": "A" * 86 + "=="}).encode()
    assert _post(operator, unsigned).json()["code"] == "bad_signature"
    stranger = encode(seal({"mch_id": "NOBODY", "out_trade_no": "LP123456"}, operator.merchant.private_key))
    assert (_post(operator, stranger).status_code, _post(operator, stranger).json()["code"]) == (401, "unknown_merchant")
    assert _post(operator, b"junk").json()["code"] == "bad_request"
