"""Sandbox SM2 certificates: made, read back, checked."""

from __future__ import annotations

import pytest
from cryptography import x509

from liveport.protocols import customs as c
from liveport.protocols import sm2sign


@pytest.fixture(scope="module")
def party() -> c.PartyCredentials:
    return c.generate_party("Sandbox Single Window", "CUSTOMS0001")


def test_the_certificate_names_the_party_and_holds_its_sm2_key(party):
    info = c.certificate_info(party.certificate)
    assert (info.subject_name, info.customs_code, info.key_algorithm) == ("Sandbox Single Window", "CUSTOMS0001", "sm2")
    assert info.public_key == sm2sign.public_key_of(party.private_key)
    assert c.public_key_of_certificate(party.certificate) == info.public_key
    assert (info.not_after - info.not_before).days == 3650
    assert info.key_name == format(info.serial_number, "X")


def test_the_certificate_is_a_standard_x509_with_sm2_oids(party):
    parsed = x509.load_der_x509_certificate(party.certificate)
    assert parsed.signature_algorithm_oid.dotted_string == "1.2.156.10197.1.501"
    assert parsed.subject.get_attributes_for_oid(x509.NameOID.SERIAL_NUMBER)[0].value == "CUSTOMS0001"
    assert parsed.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature


def test_its_self_signature_holds_and_a_damaged_one_does_not(party):
    assert c.verify_self_signed(party.certificate)
    damaged = bytearray(party.certificate)
    damaged[-5] ^= 0x01
    assert not c.verify_self_signed(bytes(damaged))


def test_credentials_survive_a_key_file_and_refuse_a_foreign_key(party):
    assert c.PartyCredentials.from_dict(party.to_dict()) == party
    other = c.generate_party("Other", "OTHER0001")
    with pytest.raises(c.CertificateError, match="does not belong"):
        c.PartyCredentials.from_dict({**party.to_dict(), "private_key": other.private_key})
    with pytest.raises(c.CertificateError, match="not a customs key file"):
        c.PartyCredentials.from_dict({"name": "x"})


def test_the_private_key_is_never_printed(party):
    assert party.private_key not in repr(party)


def test_pem_round_trip(party):
    text = c.certificate_pem(party.certificate)
    assert text.startswith("-----BEGIN CERTIFICATE-----")
    assert c.certificate_from_pem(text) == party.certificate


@pytest.mark.parametrize(("name", "code"), [("", "X1"), ("Name", "has space"), ("Name", "中文")])
def test_a_party_needs_a_name_and_an_alphanumeric_code(name, code):
    with pytest.raises(c.CertificateError):
        c.generate_party(name, code)


def test_garbage_is_not_a_certificate():
    with pytest.raises(c.CertificateError, match="not an X.509 certificate"):
        c.certificate_info(b"\x30\x03\x02\x01\x01")
