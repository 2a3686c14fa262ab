"""SM2 signatures over SM3 (GB/T 32918.2, GM/T 0003.2) on a canonical string (ADR 0010).

Keys, as they are written in key files and settings:
- private key: 64 lower-case hex digits (the scalar d, 1 ≤ d ≤ n − 2);
- public key: 130 lower-case hex digits, the uncompressed point ``04 ‖ x ‖ y``.

Signature: ``e = SM3(Z_A ‖ M)`` with ``Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A)``
and the user ID ``1234567812345678`` (the default of GM/T 0009 that operators use); on the
wire it is the base64 (standard alphabet, padded) of ``r ‖ s``, 32 bytes each, big-endian.

Canonical string of a message (a mapping of field names to values): every field except
``sign``, sorted by name (code-point order), written ``name=value`` and joined with ``&``,
then encoded as UTF-8. Values: a string as it is (no trimming, no Unicode normalisation);
an integer in decimal; ``true``/``false``; a list or an object as compact JSON with sorted
keys and unescaped non-ASCII; a field whose value is null is left out, like an absent one.
Names must match ``[a-z][a-z0-9_]*`` so that no name can carry ``=`` or ``&``.

The curve arithmetic is ``sm2curve.py`` (fixed-base tables; the curve's constants are
snowland-smx's, ``pysmx``); SM3 is OpenSSL's through ``cryptography``. Both are CPU-bound
(well under a millisecond to sign or verify once a key's table is built): call them from a
worker thread, never on the event loop.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from pysmx.SM2 import _SM2 as curve_ops

from liveport.protocols import sm2curve

DEFAULT_USER_ID = b"1234567812345678"
SIGN_FIELD = "sign"
SIGN_TYPE = "SM2"

# Curve parameters of the SM2 recommended curve (GB/T 32918.5).
_P = curve_ops.sm2_P
_N = curve_ops.sm2_N
_A = curve_ops.sm2_a
_B = curve_ops.sm2_b
_G_HEX = curve_ops.sm2_G
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
_HEX130 = re.compile(r"04[0-9a-f]{128}\Z")


class InvalidKey(ValueError):
    """A key that is not in the form above or not on the curve."""


@dataclass(frozen=True, slots=True)
class KeyPair:
    private_key: str
    public_key: str

    def __repr__(self) -> str:  # never print the private half
        return f"KeyPair(public_key={self.public_key!r})"


def _sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def _on_curve(x: int, y: int) -> bool:
    return 0 <= x < _P and 0 <= y < _P and (y * y - (x * x * x + _A * x + _B)) % _P == 0


def check_private_key(private_key: str) -> str:
    value = private_key.strip().lower()
    if not _HEX64.match(value) or not 1 <= int(value, 16) <= _N - 2:
        raise InvalidKey("an SM2 private key is 64 hex digits, 1 ≤ d ≤ n − 2")
    return value


def check_public_key(public_key: str) -> str:
    value = public_key.strip().lower()
    if len(value) == 128:
        value = "04" + value
    if not _HEX130.match(value):
        raise InvalidKey("an SM2 public key is 130 hex digits: 04 ‖ x ‖ y")
    if not _on_curve(int(value[2:66], 16), int(value[66:], 16)):
        raise InvalidKey("that SM2 public key is not a point of the curve")
    return value


def public_key_of(private_key: str) -> str:
    d = int(check_private_key(private_key), 16)
    point = sm2curve.base_times(d)
    assert point is not None  # 1 ≤ d ≤ n − 2
    return f"04{point[0]:064x}{point[1]:064x}"


def generate_keypair() -> KeyPair:
    private = f"{secrets.randbelow(_N - 2) + 1:064x}"  # 1 ≤ d ≤ n − 2
    return KeyPair(private, public_key_of(private))


@lru_cache(maxsize=64)
def _z_a(public_key: str, user_id: bytes) -> bytes:
    entl = (len(user_id) * 8).to_bytes(2, "big")
    curve = b"".join(v.to_bytes(32, "big") for v in (_A, _B)) + bytes.fromhex(_G_HEX)
    return _sm3(entl + user_id + curve + bytes.fromhex(public_key[2:]))


def _digest_hex(message: bytes, public_key: str, user_id: bytes) -> str:
    return _sm3(_z_a(public_key, user_id) + message).hex()


@lru_cache(maxsize=16)
def _public_of_cached(private_key: str) -> str:
    return public_key_of(private_key)


def _sign_with_nonce(message: bytes, private_key: str, nonce_hex: str, user_id: bytes) -> bytes | None:
    """r ‖ s for a given nonce k (GB/T 32918.2 §6.1); None when k is unusable (then draw
    another)."""
    e = int(_digest_hex(message, _public_of_cached(private_key), user_id), 16)
    d, k = int(private_key, 16), int(nonce_hex, 16)
    point = sm2curve.base_times(k) if 1 <= k < _N else None
    if point is None:
        return None
    r = (e + point[0]) % _N
    if r == 0 or r + k == _N:
        return None
    s = pow(1 + d, -1, _N) * (k - r * d) % _N
    if s == 0:
        return None
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def sign_message(message: bytes, private_key: str, user_id: bytes = DEFAULT_USER_ID) -> str:
    private_key = check_private_key(private_key)
    while True:
        raw = _sign_with_nonce(message, private_key, f"{secrets.randbelow(_N - 1) + 1:064x}", user_id)
        if raw is not None:
            return base64.b64encode(raw).decode("ascii")


def verify_message(
    message: bytes, signature: str, public_key: str, user_id: bytes = DEFAULT_USER_ID
) -> bool:
    """False for any signature that does not hold, including malformed ones and bad keys."""
    try:
        public_key = check_public_key(public_key)
        raw = base64.b64decode(signature.encode("ascii"), validate=True)
    except (InvalidKey, ValueError, binascii.Error, UnicodeEncodeError, AttributeError):
        return False
    if len(raw) != 64:
        return False
    r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    if not (1 <= r < _N and 1 <= s < _N):
        return False
    # GB/T 32918.2 §7.1: t = r + s, (x1, y1) = s·G + t·P_A, valid when (e + x1) mod n = r.
    t = (r + s) % _N
    if t == 0:
        return False
    point = sm2curve.combined(s, t, (int(public_key[2:66], 16), int(public_key[66:], 16)))
    if point is None:
        return False
    e = int(_digest_hex(message, public_key, user_id), 16)
    return (e + point[0]) % _N == r


def _value_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    raise TypeError(f"a signed field holds text, integers, booleans, lists or objects, not {type(value).__name__}")


def canonical_string(fields: Mapping[str, object]) -> bytes:
    parts = []
    for name in sorted(fields):
        if name == SIGN_FIELD or fields[name] is None:
            continue
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"field name not allowed in a signed message: {name!r}")
        parts.append(f"{name}={_value_text(fields[name])}")
    return "&".join(parts).encode("utf-8")


def sign_fields(fields: Mapping[str, object], private_key: str) -> dict[str, object]:
    """A copy of ``fields`` with ``sign_type`` and ``sign`` set."""
    signed = {**fields, "sign_type": SIGN_TYPE}
    signed.pop(SIGN_FIELD, None)
    signed[SIGN_FIELD] = sign_message(canonical_string(signed), private_key)
    return signed


def verify_fields(fields: Mapping[str, object], public_key: str) -> bool:
    signature = fields.get(SIGN_FIELD)
    if fields.get("sign_type") != SIGN_TYPE or not isinstance(signature, str):
        return False
    try:
        message = canonical_string(fields)
    except (ValueError, TypeError):
        return False
    return verify_message(message, signature, public_key)
