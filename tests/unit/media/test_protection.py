"""Stream keys at rest and the callbacks' secret."""
from __future__ import annotations

import pytest
from pydantic import SecretStr

from liveport.core.settings import Settings
from liveport.media.domain import is_stream_key
from liveport.media.protection import (
    StreamKeyProtector,
    StreamKeyUnreadable,
    hook_secret,
    hook_token_matches,
    new_stream_key,
)


def _settings(session: str = "session-secret-of-at-least-32-chars!", **more: object) -> Settings:
    return Settings(env="test", session_secret=SecretStr(session), **more)  # type: ignore[arg-type]


def test_a_key_is_found_by_its_keyed_hash_and_read_back_from_its_cipher_text():
    key = new_stream_key()
    protector = StreamKeyProtector(_settings())
    assert is_stream_key(key)
    assert protector.digest(key) == StreamKeyProtector(_settings()).digest(key)
    assert len(protector.digest(key)) == 64 and key not in protector.encrypt(key)
    assert protector.decrypt(protector.encrypt(key)) == key


def test_another_secret_neither_finds_nor_reads_the_key():
    key = new_stream_key()
    ours, theirs = StreamKeyProtector(_settings()), StreamKeyProtector(_settings("another-secret-entirely-32-chars"))
    assert ours.digest(key) != theirs.digest(key)
    with pytest.raises(StreamKeyUnreadable):
        theirs.decrypt(ours.encrypt(key))


def test_the_hook_secret_is_derived_unless_set_and_compared_exactly():
    derived = hook_secret(_settings())
    assert len(derived) == 43 and derived != "session-secret-of-at-least-32-chars!"
    assert hook_token_matches(_settings(), derived)
    assert not hook_token_matches(_settings(), derived[:-1]) and not hook_token_matches(_settings(), None)
    assert hook_secret(_settings(media_hook_secret=SecretStr("given"))) == "given"
    assert StreamKeyProtector(_settings(media_key_secret=SecretStr("k" * 32))).digest("x") != \
        StreamKeyProtector(_settings()).digest("x")
