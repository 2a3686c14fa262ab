from __future__ import annotations


def test_register_then_me_returns_the_new_buyer(client):
    # given a new buyer
    created = client.post(
        "/api/v1/auth/register",
        json={"email": "Li.Wei@Example.cn", "password": "pine-nuts-2026", "display_name": "Li Wei"},
    )
    # when they ask who they are with the token they got
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {created.json()['token']}"})
    # then
    assert created.status_code == 201
    assert me.status_code == 200
    assert me.json()["email"] == "li.wei@example.cn"
    assert me.json()["role"] == "buyer"
    assert me.json()["identity_verified"] is False


def test_login_with_wrong_password_is_refused_with_stable_code(client):
    client.post("/api/v1/auth/register",
                json={"email": "a@example.cn", "password": "correct-horse-1", "display_name": "A"})
    answer = client.post("/api/v1/auth/login", json={"email": "a@example.cn", "password": "wrong-horse-11"})
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "invalid_credentials"


def test_duplicate_email_is_a_conflict(client):
    body = {"email": "dup@example.cn", "password": "0123456789a", "display_name": "D"}
    assert client.post("/api/v1/auth/register", json=body).status_code == 201
    again = client.post("/api/v1/auth/register", json=body)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "email_taken"


def test_logout_revokes_the_token(client):
    token = client.post(
        "/api/v1/auth/register",
        json={"email": "out@example.cn", "password": "0123456789a", "display_name": "O"},
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    after = client.get("/api/v1/me", headers=headers)
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "invalid_token"


def test_operator_provisions_buyers_with_working_tokens(client, login_as):
    operator = login_as("operator")
    made = client.post("/api/v1/users/provision", headers=operator, json={"role": "buyer", "count": 25})
    assert made.status_code == 201
    assert len(made.json()) == 25
    last = made.json()[-1]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {last['token']}"})
    assert me.json()["id"] == last["user_id"]
    audit = client.get("/api/v1/audit", headers=operator).json()
    assert [e["action"] for e in audit] == ["user.provision"]
    assert audit[0]["details"] == {"role": "buyer", "count": 25}


def test_buyer_may_not_provision(client, login_as):
    answer = client.post("/api/v1/users/provision", headers=login_as("buyer"), json={"count": 1})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"
