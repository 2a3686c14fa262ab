"""Export and erasure as use cases: who may erase whom, what stays, what is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from liveport.accounts.domain import Principal, Role
from liveport.accounts.models import ApiToken, AuditEntry, User
from liveport.accounts.services import create_user, issue_token, principal_for_token
from liveport.buyers import services
from liveport.buyers.adapters.http_verifier import HttpIdentityVerifier
from liveport.buyers.models import Consent, Identity
from liveport.core.errors import AppError
from liveport.core.outbox.models import OutboxEvent


def _account(ctx, role: Role, n: int) -> Principal:
    user = create_user(
        ctx.db,
        email=f"{role.value}{n}@example.cn",
        password="pine-nuts-2026",
        role=role,
        display_name=f"{role.value} {n}",
    )
    return Principal(user_id=user.id, role=role, display_name=user.display_name)


@pytest.fixture
def verified_buyer(app_context, settings, registered):
    principal, person = _account(app_context, Role.BUYER, 1), registered(41, phone="13500000041")
    services.submit_identity(
        app_context.db,
        HttpIdentityVerifier.from_settings(settings),
        app_context.identity,
        principal,
        full_name=person.full_name,
        id_number=person.id_number,
        phone=person.phone,
        consent=True,
    )
    return principal, person


def test_export_holds_account_identity_and_consents_with_the_number_masked(
    app_context, verified_buyer
):
    principal, person = verified_buyer
    data = services.export_personal_data(app_context.db, principal.user_id)
    assert data["account"] == {
        "id": principal.user_id,
        "email": "buyer1@example.cn",
        "display_name": "buyer 1",
        "role": "buyer",
        "locale": "zh",
        "created_at": data["account"]["created_at"],
        "identity_verified": True,
    }
    assert data["identity"] == {
        "full_name": "张伟",
        "id_number": person.id_number[:4] + "*" * 10 + person.id_number[-4:],
        "phone": "13500000041",
        "verified_at": data["identity"]["verified_at"],
        "verification_method": "sandbox",
    }
    assert data["consents"][0]["withdrawn_at"] is None
    assert person.id_number not in repr(data)


def test_an_operator_erases_a_buyer_and_it_is_audited(app_context, verified_buyer):
    # given a verified buyer with a live token, and an operator
    principal, person = verified_buyer
    with app_context.db.transaction() as s:
        token = issue_token(s, principal.user_id, "api", None,
                            secret=app_context.settings.secret("session_secret"))
    operator = _account(app_context, Role.OPERATOR, 2)
    # when the operator erases the buyer's personal data
    services.erase_personal_data(
        app_context.db, operator, principal.user_id, confirm_email="buyer1@example.cn"
    )
    # then identity, name and e-mail are gone, the token is dead, the erasure is audited
    with app_context.db.reader() as s:
        user = s.get(User, principal.user_id)
        assert s.scalars(select(Identity)).all() == []
        assert all(c.withdrawn_at is not None for c in s.scalars(select(Consent)))
        assert all(t.revoked_at is not None for t in s.scalars(select(ApiToken)))
        audit = [(e.action, e.target_id, e.actor_user_id) for e in s.scalars(select(AuditEntry))]
        events = [
            (e.type, e.payload) for e in s.scalars(select(OutboxEvent).order_by(OutboxEvent.id))
        ]
    assert (user.email, user.display_name, user.is_active) == (
        f"erased-{principal.user_id}@invalid",
        "Erased user",
        False,
    )
    assert principal_for_token(app_context.db, token) is None
    assert audit == [("user.erase_personal_data", str(principal.user_id), operator.user_id)]
    assert events[-1] == ("buyers.personal_data_erased", {"user_id": principal.user_id})
    # the keyed hash stays, so the person's annual quota still counts after erasure
    assert user.identity_hash == app_context.identity.keyed_hash(person.id_number)


def test_self_erasure_is_not_audited(app_context, verified_buyer):
    principal, _ = verified_buyer
    services.erase_personal_data(
        app_context.db, principal, principal.user_id, confirm_email="BUYER1@example.cn"
    )
    with app_context.db.reader() as s:
        assert s.scalars(select(AuditEntry)).all() == []
        assert s.get(User, principal.user_id).is_active is False


def test_nobody_but_an_operator_erases_someone_else(app_context, verified_buyer):
    principal, _ = verified_buyer
    host = _account(app_context, Role.HOST, 3)
    with pytest.raises(AppError) as caught:
        services.erase_personal_data(
            app_context.db, host, principal.user_id, confirm_email="buyer1@example.cn"
        )
    assert (caught.value.code, caught.value.status) == ("forbidden", 403)
    with app_context.db.reader() as s:
        assert len(s.scalars(select(Identity)).all()) == 1


def test_erasing_an_unknown_account_is_not_found(app_context):
    operator = _account(app_context, Role.OPERATOR, 4)
    with pytest.raises(AppError) as caught:
        services.erase_personal_data(
            app_context.db, operator, 999_999, confirm_email="x@example.cn"
        )
    assert (caught.value.code, caught.value.status) == ("user_not_found", 404)
