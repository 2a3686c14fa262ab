"""The sandboxes as their own server (the demo's layout, ADR 0014): they answer there, and
a Liveport that does not mount them sends /sandbox requests there."""

from __future__ import annotations

from fastapi.testclient import TestClient

from liveport.app import create_app, create_sandboxes_app
from liveport.core.secrets_file import init_secrets

ELSEWHERE = "http://127.0.0.1:9"


def test_the_sandbox_server_answers_for_every_party(settings):
    settings = init_secrets(settings.model_copy(update={"sandbox_base_url": ELSEWHERE}))

    with TestClient(create_sandboxes_app(settings)) as sandboxes:
        health = sandboxes.get("/healthz")
        keys = [sandboxes.get(f"/sandbox/{name}/v1/provider-key").json()["sign_type"] for name in ("ecny", "card")]

    assert health.status_code == 200
    assert keys == ["SM2", "SM2"]


def test_liveport_without_mounted_sandboxes_redirects_sandbox_requests_and_calls_them_there(settings, app_context):
    settings = settings.model_copy(update={"mount_sandboxes": False, "sandbox_base_url": ELSEWHERE})

    with TestClient(create_app(settings, context=app_context)) as client:
        get = client.get("/sandbox/ecny/cashier/abc?lang=en", follow_redirects=False)
        post = client.post("/sandbox/ecny/v1/sandbox/wallets", content=b"{}", follow_redirects=False)

    assert (get.status_code, get.headers["location"]) == (307, f"{ELSEWHERE}/sandbox/ecny/cashier/abc?lang=en")
    assert (post.status_code, post.headers["location"]) == (307, f"{ELSEWHERE}/sandbox/ecny/v1/sandbox/wallets")
    assert settings.sandbox_url("customs") == f"{ELSEWHERE}/sandbox/customs"


def test_a_mounting_liveport_has_no_redirect_and_serves_the_sandboxes_itself(client):
    answer = client.get("/sandbox/ecny/v1/provider-key", follow_redirects=False)

    assert answer.status_code == 200
    assert answer.json()["sign_type"] == "SM2"
