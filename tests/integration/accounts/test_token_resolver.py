from __future__ import annotations

from datetime import timedelta

from liveport.accounts.domain import Role
from liveport.accounts.services import create_user, issue_token, revoke_token
from liveport.accounts.token_resolver import TokenResolver

SECRET = "resolver-test-secret"


def _token(db, role=Role.HOST, ttl=None):
    user = create_user(db, email=f"{role.value}@example.cn", password=None, role=role, display_name="Anna")
    with db.transaction() as session:
        return user, issue_token(session, user.id, "api", ttl, secret=SECRET)


def test_resolver_reads_the_principal_from_the_token(database):
    user, token = _token(database)
    principal = TokenResolver(database, SECRET, refresh_s=30).resolve(token)
    assert (principal.user_id, principal.role, principal.display_name) == (user.id, Role.HOST, "Anna")


def test_a_token_revoked_by_another_process_stops_working_after_the_refresh(database):
    # given two processes' resolvers, one refreshing at every call
    _, token = _token(database)
    elsewhere = TokenResolver(database, SECRET, refresh_s=0)
    assert elsewhere.resolve(token) is not None
    # when the token is revoked
    revoke_token(database, token)
    # then the other process refuses it
    assert elsewhere.resolve(token) is None


def test_the_revoking_process_refuses_at_once(database):
    _, token = _token(database)
    here = TokenResolver(database, SECRET, refresh_s=3600)
    assert here.resolve(token) is not None
    here.forget(token)
    assert here.resolve(token) is None


def test_an_expired_token_is_refused(database):
    _, token = _token(database, ttl=timedelta(seconds=-1))
    assert TokenResolver(database, SECRET, refresh_s=0).resolve(token) is None


def test_a_buyer_verified_after_sign_in_is_seen_as_verified(database):
    from sqlalchemy import update

    from liveport.accounts.models import User

    user, token = _token(database, role=Role.BUYER)
    resolver = TokenResolver(database, SECRET, refresh_s=0)
    assert resolver.resolve(token).identity_hash is None
    with database.transaction() as session:
        session.execute(update(User).where(User.id == user.id).values(identity_hash="cd" * 32))
    assert resolver.resolve(token).identity_hash == "cd" * 32
