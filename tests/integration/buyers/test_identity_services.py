"""Identity use cases against both databases and the sandbox verifier over HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from liveport.accounts.domain import Principal, Role
from liveport.accounts.models import User
from liveport.accounts.services import create_user
from liveport.buyers import services
from liveport.buyers.adapters.http_verifier import HttpIdentityVerifier
from liveport.buyers.domain import InvalidIdNumber, InvalidName, InvalidPhone, synthetic_id_number
from liveport.buyers.models import Consent, Identity
from liveport.buyers.ports import VerificationResult
from liveport.core.errors import AppError
from liveport.core.outbox.models import OutboxEvent
from tests.integration.sandbox.identity_support import Person, free_port


class CountingVerifier:
    def __init__(self, inner):
        self.inner, self.calls = inner, 0

    def verify(self, full_name: str, id_number: str) -> VerificationResult:
        self.calls += 1
        return self.inner.verify(full_name, id_number)


@pytest.fixture
def verifier(settings):
    return CountingVerifier(HttpIdentityVerifier.from_settings(settings))


@pytest.fixture
def buyer(app_context):
    def make(n: int = 1) -> Principal:
        user = create_user(
            app_context.db,
            email=f"buyer{n}@example.cn",
            password=None,
            role=Role.BUYER,
            display_name=f"Buyer {n}",
        )
        return Principal(user_id=user.id, role=Role.BUYER, display_name=user.display_name)

    return make


def _submit(ctx, verifier, principal, person, **overrides):
    values = {
        "full_name": person.full_name,
        "id_number": person.id_number,
        "phone": person.phone,
        "consent": True,
    }
    values.update(overrides)
    return services.submit_identity(ctx.db, verifier, ctx.identity, principal, **values)


def test_a_matching_identity_is_stored_encrypted_and_marks_the_account(
    app_context, verifier, buyer, registered
):
    # given a buyer and a person the verifier knows
    principal, person = buyer(), registered(1)
    # when the buyer submits that identity
    view = _submit(app_context, verifier, principal, person)
    # then the view is masked and the row holds ciphertext and the keyed hash
    assert view.full_name == "张伟"
    assert view.id_number_masked == person.id_number[:4] + "*" * 10 + person.id_number[-4:]
    assert view.verification_method == "sandbox"
    with app_context.db.reader() as s:
        row = s.scalar(select(Identity))
        user = s.get(User, principal.user_id)
        consents = list(s.scalars(select(Consent)))
        events = [e.type for e in s.scalars(select(OutboxEvent))]
    assert row.id_cipher != person.id_number
    assert app_context.identity.decrypt(row.id_cipher) == person.id_number
    assert row.id_hash == app_context.identity.keyed_hash(person.id_number)
    assert user.identity_hash == row.id_hash
    assert row.verification_reference.startswith("idv-")
    assert [(c.purpose, c.text_version, c.withdrawn_at) for c in consents] == [
        ("real_name_identity", "2025-01", None)
    ]
    assert events == ["buyers.identity_verified"]


def test_without_consent_nothing_is_collected_or_verified(app_context, verifier, buyer, registered):
    principal, person = buyer(), registered(1)
    with pytest.raises(AppError) as caught:
        _submit(app_context, verifier, principal, person, consent=False)
    assert (caught.value.code, caught.value.status) == ("consent_required", 422)
    assert verifier.calls == 0
    with app_context.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Consent)) == 0


def test_a_name_that_does_not_match_is_refused_but_the_consent_is_kept(
    app_context, verifier, buyer, registered
):
    principal, person = buyer(), registered(2, full_name="李娜")
    with pytest.raises(AppError) as caught:
        _submit(app_context, verifier, principal, person, full_name="王芳")
    assert (caught.value.code, caught.value.status, caught.value.details) == (
        "identity_mismatch",
        422,
        {},
    )
    with app_context.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Identity)) == 0
        assert s.scalar(select(func.count()).select_from(Consent)) == 1
        assert s.get(User, principal.user_id).identity_hash is None


def test_an_unregistered_number_is_a_mismatch(app_context, verifier, buyer):
    unknown = Person("赵敏", synthetic_id_number(31_999_999), "13900000000")
    with pytest.raises(AppError) as caught:
        _submit(app_context, verifier, buyer(), unknown)
    assert caught.value.code == "identity_mismatch"
    assert verifier.calls == 1


def test_submitting_the_same_person_again_is_idempotent(app_context, verifier, buyer, registered):
    principal, person = buyer(), registered(3)
    first = _submit(app_context, verifier, principal, person)
    again = _submit(
        app_context,
        verifier,
        principal,
        person,
        id_number=person.id_number.lower(),
        phone="+86 139 0000 0001",
    )
    assert again.verified_at == first.verified_at
    assert again.phone == "13900000001"
    assert verifier.calls == 1
    with app_context.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Identity)) == 1
        assert s.scalar(select(func.count()).select_from(Consent)) == 1


def test_another_person_on_a_verified_account_is_a_conflict(
    app_context, verifier, buyer, registered
):
    principal = buyer()
    _submit(app_context, verifier, principal, registered(4))
    with pytest.raises(AppError) as caught:
        _submit(app_context, verifier, principal, registered(5, full_name="孙丽"))
    assert (caught.value.code, caught.value.status) == ("identity_already_verified", 409)
    assert verifier.calls == 1


def test_one_person_on_two_accounts_shares_the_hash(app_context, verifier, buyer, registered):
    person = registered(6)
    first, second = buyer(1), buyer(2)
    _submit(app_context, verifier, first, person)
    _submit(app_context, verifier, second, person)
    with app_context.db.reader() as s:
        hashes = s.scalars(
            select(User.identity_hash).where(User.id.in_([first.user_id, second.user_id]))
        )
        assert len(set(hashes)) == 1


def _wrong_check_char(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("id_number", None, InvalidIdNumber),
        ("full_name", "X", InvalidName),
        ("phone", "12345", InvalidPhone),
    ],
)
def test_bad_input_never_reaches_the_verifier(
    app_context, verifier, buyer, registered, field, value, error
):
    person = registered(1)
    value = value or _wrong_check_char(person.id_number)
    with pytest.raises(error):
        _submit(app_context, verifier, buyer(), person, **{field: value})
    assert verifier.calls == 0


def test_an_unreachable_verifier_is_a_503_and_stores_nothing(
    app_context, buyer, registered, settings
):
    down = HttpIdentityVerifier(f"http://127.0.0.1:{free_port()}", "k", 1.0)
    with pytest.raises(AppError) as caught:
        _submit(app_context, down, buyer(), registered(1))
    assert (caught.value.code, caught.value.status) == ("verifier_unavailable", 503)
    with app_context.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Consent)) == 0


def test_identity_for_declaration_gives_the_clear_number(app_context, verifier, buyer, registered):
    principal, person = buyer(), registered(7, phone="13700000007")
    _submit(app_context, verifier, principal, person)
    who = services.identity_for_declaration(app_context.db, app_context.identity, principal.user_id)
    assert (who.full_name, who.id_number, who.phone) == ("张伟", person.id_number, "13700000007")
    assert person.id_number not in repr(who)


def test_views_of_an_account_without_identity_are_not_found(app_context, buyer):
    principal = buyer()
    for call in (
        lambda: services.get_identity_view(app_context.db, principal.user_id),
        lambda: services.identity_for_declaration(
            app_context.db, app_context.identity, principal.user_id
        ),
    ):
        with pytest.raises(AppError) as caught:
            call()
        assert (caught.value.code, caught.value.status) == ("identity_not_found", 404)
