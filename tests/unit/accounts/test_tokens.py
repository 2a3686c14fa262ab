from __future__ import annotations

from liveport.accounts.tokens import sign_token, verify_token

SECRET = "a-test-secret-of-enough-length"


def _token(**overrides):
    fields = dict(user_id=7, role="buyer", display_name="李伟", exhibitor_id=None,
                  identity_hash="ab" * 32, expires_at=None)
    fields.update(overrides)
    return sign_token(SECRET, **fields)


def test_a_signed_token_carries_the_principal():
    claims = verify_token(SECRET, _token())
    assert (claims.user_id, claims.role, claims.display_name, claims.identity_hash) == (
        7, "buyer", "李伟", "ab" * 32)
    assert claims.expires_at is None


def test_two_tokens_for_the_same_user_differ():
    assert _token() != _token()


def test_another_secret_is_refused():
    assert verify_token("another-secret", _token()) is None


def test_a_changed_payload_is_refused():
    prefix, payload, mac = _token().split(".")
    forged = sign_token("attacker", user_id=1, role="operator", display_name="x",
                        exhibitor_id=None, identity_hash=None, expires_at=None).split(".")[1]
    assert verify_token(SECRET, f"{prefix}.{forged}.{mac}") is None
    assert verify_token(SECRET, f"{prefix}.{payload}x.{mac}") is None


def test_garbage_is_refused_without_error():
    for junk in ["", "lp1", "lp1..", "lp1.%%%.%%%", "x" * 5000, "lp2.a.b", "Bearer lp1.a.b"]:
        assert verify_token(SECRET, junk) is None
