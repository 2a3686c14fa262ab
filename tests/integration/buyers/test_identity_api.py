"""The identity, consent, export and erasure routes over HTTP."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from liveport.accounts.models import User
from liveport.app import create_app
from liveport.buyers.models import Consent, Identity
from liveport.context import build_context
from tests.integration.sandbox.identity_support import free_port


def _body(person, **overrides):
    body = {
        "full_name": person.full_name,
        "id_number": person.id_number,
        "phone": person.phone,
        "consent": True,
    }
    body.update(overrides)
    return body


def _masked(number: str) -> str:
    return number[:4] + "**********" + number[-4:]


def test_buyer_submits_identity_and_sees_it_masked(client, login_as, registered):
    # given a buyer and a person known to the verifier
    buyer, person = login_as("buyer"), registered(16, full_name="欧阳娜娜")
    # when the buyer submits it
    made = client.post("/api/v1/me/identity", headers=buyer, json=_body(person))
    # then it is verified, masked, and the account says so
    assert made.status_code == 201
    assert made.json() == {
        "verified": True,
        "full_name": "欧阳娜娜",
        "id_number": _masked(person.id_number),
        "phone": "13800138000",
        "verified_at": made.json()["verified_at"],
        "verification_method": "sandbox",
    }
    assert client.get("/api/v1/me/identity", headers=buyer).json() == made.json()
    assert client.get("/api/v1/me", headers=buyer).json()["identity_verified"] is True


def test_submitting_twice_answers_the_same(client, login_as, registered):
    buyer, person = login_as("buyer"), registered(12)
    first = client.post("/api/v1/me/identity", headers=buyer, json=_body(person))
    again = client.post("/api/v1/me/identity", headers=buyer, json=_body(person))
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()


def test_consent_is_required(client, login_as, registered):
    answer = client.post(
        "/api/v1/me/identity", headers=login_as("buyer"), json=_body(registered(11), consent=False)
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "consent_required"


def test_a_wrong_check_digit_is_a_422_with_the_reason(client, login_as, registered):
    person = registered(11)
    wrong = person.id_number[:17] + ("0" if person.id_number[17] != "0" else "1")
    answer = client.post(
        "/api/v1/me/identity", headers=login_as("buyer"), json=_body(person, id_number=wrong)
    )
    assert answer.status_code == 422
    assert answer.json()["error"] == {
        "code": "invalid_id_number",
        "message": "That is not a valid resident ID number.",
        "details": {"reason": "check_digit"},
    }


def test_a_mismatch_is_a_422(client, login_as, registered):
    answer = client.post(
        "/api/v1/me/identity",
        headers=login_as("buyer"),
        json=_body(registered(13, full_name="周杰"), full_name="周洁"),
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "identity_mismatch"


def test_only_buyers_submit_identities(client, login_as, registered):
    answer = client.post(
        "/api/v1/me/identity", headers=login_as("host"), json=_body(registered(11))
    )
    assert answer.status_code == 403


def test_no_identity_yet_is_a_404(client, login_as):
    answer = client.get("/api/v1/me/identity", headers=login_as("buyer"))
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "identity_not_found"


def test_consents_are_listed(client, login_as, registered):
    buyer = login_as("buyer")
    client.post("/api/v1/me/identity", headers=buyer, json=_body(registered(11)))
    listed = client.get("/api/v1/me/consents", headers=buyer).json()
    assert [(c["purpose"], c["text_version"], c["withdrawn_at"]) for c in listed] == [
        ("real_name_identity", "2025-01", None)
    ]


def test_export_is_a_masked_json_attachment(client, login_as, registered):
    buyer, person = login_as("buyer"), registered(14, phone="13600000014")
    client.post("/api/v1/me/identity", headers=buyer, json=_body(person))
    answer = client.get("/api/v1/me/export", headers=buyer)
    data = answer.json()
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].startswith(
        'attachment; filename="liveport-personal-data-'
    )
    assert answer.headers["cache-control"] == "no-store"
    assert data["format"] == "liveport.personal-data/1"
    assert data["account"]["email"] == client.get("/api/v1/me", headers=buyer).json()["email"]
    assert data["identity"]["id_number"] == _masked(person.id_number)
    assert data["identity"]["phone"] == "13600000014"
    assert [c["purpose"] for c in data["consents"]] == ["real_name_identity"]
    assert [t["kind"] for t in data["sign_ins"]] == ["api"]


def test_any_signed_in_user_may_export(client, login_as):
    answer = client.get("/api/v1/me/export", headers=login_as("moderator"))
    assert answer.status_code == 200
    assert answer.json()["identity"] is None


def test_erasure_needs_the_email_typed_again(client, login_as):
    buyer = login_as("buyer")
    answer = client.post(
        "/api/v1/me/erase", headers=buyer, json={"confirm_email": "someone@else.cn"}
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "confirmation_mismatch"
    assert client.get("/api/v1/me", headers=buyer).status_code == 200


def test_erasure_removes_identity_closes_account_and_keeps_the_hash(
    client, login_as, registered, app_context
):
    # given a verified buyer
    buyer, person = login_as("buyer"), registered(15)
    client.post("/api/v1/me/identity", headers=buyer, json=_body(person))
    email = client.get("/api/v1/me", headers=buyer).json()["email"]
    user_id = int(buyer["X-User-Id"])
    # when they erase their data
    answer = client.post("/api/v1/me/erase", headers=buyer, json={"confirm_email": email.upper()})
    # then
    assert answer.status_code == 200
    assert answer.json() == {"erased": True, "user_id": user_id}
    assert client.get("/api/v1/me", headers=buyer).status_code == 401
    with app_context.db.reader() as s:
        user = s.get(User, user_id)
        assert s.scalar(select(Identity).where(Identity.user_id == user_id)) is None
        assert [c.withdrawn_at is not None for c in s.scalars(select(Consent))] == [True]
    assert (user.email, user.display_name, user.is_active, user.password_hash) == (
        f"erased-{user_id}@invalid",
        "Erased user",
        False,
        None,
    )
    assert user.identity_hash == app_context.identity.keyed_hash(person.id_number)


def test_provisioned_buyers_are_verified_at_once(client, login_as):
    made = client.post(
        "/api/v1/users/provision", headers=login_as("operator"), json={"role": "buyer", "count": 3}
    )
    token = {"Authorization": f"Bearer {made.json()[0]['token']}"}
    identity = client.get("/api/v1/me/identity", headers=token)
    assert identity.status_code == 200
    assert identity.json()["verification_method"] == "provisioned"
    assert identity.json()["id_number"].count("*") == 10
    assert client.get("/api/v1/me", headers=token).json()["identity_verified"] is True


def test_provisioned_hosts_get_no_identity(client, login_as, app_context):
    client.post(
        "/api/v1/users/provision", headers=login_as("operator"), json={"role": "host", "count": 2}
    )
    with app_context.db.reader() as s:
        assert s.scalars(select(Identity)).all() == []


@pytest.fixture
def client_with_verifier_down(settings):
    down = settings.model_copy(
        update={
            "identity_verifier_url": f"http://127.0.0.1:{free_port()}",
            "identity_verifier_key": SecretStr("k" * 20),
        }
    )
    ctx = build_context(down)
    with TestClient(create_app(down, context=ctx)) as test_client:
        yield test_client
    ctx.close()


def test_an_unreachable_verifier_is_a_503_with_the_error_shape(
    client_with_verifier_down, login_as, registered
):
    answer = client_with_verifier_down.post(
        "/api/v1/me/identity", headers=login_as("buyer"), json=_body(registered(11))
    )
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "verifier_unavailable"
    assert answer.json()["error"]["details"] == {"reason": "unreachable"}
