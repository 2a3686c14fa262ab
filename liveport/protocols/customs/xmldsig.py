"""Enveloped XML-DSig as the customs standard (2022-05) uses it, with SM2-SM3.

The ``ds:Signature`` is the last child of the message's root (where ceb-import.xsd puts
it). SignedInfo: canonicalization C14N 2001 (inclusive, without comments), SignatureMethod
``…/2022/04/xmldsig#sm2-sm3``, one Reference ``URI=""`` with the enveloped-signature
transform, DigestMethod ``…/2022/04/xmldsig#sm3``. The digest is SM3 over the canonical
form of the whole message without its signature; the signature is SM2 (user ID
1234567812345678) over the canonical SignedInfo, written as base64 of ``r ‖ s`` (64 bytes;
a DER-encoded value is accepted when verifying). KeyInfo carries KeyName (the certificate's
serial number in hex) and the certificate (base64 DER) in X509Data/X509Certificate.

RSA-SHA1 signatures (the official samples: RSA certificates of other parties, even where
their SignatureMethod says sm2-sm3) are recognised and reported as SignatureUnverifiable.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from asn1crypto import algos
from cryptography.hazmat.primitives import hashes
from lxml import etree

from liveport.protocols import sm2sign
from liveport.protocols.customs.certificates import (
    CertificateInfo,
    PartyCredentials,
    certificate_info,
)
from liveport.protocols.customs.codec import DS_NS, XML_DECLARATION, elements, parse_xml
from liveport.protocols.customs.errors import (
    CertificateError,
    CustomsEncodingError,
    SignatureInvalid,
    SignatureMissing,
    SignatureUnverifiable,
    UntrustedCertificate,
)

C14N_2001 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
ENVELOPED_SIGNATURE = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SM2_SM3 = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"
SM3 = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
_ACCEPTED_TRANSFORMS = ([ENVELOPED_SIGNATURE], [ENVELOPED_SIGNATURE, C14N_2001])


@dataclass(frozen=True, slots=True)
class VerifiedSigner:
    """Who signed a message whose signature holds."""

    name: str | None  # certificate subject CN
    customs_code: str | None  # certificate subject serialNumber
    key_name: str | None  # ds:KeyName as sent
    certificate: bytes = field(repr=False)  # DER
    fingerprint: str  # SHA-256 of the DER, hex
    public_key: str  # SM2, 130 hex digits


def _ds(name: str) -> str:
    return f"{{{DS_NS}}}{name}"


def _sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def _c14n(node: etree._Element | etree._ElementTree) -> bytes:
    return etree.tostring(node, method="c14n", exclusive=False, with_comments=False)


def _signature_of(root: etree._Element) -> etree._Element | None:
    found = [element for element in root.iter(_ds("Signature"))]
    if not found:
        return None
    children = elements(root)
    if len(found) > 1 or children[-1] is not found[0]:
        raise SignatureInvalid("one ds:Signature only, as the last child of the root")
    return found[0]


def _digest_input(tree: etree._ElementTree) -> bytes:
    """The enveloped-signature transform, then C14N: the document without the Signature
    element. Text around it stays (it is not part of the element), so its tail moves to
    whatever precedes it. Mutates ``tree``."""
    root = tree.getroot()
    signature = _signature_of(root)
    if signature is not None:
        tail = signature.tail or ""
        previous = signature.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            root.text = (root.text or "") + tail
        root.remove(signature)
    return _c14n(tree)


def _skeleton(root: etree._Element, credentials: PartyCredentials, info: CertificateInfo) -> etree._Element:
    children = elements(root)
    if children and children[-1].tail == "\n":
        children[-1].tail = "\n  "  # indent the signature like its pretty-printed siblings
    signature = etree.SubElement(root, _ds("Signature"), nsmap={"ds": DS_NS})
    signature.tail = "\n"
    signed_info = etree.SubElement(signature, _ds("SignedInfo"))
    etree.SubElement(signed_info, _ds("CanonicalizationMethod"), Algorithm=C14N_2001)
    etree.SubElement(signed_info, _ds("SignatureMethod"), Algorithm=SM2_SM3)
    reference = etree.SubElement(signed_info, _ds("Reference"), URI="")
    transforms = etree.SubElement(reference, _ds("Transforms"))
    etree.SubElement(transforms, _ds("Transform"), Algorithm=ENVELOPED_SIGNATURE)
    etree.SubElement(reference, _ds("DigestMethod"), Algorithm=SM3)
    etree.SubElement(reference, _ds("DigestValue"))
    etree.SubElement(signature, _ds("SignatureValue"))
    key_info = etree.SubElement(signature, _ds("KeyInfo"))
    etree.SubElement(key_info, _ds("KeyName")).text = info.key_name
    x509_data = etree.SubElement(key_info, _ds("X509Data"))
    etree.SubElement(x509_data, _ds("X509Certificate")).text = base64.b64encode(credentials.certificate).decode("ascii")
    etree.indent(signature, space="  ", level=1)
    return signature


def sign(data: bytes, credentials: PartyCredentials) -> bytes:
    """The message with an enveloped SM2-SM3 signature appended to its root."""
    info = credentials.info
    if info.public_key != sm2sign.public_key_of(credentials.private_key):
        raise CustomsEncodingError("the private key does not belong to the certificate")
    root = parse_xml(data)
    if root.find(_ds("Signature")) is not None:
        raise CustomsEncodingError("the message is already signed")
    signature = _skeleton(root, credentials, info)
    unsigned_form = etree.fromstring(etree.tostring(root)).getroottree()
    signature.find(f"{_ds('SignedInfo')}/{_ds('Reference')}/{_ds('DigestValue')}").text = base64.b64encode(
        _sm3(_digest_input(unsigned_form))
    ).decode("ascii")
    signed_info = signature.find(_ds("SignedInfo"))
    signature.find(_ds("SignatureValue")).text = sm2sign.sign_message(_c14n(signed_info), credentials.private_key)
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8", xml_declaration=False)


def _b64(element: etree._Element | None, what: str) -> bytes:
    if element is None:
        raise SignatureInvalid(f"{what} missing")
    try:
        return base64.b64decode("".join((element.text or "").split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureInvalid(f"{what} is not base64") from exc


def _algorithm(parent: etree._Element, name: str) -> str:
    element = parent.find(_ds(name))
    if element is None or not element.get("Algorithm"):
        raise SignatureInvalid(f"{name} missing")
    return element.get("Algorithm")


def _raw_signature(value: bytes) -> bytes:
    if len(value) == 64:
        return value
    try:  # some signers write SM2 signatures DER-encoded, as X.509 does
        return algos.DSASignature.load(value, strict=True).to_p1363()
    except (ValueError, TypeError) as exc:
        raise SignatureInvalid("SignatureValue is neither r‖s nor a DER SM2 signature") from exc


def verify(
    data: bytes, *, trusted_certs: Iterable[bytes] | None = None, at: datetime | None = None
) -> VerifiedSigner:
    """Check the message's signature with the key of the certificate it carries.

    ``trusted_certs`` (DER): when given, the signing certificate must be one of them;
    without it the signature proves only that the message is intact, and the caller must
    check ``VerifiedSigner.customs_code`` itself. Raises a SignatureError subclass on any
    refusal (CustomsParseError when the bytes are not XML)."""
    tree = parse_xml(data).getroottree()
    signature = _signature_of(tree.getroot())
    if signature is None:
        raise SignatureMissing("the message is not signed")
    signed_info = signature.find(_ds("SignedInfo"))
    if signed_info is None or elements(signature)[0] is not signed_info:
        raise SignatureInvalid("SignedInfo missing")
    references = signed_info.findall(_ds("Reference"))
    if len(references) != 1 or references[0].get("URI") != "":
        raise SignatureInvalid('one Reference with URI="" (the whole message) is required')
    reference = references[0]
    transforms = [t.get("Algorithm") for t in reference.findall(f"{_ds('Transforms')}/{_ds('Transform')}")]
    method, digest_method = _algorithm(signed_info, "SignatureMethod"), _algorithm(reference, "DigestMethod")
    canonicalization = _algorithm(signed_info, "CanonicalizationMethod")
    der = signature.find(f"{_ds('KeyInfo')}/{_ds('X509Data')}/{_ds('X509Certificate')}")
    if der is None:
        raise SignatureUnverifiable("no X509Certificate in KeyInfo: nothing to verify with")
    certificate = _b64(der, "X509Certificate")
    try:
        info = certificate_info(certificate)
    except CertificateError as exc:
        raise SignatureInvalid(f"the certificate cannot be read: {exc}") from exc
    if method == RSA_SHA1 or digest_method == SHA1 or info.key_algorithm == "rsa":
        raise SignatureUnverifiable("an RSA-SHA1 signature (as in the official samples): cannot verify it here")
    if (method, digest_method, canonicalization) != (SM2_SM3, SM3, C14N_2001) or transforms not in _ACCEPTED_TRANSFORMS:
        raise SignatureUnverifiable(f"unsupported signature algorithms: {method}, {digest_method}, {canonicalization}, {transforms}")
    if info.public_key is None:
        raise SignatureUnverifiable(f"the certificate's key ({info.key_algorithm}) is not SM2")
    if trusted_certs is not None and certificate not in set(trusted_certs):
        raise UntrustedCertificate(f"the signing certificate ({info.subject_name}, {info.customs_code}) is not trusted")
    moment = at or datetime.now(UTC)
    if not info.not_before <= moment <= info.not_after:
        raise UntrustedCertificate(f"the signing certificate is not valid at {moment.isoformat()}")
    expected_digest = _b64(reference.find(_ds("DigestValue")), "DigestValue")
    raw = _raw_signature(_b64(signature.find(_ds("SignatureValue")), "SignatureValue"))
    signed_form = _c14n(signed_info)
    if _sm3(_digest_input(tree)) != expected_digest:
        raise SignatureInvalid("digest mismatch: the message was altered after signing")
    if not sm2sign.verify_message(signed_form, base64.b64encode(raw).decode("ascii"), info.public_key):
        raise SignatureInvalid("the signature value does not verify with the certificate's key")
    key_name = signature.find(f"{_ds('KeyInfo')}/{_ds('KeyName')}")
    return VerifiedSigner(
        name=info.subject_name,
        customs_code=info.customs_code,
        key_name=key_name.text if key_name is not None else None,
        certificate=certificate,
        fingerprint=info.fingerprint,
        public_key=info.public_key,
    )
