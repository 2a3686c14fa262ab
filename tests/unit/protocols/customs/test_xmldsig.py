"""Enveloped SM2-SM3 XML signatures: the round trip and every refusal."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import algos
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree

from liveport.protocols import customs as c
from liveport.protocols.customs import xmldsig
from tests.support import customs_messages as cm

DS = "{http://www.w3.org/2000/09/xmldsig#}"


@pytest.fixture(scope="module")
def agent() -> c.PartyCredentials:
    return c.generate_party(cm.AGENT[1], cm.AGENT[0])


@pytest.fixture(scope="module")
def stranger() -> c.PartyCredentials:
    return c.generate_party("Someone Else Ltd", "9999999999")


@pytest.fixture(scope="module")
def message() -> c.CEB621Message:
    return cm.inventory_message()


@pytest.fixture(scope="module")
def signed(agent, message) -> bytes:
    return c.sign(c.to_bytes(message), agent)


def _value(data: bytes, name: str) -> str:
    return re.search(rf"<ds:{name}>([^<]*)</ds:{name}>".encode(), data).group(1).decode()


def _with_value(data: bytes, name: str, value: str) -> bytes:
    return re.sub(rf"<ds:{name}>[^<]*</ds:{name}>".encode(), f"<ds:{name}>{value}</ds:{name}>".encode(), data)


def test_a_signed_message_verifies_and_names_its_signer(signed, agent, message):
    signer = c.verify(signed, trusted_certs=[agent.certificate])
    assert (signer.name, signer.customs_code) == (cm.AGENT[1], cm.AGENT[0])
    assert signer.key_name == agent.info.key_name
    assert signer.certificate == agent.certificate
    assert signer.fingerprint == agent.info.fingerprint
    assert signer.public_key == agent.info.public_key
    assert c.from_bytes(signed) == message


def test_the_signature_is_the_last_child_with_the_standard_algorithms(signed):
    root = etree.fromstring(signed)
    signature = root[-1]
    assert signature.tag == f"{DS}Signature"
    signed_info = signature.find(f"{DS}SignedInfo")
    algorithms = [e.get("Algorithm") for e in signed_info.iter() if e.get("Algorithm")]
    assert algorithms == [
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
        "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3",
        "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
        "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3",
    ]
    assert signed_info.find(f"{DS}Reference").get("URI") == ""
    assert len(base64.b64decode(_value(signed, "DigestValue"))) == 32
    assert len(base64.b64decode(_value(signed, "SignatureValue"))) == 64
    assert [etree.QName(e).localname for e in signature.find(f"{DS}KeyInfo")] == ["KeyName", "X509Data"]


def test_a_flipped_byte_in_the_signature_value_is_refused(signed, agent):
    raw = bytearray(base64.b64decode(_value(signed, "SignatureValue")))
    raw[10] ^= 0x01
    broken = _with_value(signed, "SignatureValue", base64.b64encode(bytes(raw)).decode())
    with pytest.raises(c.SignatureInvalid, match="does not verify"):
        c.verify(broken, trusted_certs=[agent.certificate])


def test_a_message_altered_after_signing_is_refused(signed, agent):
    altered = signed.replace(b"<ceb:orderNo>LP20240501000001<", b"<ceb:orderNo>LP20240501000002<")
    with pytest.raises(c.SignatureInvalid, match="digest mismatch"):
        c.verify(altered, trusted_certs=[agent.certificate])


def test_a_wrong_digest_value_is_refused(signed, agent):
    digest = bytearray(base64.b64decode(_value(signed, "DigestValue")))
    digest[0] ^= 0x80
    with pytest.raises(c.SignatureInvalid, match="digest mismatch"):
        c.verify(_with_value(signed, "DigestValue", base64.b64encode(bytes(digest)).decode()))


def test_an_altered_message_with_a_recomputed_digest_is_refused(signed, agent):
    altered = signed.replace(b"<ceb:buyerName>", b"<ceb:buyerName>X")
    tree = etree.fromstring(altered).getroottree()
    digest = base64.b64encode(xmldsig._sm3(xmldsig._digest_input(tree))).decode()
    with pytest.raises(c.SignatureInvalid, match="does not verify"):
        c.verify(_with_value(altered, "DigestValue", digest), trusted_certs=[agent.certificate])


def test_a_foreign_certificate_is_refused(agent, stranger):
    forged = c.sign(c.to_bytes(cm.inventory_message()), stranger)
    assert c.verify(forged).customs_code == "9999999999"  # intact, but not from anyone trusted
    with pytest.raises(c.UntrustedCertificate, match="Someone Else Ltd"):
        c.verify(forged, trusted_certs=[agent.certificate])


def test_a_trusted_certificate_pasted_over_a_foreign_signature_is_refused(agent, stranger):
    forged = c.sign(c.to_bytes(cm.inventory_message()), stranger)
    pasted = _with_value(forged, "X509Certificate", base64.b64encode(agent.certificate).decode())
    with pytest.raises(c.SignatureInvalid, match="does not verify"):
        c.verify(pasted, trusted_certs=[agent.certificate])


def test_a_certificate_outside_its_validity_is_refused(signed):
    with pytest.raises(c.UntrustedCertificate, match="not valid at"):
        c.verify(signed, at=datetime.now(UTC) + timedelta(days=20 * 365))


def test_wrapped_base64_and_a_der_signature_value_are_accepted(signed, agent):
    raw = base64.b64decode(_value(signed, "SignatureValue"))
    der = base64.b64encode(algos.DSASignature.from_p1363(raw).dump()).decode()
    wrapped = "\n".join(der[i : i + 20] for i in range(0, len(der), 20))
    assert c.verify(_with_value(signed, "SignatureValue", wrapped)).customs_code == cm.AGENT[0]


def test_an_unsigned_message_is_reported_missing():
    with pytest.raises(c.SignatureMissing):
        c.verify(c.to_bytes(cm.order_message()))


def test_a_signature_elsewhere_than_last_is_refused(signed):
    root = etree.fromstring(signed)
    root.insert(0, root[-1])
    with pytest.raises(c.SignatureInvalid, match="last child"):
        c.verify(etree.tostring(root))


def test_a_reference_to_part_of_the_message_is_refused(signed):
    with pytest.raises(c.SignatureInvalid, match='URI=""'):
        c.verify(signed.replace(b'<ds:Reference URI="">', b'<ds:Reference URI="#part">'))


def test_signing_twice_is_refused(signed, agent):
    with pytest.raises(c.CustomsEncodingError, match="already signed"):
        c.sign(signed, agent)


def _rsa_certificate() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "RSA signer")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.DER)


@pytest.mark.parametrize("method", [xmldsig.RSA_SHA1, xmldsig.SM2_SM3])
def test_rsa_signatures_are_recognised_but_cannot_be_verified(signed, method):
    rsa_signed = _with_value(signed, "X509Certificate", base64.b64encode(_rsa_certificate()).decode())
    rsa_signed = rsa_signed.replace(xmldsig.SM2_SM3.encode(), method.encode())
    with pytest.raises(c.SignatureUnverifiable, match="RSA-SHA1"):
        c.verify(rsa_signed)
    assert issubclass(c.SignatureUnverifiable, c.SignatureError)
