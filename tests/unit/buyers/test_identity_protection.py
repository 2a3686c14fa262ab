"""Encryption at rest and the keyed hash, built from settings."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from liveport.buyers.protection import IdentityDecryptionFailed, IdentityProtector
from liveport.core.errors import ConfigurationError
from liveport.core.settings import Settings

NUMBER = "11010519491231002X"


def _settings(**values: object) -> Settings:
    base: dict[str, object] = {
        "env": "test",
        "identity_key": Fernet.generate_key().decode(),
        "identity_hash_key": "h" * 32,
    }
    base.update(values)
    return Settings(**base)  # type: ignore[arg-type]


def test_encryption_round_trips_and_hides_the_number():
    protector = IdentityProtector(_settings())
    cipher = protector.encrypt(NUMBER)
    assert NUMBER not in cipher
    assert protector.decrypt(cipher) == NUMBER


def test_two_encryptions_of_the_same_number_differ():
    protector = IdentityProtector(_settings())
    assert protector.encrypt(NUMBER) != protector.encrypt(NUMBER)


def test_keyed_hash_is_stable_hex_and_depends_on_the_key():
    first = IdentityProtector(_settings(identity_hash_key="a" * 32))
    second = IdentityProtector(_settings(identity_hash_key="b" * 32))
    digest = first.keyed_hash(NUMBER)
    assert digest == first.keyed_hash(NUMBER)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert digest != second.keyed_hash(NUMBER)


def test_a_ciphertext_from_another_key_is_refused_with_a_stable_code():
    other = IdentityProtector(_settings()).encrypt(NUMBER)
    with pytest.raises(IdentityDecryptionFailed) as caught:
        IdentityProtector(_settings()).decrypt(other)
    assert caught.value.code == "identity_unreadable"


def test_rotation_old_key_still_decrypts_and_new_key_encrypts():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = IdentityProtector(_settings(identity_key=old)).encrypt(NUMBER)
    rotated = IdentityProtector(_settings(identity_key=f"{new},{old}"))
    assert rotated.decrypt(before) == NUMBER
    fresh = rotated.rotate(before)
    assert IdentityProtector(_settings(identity_key=new)).decrypt(fresh) == NUMBER


def test_a_malformed_key_stops_the_start_without_showing_the_key():
    with pytest.raises(ConfigurationError) as caught:
        IdentityProtector(_settings(identity_key="not-a-fernet-key"))
    assert caught.value.code == "invalid_identity_key"
    assert "not-a-fernet-key" not in caught.value.message


def test_missing_keys_fail_only_when_used():
    protector = IdentityProtector(_settings(identity_key=None, identity_hash_key=None))
    with pytest.raises(ConfigurationError) as caught:
        protector.encrypt(NUMBER)
    assert "LIVEPORT_IDENTITY_KEY" in caught.value.message
    with pytest.raises(ConfigurationError):
        protector.keyed_hash(NUMBER)


def test_repr_hides_the_keys():
    settings = _settings()
    assert settings.identity_key.get_secret_value() not in repr(IdentityProtector(settings))
