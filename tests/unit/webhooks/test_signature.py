"""Liveport-Signature: what we sign is what a receiver verifies; anything else is refused."""
from __future__ import annotations

import hashlib
import hmac

import pytest

from liveport.webhooks.signature import SignatureInvalid, sign, verify

SECRET = "whsec_test-secret"
BODY = b'{"id":"7","type":"order.paid"}'
T = 1_790_000_000


def test_the_header_is_t_and_the_hmac_of_t_dot_body():
    header = sign(SECRET, BODY, T)
    expected = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={T},v1={expected}"


def test_a_signed_body_verifies_and_gives_its_timestamp():
    assert verify(SECRET, BODY, sign(SECRET, BODY, T), now=T + 10) == T


def test_a_timestamp_exactly_at_the_tolerance_passes_and_one_second_later_is_refused():
    header = sign(SECRET, BODY, T)
    assert verify(SECRET, BODY, header, now=T + 300, tolerance_s=300) == T
    assert verify(SECRET, BODY, header, now=T - 300, tolerance_s=300) == T
    with pytest.raises(SignatureInvalid, match="tolerance"):
        verify(SECRET, BODY, header, now=T + 301, tolerance_s=300)
    with pytest.raises(SignatureInvalid, match="tolerance"):
        verify(SECRET, BODY, header, now=T - 301, tolerance_s=300)


def test_a_tampered_body_is_refused():
    header = sign(SECRET, BODY, T)
    with pytest.raises(SignatureInvalid, match="does not match"):
        verify(SECRET, BODY.replace(b"paid", b"PAID"), header, now=T)


def test_a_wrong_secret_is_refused():
    header = sign("whsec_other", BODY, T)
    with pytest.raises(SignatureInvalid, match="does not match"):
        verify(SECRET, BODY, header, now=T)


def test_a_changed_timestamp_is_refused_even_inside_the_tolerance():
    mac = sign(SECRET, BODY, T).split("v1=")[1]
    with pytest.raises(SignatureInvalid, match="does not match"):
        verify(SECRET, BODY, f"t={T + 1},v1={mac}", now=T)


def test_one_matching_v1_among_several_is_enough():
    good = sign(SECRET, BODY, T).split("v1=")[1]
    assert verify(SECRET, BODY, f"t={T},v1={'0' * 64},v1={good}", now=T) == T


@pytest.mark.parametrize("header", [None, "", "v1=abc", f"t={T}", "t=soon,v1=abc"])
def test_a_missing_or_malformed_header_is_refused(header):
    with pytest.raises(SignatureInvalid):
        verify(SECRET, BODY, header, now=T)
