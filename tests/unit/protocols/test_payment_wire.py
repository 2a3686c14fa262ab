"""The payment wire's values and envelope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from liveport.protocols import card, ecny, sm2sign, trade_messages
from liveport.protocols.payment_wire import (
    WireError,
    amount_of_fen,
    decode,
    encode,
    fen_text,
    open_sealed,
    parse_utc_text,
    seal,
    utc_text,
    validated,
)

KEYS = sm2sign.generate_keypair()


@pytest.mark.parametrize(("amount", "fen"), [("0.01", "1"), ("123.45", "12345"), ("5000", "500000"), ("0", "0")])
def test_yuan_to_fen_and_back(amount, fen):
    assert fen_text(Decimal(amount)) == fen
    assert amount_of_fen(fen) == Decimal(amount).quantize(Decimal("0.01"))


@pytest.mark.parametrize("amount", ["0.001", "-1", "1.005"])
def test_fractions_of_a_fen_and_negatives_have_no_fen_text(amount):
    with pytest.raises(ValueError):
        fen_text(Decimal(amount))


@pytest.mark.parametrize("text", ["", "01", "1.5", "-1", " 1", "1e3", "9" * 16])
def test_malformed_fen_is_refused(text):
    with pytest.raises(ValueError):
        amount_of_fen(text)


def test_times_are_utc_with_z():
    moment = datetime(2026, 11, 1, 20, 0, 5, tzinfo=timezone(timedelta(hours=8)))
    assert utc_text(moment) == "2026-11-01T12:00:05Z"
    assert parse_utc_text("2026-11-01T12:00:05Z") == moment.astimezone(UTC)


def test_validation_names_the_missing_or_malformed_field():
    with pytest.raises(WireError) as missing:
        validated({"amount": "1"}, ("amount", "currency"))
    assert (missing.value.code, missing.value.message) == ("bad_request", "currency is required")
    with pytest.raises(WireError) as malformed:
        validated({"amount": 100}, ("amount",))
    assert malformed.value.message == "amount is malformed"
    assert validated({"amount": "1", "junk": "x"}, ("amount",)) == {"amount": "1"}


def test_a_sealed_message_opens_with_the_right_key_only():
    body = encode(seal({"mch_id": "M1", "amount": "1"}, KEYS.private_key))
    assert open_sealed(body, KEYS.public_key)["amount"] == "1"
    with pytest.raises(WireError) as refused:
        open_sealed(body, sm2sign.generate_keypair().public_key)
    assert (refused.value.code, refused.value.status) == ("bad_signature", 401)


def test_a_stale_message_is_refused():
    body = encode(seal({"mch_id": "M1"}, KEYS.private_key, clock=lambda: 1_000_000))
    with pytest.raises(WireError) as refused:
        open_sealed(body, KEYS.public_key, clock=lambda: 1_000_301)
    assert refused.value.code == "stale_request"
    assert open_sealed(body, KEYS.public_key, clock=lambda: 1_000_299)["mch_id"] == "M1"


@pytest.mark.parametrize("body", [b"", b"[]", b"{", "\u00ff".encode("latin-1"), b"x" * 70_000])
def test_bodies_that_are_not_json_objects_are_bad_requests(body):
    with pytest.raises(WireError) as refused:
        decode(body)
    assert refused.value.code == "bad_request"


def test_a_message_is_checked_before_it_is_built():
    with pytest.raises(WireError):
        trade_messages.build("query", {"mch_id": "M1", "out_trade_no": "bad no!"}, KEYS.private_key)


def test_a_refusal_is_raised_with_the_providers_code_and_limit():
    body = encode(seal({"code": "limit_exceeded", "message": "over", "limit": "daily"}, KEYS.private_key))
    with pytest.raises(trade_messages.Refusal) as refused:
        trade_messages.parse_answer("trade_answer", body, KEYS.public_key)
    assert (refused.value.code, refused.value.extra) == ("limit_exceeded", {"limit": "daily"})


@pytest.mark.parametrize(("status", "body", "ack"), [
    (200, b'{"code":"SUCCESS"}', True), (200, b"success", True), (200, b'{"code":"FAIL"}', False),
    (500, b'{"code":"SUCCESS"}', False), (200, b"", False),
])
def test_what_counts_as_the_merchants_acknowledgement(status, body, ack):
    assert trade_messages.is_ack(status, body) is ack


def test_the_qr_payload_carries_the_cashier_token():
    assert ecny.token_of_code_url(ecny.code_url("abc_DEF-1")) == "abc_DEF-1"
    assert ecny.token_of_code_url("https://pay?token=x") is None


@pytest.mark.parametrize("number", [*card.APPROVED_CARDS, *card.DECLINED_CARDS, card.SLOW_CARD])
def test_the_test_cards_pass_the_luhn_check(number):
    assert card.luhn_ok(number) is True


def test_a_wrong_check_digit_fails_the_luhn_check():
    assert card.luhn_ok("6222000000000008") is False
    assert card.masked("6222000000000009") == "6222********0009"
