from __future__ import annotations

from dataclasses import replace

from fastapi.testclient import TestClient

from liveport.app import create_app
from tests.integration.web.web_support import PASSWORD, account

EVIL = {"Origin": "https://evil.example"}


def _sign_in(client, email="li.wei@example.cn", password=PASSWORD, next_="/", **kwargs):
    return client.post("/signin", data={"email": email, "password": password, "next": next_},
                       follow_redirects=False, **kwargs)


def test_sign_in_form_has_labelled_fields(client):
    html = client.get("/signin?lang=en").text
    assert '<label for="email">E-mail</label>' in html
    assert '<label for="password">Password</label>' in html
    assert '<input type="hidden" name="next" value="/">' in html


def test_sign_in_sets_the_session_cookie_and_the_api_then_works(client, app_context):
    # given a buyer with a password
    account(app_context.db, "li.wei@example.cn", display_name="Li Wei")
    # when they sign in through the form
    answer = _sign_in(client, email="Li.Wei@Example.cn", next_="/signin?x=1")
    # then they are sent on with an HttpOnly, SameSite=Lax session cookie (not Secure on http)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?x=1"
    session_cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("lp_session="))
    token = client.cookies.get("lp_session")
    assert session_cookie == f"lp_session={token}; HttpOnly; Max-Age=1209600; Path=/; SameSite=lax"
    # and the cookie alone authenticates the API and the pages
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["email"] == "li.wei@example.cn"
    assert "已登录：Li Wei" in client.get("/").text


def test_session_cookie_is_secure_behind_https(settings, app_context):
    account(app_context.db, "li.wei@example.cn")
    public = settings.model_copy(update={"public_url": "https://live.example.cn"})
    context = replace(app_context, settings=public)
    with TestClient(create_app(public, context=context)) as client:
        answer = _sign_in(client)
    cookies = answer.headers.get_list("set-cookie")
    assert answer.status_code == 303
    assert [c.split("=")[0] for c in cookies] == ["lp_session", "lang"]
    assert all("; Secure" in c and "SameSite=lax" in c for c in cookies)


def test_wrong_password_shows_the_form_again_without_a_cookie(client, app_context):
    account(app_context.db, "li.wei@example.cn")
    answer = _sign_in(client, password="wrong-password-1", headers={"Accept-Language": "en"})
    assert answer.status_code == 401
    assert '<p class="error" role="alert" id="signin-error">Wrong e-mail or password.</p>' in answer.text
    assert 'value="li.wei@example.cn"' in answer.text
    assert "set-cookie" not in answer.headers


def test_empty_form_asks_for_both_fields(client):
    answer = client.post("/signin", data={}, headers={"Accept-Language": "zh-CN"})
    assert answer.status_code == 422
    assert "请输入邮箱和密码。" in answer.text


def test_redirect_after_sign_in_stays_on_this_site(client, app_context):
    account(app_context.db, "li.wei@example.cn")
    answer = _sign_in(client, next_="//evil.example/steal")
    assert answer.headers["location"] == "/"


def test_account_locale_applies_on_a_device_without_a_language_choice(client, app_context):
    # given an English-speaking buyer who never switched language on this device
    account(app_context.db, "li.wei@example.cn", locale="en")
    # when they sign in
    _sign_in(client)
    # then the pages speak English
    assert client.cookies.get("lang") == "en"
    assert "Signed in as Li Wei" in client.get("/").text


def test_language_chosen_on_the_device_beats_the_account_locale(client, app_context):
    account(app_context.db, "li.wei@example.cn", locale="en")
    client.get("/?lang=zh")
    answer = _sign_in(client)
    assert [c.split("=")[0] for c in answer.headers.get_list("set-cookie")] == ["lp_session"]
    assert "已登录：Li Wei" in client.get("/").text


def test_cross_site_post_with_the_session_cookie_is_refused(client, app_context):
    # given a signed-in buyer
    account(app_context.db, "li.wei@example.cn")
    _sign_in(client)
    # when another site makes their browser post with the cookie
    sign_out = client.post("/signout", headers=EVIL, follow_redirects=False)
    logout = client.post("/api/v1/auth/logout", headers=EVIL)
    # then both are refused and the session still works
    assert sign_out.status_code == 403
    assert sign_out.json()["error"]["code"] == "cross_site"
    assert logout.status_code == 403
    assert logout.json()["error"]["code"] == "cross_site"
    assert client.get("/api/v1/me").status_code == 200


def test_cross_site_sign_in_is_refused_even_without_a_cookie(client, app_context):
    account(app_context.db, "li.wei@example.cn")
    answer = _sign_in(client, headers=EVIL)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "cross_site"
    assert client.cookies.get("lp_session") is None


def test_same_origin_sign_out_ends_the_session(client, app_context):
    account(app_context.db, "li.wei@example.cn")
    _sign_in(client)
    token = client.cookies.get("lp_session")
    answer = client.post("/signout", headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"
    assert client.cookies.get("lp_session") is None
    # the old cookie no longer works even if a copy was kept
    client.cookies.set("lp_session", token)
    assert client.get("/api/v1/me").status_code == 401


def test_sign_out_when_signed_out_just_goes_home(client):
    answer = client.post("/signout", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"
