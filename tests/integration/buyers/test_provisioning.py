"""Bulk-provisioned buyers get distinct, valid, verified synthetic identities."""

from __future__ import annotations

from sqlalchemy import select

from liveport.accounts.domain import Role
from liveport.accounts.models import User
from liveport.accounts.services import provision_users
from liveport.buyers.domain import normalise_id_number
from liveport.buyers.models import Consent, Identity
from liveport.buyers.provisioning import demo_identity_writer


def test_every_provisioned_buyer_gets_a_distinct_valid_verified_identity(app_context):
    # given the writer, and batches smaller than the count so several batches run
    writer = demo_identity_writer(app_context.identity)
    # when 1,200 buyers are provisioned
    made = provision_users(
        app_context.db, role=Role.BUYER, count=1_200, on_created=writer, batch=500,
        secret=app_context.settings.secret("session_secret"),
    )
    # then each has one identity whose number decrypts, is valid, and matches the user's hash
    with app_context.db.reader() as s:
        rows = s.execute(
            select(Identity, User.identity_hash).join(User, User.id == Identity.user_id)
        ).all()
        consents = s.scalars(select(Consent)).all()
    numbers = [app_context.identity.decrypt(identity.id_cipher) for identity, _ in rows]
    assert len(rows) == 1_200
    assert {identity.user_id for identity, _ in rows} == {u.user_id for u in made}
    assert len(set(numbers)) == 1_200
    assert all(normalise_id_number(n) == n for n in numbers)
    assert all(
        identity.id_hash == user_hash == app_context.identity.keyed_hash(number)
        for (identity, user_hash), number in zip(rows, numbers)
    )
    assert all(
        identity.id_masked == number[:4] + "*" * 10 + number[-4:]
        for (identity, _), number in zip(rows, numbers)
    )
    assert {identity.verification_method for identity, _ in rows} == {"provisioned"}
    assert all(
        2 <= len(identity.full_name) <= 3 and len(identity.phone) == 11 for identity, _ in rows
    )
    # synthetic identities are not collected from a person: no consent record
    assert consents == []


def test_a_second_run_gives_new_buyers_new_numbers(app_context):
    writer = demo_identity_writer(app_context.identity)
    provision_users(app_context.db, role=Role.BUYER, count=50, on_created=writer,
                    secret=app_context.settings.secret("session_secret"))
    provision_users(app_context.db, role=Role.BUYER, count=50, on_created=writer,
                    secret=app_context.settings.secret("session_secret"))
    with app_context.db.reader() as s:
        hashes = s.scalars(select(Identity.id_hash)).all()
    assert len(hashes) == len(set(hashes)) == 100
