from __future__ import annotations

import pytest

from liveport.app import create_app
from liveport.context import build_context


def test_healthz_answers_ok(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


def test_openapi_and_docs_are_served(client):
    spec = client.get("/openapi.json")
    assert spec.status_code == 200
    assert spec.json()["info"]["title"] == "Liveport"
    assert "/api/v1/auth/login" in spec.json()["paths"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def test_unknown_route_has_the_error_shape(client):
    answer = client.get("/api/v1/no-such-thing")
    assert answer.status_code == 404
    assert answer.json() == {"error": {"code": "not_found", "message": "Not Found", "details": {}}}


def test_wrong_method_has_the_error_shape(client):
    answer = client.delete("/api/v1/auth/login")
    assert answer.status_code == 405
    assert answer.json()["error"]["code"] == "method_not_allowed"


def test_malformed_json_is_a_validation_error(client):
    answer = client.post("/api/v1/auth/login", content=b'{"email": ', headers={"content-type": "application/json"})
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "validation_error"


def test_missing_field_names_the_field(client):
    answer = client.post("/api/v1/auth/login", json={"email": "a@b.cn"})
    assert answer.status_code == 422
    assert answer.json()["error"]["details"]["errors"][0]["loc"] == ["body", "password"]


@pytest.fixture
def strict_client(settings):
    from fastapi.testclient import TestClient

    tight = settings.model_copy(update={"rate_limit_per_ip": 3, "rate_limit_window_s": 60})
    ctx = build_context(tight)
    with TestClient(create_app(tight, context=ctx)) as test_client:
        yield test_client
    ctx.close()


def test_per_ip_limit_answers_429_with_retry_after(strict_client):
    body = {"email": "nobody@example.cn", "password": "whatever-123"}
    statuses = [strict_client.post("/api/v1/auth/login", json=body).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    limited = strict_client.post("/api/v1/auth/login", json=body)
    assert limited.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 61


def test_limiter_outage_lets_requests_through(settings):
    import redis
    from fastapi.testclient import TestClient

    from liveport.core.ratelimit import RedisRateLimiter

    ctx = build_context(settings)
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, socket_timeout=0.2)
    ctx.rate_limiter = RedisRateLimiter(dead)
    with TestClient(create_app(settings, context=ctx)) as test_client:
        answer = test_client.post("/api/v1/auth/login", json={"email": "x@example.cn", "password": "whatever-123"})
    ctx.close()
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "invalid_credentials"
