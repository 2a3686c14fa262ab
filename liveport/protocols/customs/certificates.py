"""X.509 certificates with SM2 keys, for signing customs messages (GM/T 0015 layout).

Sandbox parties (the platform, a payment company, a carrier, the single window) get a
self-signed certificate at setup: public key algorithm id-ecPublicKey with the named curve
SM2 (1.2.156.10197.1.301), signed with SM2-with-SM3 (1.2.156.10197.1.501) and the default
user ID of GM/T 0009. The subject holds the party's name (CN and O) and its customs code
(serialNumber). ``cryptography`` cannot sign SM2 certificates, so the structure is built
with asn1crypto and signed with sm2sign.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from asn1crypto import algos, keys, pem, x509

from liveport.protocols import sm2sign
from liveport.protocols.customs.errors import CertificateError

SM2_CURVE_OID = "1.2.156.10197.1.301"
SM2_WITH_SM3_OID = "1.2.156.10197.1.501"
_SIGNATURE_ALGORITHM = {"algorithm": SM2_WITH_SM3_OID}


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    subject_name: str | None  # CN
    customs_code: str | None  # subject serialNumber
    serial_number: int
    not_before: datetime
    not_after: datetime
    key_algorithm: str  # "sm2", "rsa", or the algorithm's OID
    public_key: str | None  # SM2 only: 130 hex digits 04‖x‖y
    fingerprint: str  # SHA-256 of the DER, hex

    @property
    def key_name(self) -> str:
        """What goes into ds:KeyName: the certificate's serial number in hex."""
        return format(self.serial_number, "X")


@dataclass(frozen=True, slots=True)
class PartyCredentials:
    """A party's SM2 private key and its certificate (DER). Pass it to xmldsig.sign."""

    name: str
    customs_code: str
    private_key: str
    certificate: bytes

    def __repr__(self) -> str:  # never print the private key
        return f"PartyCredentials(name={self.name!r}, customs_code={self.customs_code!r})"

    @property
    def info(self) -> CertificateInfo:
        return certificate_info(self.certificate)

    def to_dict(self) -> dict[str, str]:
        """For a 0600 key file: names, the private key (hex), the certificate (base64 DER)."""
        return {
            "name": self.name,
            "customs_code": self.customs_code,
            "private_key": self.private_key,
            "certificate": base64.b64encode(self.certificate).decode("ascii"),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PartyCredentials:
        try:
            certificate = base64.b64decode(data["certificate"], validate=True)
            credentials = cls(str(data["name"]), str(data["customs_code"]), sm2sign.check_private_key(data["private_key"]), certificate)
        except (KeyError, TypeError, ValueError) as exc:
            raise CertificateError(f"not a customs key file: {exc}") from exc
        if sm2sign.public_key_of(credentials.private_key) != public_key_of_certificate(certificate):
            raise CertificateError("the private key does not belong to the certificate")
        return credentials


def _time(moment: datetime) -> x509.Time:
    moment = moment.astimezone(UTC).replace(microsecond=0)
    return x509.Time({"utc_time" if moment.year < 2050 else "general_time": moment})


def _sm2_der_signature(message: bytes, private_key: str) -> bytes:
    raw = base64.b64decode(sm2sign.sign_message(message, private_key))
    return algos.DSASignature.from_p1363(raw).dump()


def generate_party(
    name: str, customs_code: str, *, valid_days: int = 3650, now: datetime | None = None
) -> PartyCredentials:
    """A new SM2 key pair and a self-signed certificate for ``name`` / ``customs_code``."""
    if not name or not customs_code or not customs_code.isascii() or not customs_code.isalnum():
        raise CertificateError("a party needs a name and an alphanumeric customs code")
    keypair = sm2sign.generate_keypair()
    start = (now or datetime.now(UTC)) - timedelta(days=1)
    subject = x509.Name.build({
        "country_name": "CN",
        "organization_name": name,
        "common_name": name,
        "serial_number": customs_code,
    })
    tbs = x509.TbsCertificate({
        "version": "v3",
        "serial_number": secrets.randbits(63) | 1 << 62,
        "signature": _SIGNATURE_ALGORITHM,
        "issuer": subject,
        "validity": {"not_before": _time(start), "not_after": _time(start + timedelta(days=valid_days))},
        "subject": subject,
        "subject_public_key_info": {
            "algorithm": {"algorithm": "ec", "parameters": keys.ECDomainParameters(name="named", value=SM2_CURVE_OID)},
            "public_key": bytes.fromhex(keypair.public_key),
        },
        "extensions": [
            {"extn_id": "basic_constraints", "critical": True, "extn_value": {"ca": False}},
            {"extn_id": "key_usage", "critical": True, "extn_value": {"digital_signature", "non_repudiation"}},
        ],
    })
    certificate = x509.Certificate({
        "tbs_certificate": tbs,
        "signature_algorithm": _SIGNATURE_ALGORITHM,
        "signature_value": _sm2_der_signature(tbs.dump(), keypair.private_key),
    })
    return PartyCredentials(name, customs_code, keypair.private_key, certificate.dump())


def _load(der: bytes) -> x509.Certificate:
    if not isinstance(der, bytes) or not der:
        raise CertificateError("a certificate is DER bytes")
    try:
        certificate = x509.Certificate.load(der, strict=True)
        _ = certificate.native  # parse everything now, so that a damaged one fails here
    except (ValueError, TypeError, KeyError) as exc:
        raise CertificateError(f"not an X.509 certificate: {exc}") from exc
    return certificate


def _sm2_public_key(certificate: x509.Certificate) -> str | None:
    info = certificate["tbs_certificate"]["subject_public_key_info"]
    algorithm = info["algorithm"]
    if algorithm["algorithm"].native != "ec":
        return None
    parameters = algorithm["parameters"]
    if parameters.name != "named" or parameters.chosen.dotted != SM2_CURVE_OID:
        return None
    try:
        return sm2sign.check_public_key(info["public_key"].native.hex())
    except sm2sign.InvalidKey as exc:
        raise CertificateError(f"the certificate's SM2 key is not valid: {exc}") from exc


# Every signed message names its signer's certificate: the same few, thousands of times a
# night. Parsing one is a large share of checking a signature, so each is parsed once.
@lru_cache(maxsize=256)
def certificate_info(der: bytes) -> CertificateInfo:
    certificate = _load(der)
    tbs = certificate["tbs_certificate"]
    subject = tbs["subject"].native
    public_key = _sm2_public_key(certificate)
    algorithm = tbs["subject_public_key_info"]["algorithm"]["algorithm"]
    validity = tbs["validity"]
    return CertificateInfo(
        subject_name=subject.get("common_name"),
        customs_code=subject.get("serial_number"),
        serial_number=tbs["serial_number"].native,
        not_before=validity["not_before"].native,
        not_after=validity["not_after"].native,
        key_algorithm="sm2" if public_key else ("rsa" if algorithm.native == "rsa" else algorithm.dotted),
        public_key=public_key,
        fingerprint=hashlib.sha256(der).hexdigest(),
    )


@lru_cache(maxsize=256)
def public_key_of_certificate(der: bytes) -> str:
    """The SM2 public key (130 hex digits) of a certificate; CertificateError otherwise."""
    public_key = _sm2_public_key(_load(der))
    if public_key is None:
        raise CertificateError("not an SM2 certificate")
    return public_key


def verify_self_signed(der: bytes) -> bool:
    """Whether an SM2 certificate's signature holds under its own key (sandbox certificates
    are self-signed; a real one is checked against its CA's certificate instead)."""
    certificate = _load(der)
    public_key = _sm2_public_key(certificate)
    if public_key is None or certificate["signature_algorithm"]["algorithm"].dotted != SM2_WITH_SM3_OID:
        return False
    try:
        raw = algos.DSASignature.load(certificate["signature_value"].native).to_p1363()
    except (ValueError, TypeError):
        return False
    if len(raw) != 64:
        return False
    signature = base64.b64encode(raw).decode("ascii")
    return sm2sign.verify_message(certificate["tbs_certificate"].dump(), signature, public_key)


def certificate_pem(der: bytes) -> str:
    return pem.armor("CERTIFICATE", der).decode("ascii")


def certificate_from_pem(text: str | bytes) -> bytes:
    data = text.encode("ascii") if isinstance(text, str) else text
    try:
        kind, _, der = pem.unarmor(data)
    except ValueError as exc:
        raise CertificateError(f"not a PEM certificate: {exc}") from exc
    if kind != "CERTIFICATE":
        raise CertificateError(f"PEM holds a {kind}, not a CERTIFICATE")
    return der
