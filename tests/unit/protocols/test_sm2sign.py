"""SM2 over SM3 on a canonical string: the standard's own example, refusals, the string."""

from __future__ import annotations

import base64

import pytest

from liveport.protocols import sm2sign

# GM/T 0003.5 signature example on the recommended curve, ID 1234567812345678.
KAT_PRIVATE = "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8"
KAT_PUBLIC = (
    "0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020"
    "ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13"
)
KAT_NONCE = "59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21"
KAT_SIGNATURE = bytes.fromhex(
    "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
    "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"
)


@pytest.fixture(scope="module")
def pair() -> sm2sign.KeyPair:
    return sm2sign.generate_keypair()


def test_the_public_key_of_the_standard_example():
    assert sm2sign.public_key_of(KAT_PRIVATE) == KAT_PUBLIC


def test_signing_the_standard_example_with_its_nonce_gives_its_signature():
    signature = sm2sign._sign_with_nonce(b"message digest", KAT_PRIVATE, KAT_NONCE, sm2sign.DEFAULT_USER_ID)
    assert signature == KAT_SIGNATURE


def test_the_standard_example_verifies_and_a_changed_message_does_not():
    wire = base64.b64encode(KAT_SIGNATURE).decode()
    assert sm2sign.verify_message(b"message digest", wire, KAT_PUBLIC) is True
    assert sm2sign.verify_message(b"message digesT", wire, KAT_PUBLIC) is False


def test_the_user_id_is_part_of_the_signature(pair):
    wire = sm2sign.sign_message(b"m", pair.private_key)
    assert sm2sign.verify_message(b"m", wire, pair.public_key) is True
    assert sm2sign.verify_message(b"m", wire, pair.public_key, user_id=b"ALICE123@YAHOO.COM") is False


def test_two_signatures_of_one_message_differ_and_both_verify(pair):
    first, second = (sm2sign.sign_message(b"same", pair.private_key) for _ in range(2))
    assert first != second
    assert all(sm2sign.verify_message(b"same", s, pair.public_key) for s in (first, second))


def test_every_flipped_bit_of_the_signature_is_refused(pair):
    raw = base64.b64decode(sm2sign.sign_message(b"amount=100", pair.private_key))
    for index in range(0, 64, 7):
        flipped = bytearray(raw)
        flipped[index] ^= 0x01
        assert sm2sign.verify_message(b"amount=100", base64.b64encode(bytes(flipped)).decode(), pair.public_key) is False


def test_another_key_does_not_verify(pair):
    other = sm2sign.generate_keypair()
    assert sm2sign.verify_message(b"x", sm2sign.sign_message(b"x", other.private_key), pair.public_key) is False


@pytest.mark.parametrize(
    "signature",
    ["", "not base64!", base64.b64encode(b"\x01" * 63).decode(), base64.b64encode(b"\x00" * 64).decode(),
     base64.b64encode(b"\xff" * 64).decode()],
    ids=["empty", "not-base64", "short", "zero-r-s", "r-s-above-n"],
)
def test_malformed_signatures_are_false_not_errors(pair, signature):
    assert sm2sign.verify_message(b"x", signature, pair.public_key) is False


def test_a_point_off_the_curve_is_not_a_public_key(pair):
    off_curve = pair.public_key[:-1] + ("0" if pair.public_key[-1] != "0" else "1")
    with pytest.raises(sm2sign.InvalidKey):
        sm2sign.check_public_key(off_curve)
    assert sm2sign.verify_message(b"x", sm2sign.sign_message(b"x", pair.private_key), off_curve) is False


@pytest.mark.parametrize("private", ["", "00" * 32, "zz" * 32, "ff" * 32])
def test_private_keys_out_of_range_are_refused(private):
    with pytest.raises(sm2sign.InvalidKey):
        sm2sign.check_private_key(private)


def test_the_canonical_string_sorts_skips_sign_and_nulls_and_is_utf8():
    fields = {"mch_id": "M1", "amount": "100", "sign": "zzz", "buyer_name": "张伟", "note": None,
              "n": 3, "ok": True, "entries": [{"b": "2", "a": "1"}]}
    assert sm2sign.canonical_string(fields) == (
        'amount=100&buyer_name=张伟&entries=[{"a":"1","b":"2"}]&mch_id=M1&n=3&ok=true'
    ).encode()


@pytest.mark.parametrize("name", ["Amount", "a=b", "a&b", "", "1st"])
def test_field_names_that_could_smuggle_a_field_are_refused(name):
    with pytest.raises(ValueError):
        sm2sign.canonical_string({name: "x"})


def test_signed_fields_verify_and_any_change_is_refused(pair):
    signed = sm2sign.sign_fields({"mch_id": "M1", "amount": "12345"}, pair.private_key)
    assert signed["sign_type"] == "SM2"
    assert sm2sign.verify_fields(signed, pair.public_key) is True
    assert sm2sign.verify_fields({**signed, "amount": "12346"}, pair.public_key) is False
    assert sm2sign.verify_fields({**signed, "extra": "x"}, pair.public_key) is False
    assert sm2sign.verify_fields({**signed, "sign_type": "RSA"}, pair.public_key) is False
    assert sm2sign.verify_fields({k: v for k, v in signed.items() if k != "sign"}, pair.public_key) is False


def test_the_key_pair_never_prints_its_private_half(pair):
    assert pair.private_key not in repr(pair)
