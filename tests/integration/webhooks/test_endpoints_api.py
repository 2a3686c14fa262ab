"""Registering webhook endpoints: only the exhibitor's own merchants and the operator; the
secret is answered once and kept only encrypted."""
from __future__ import annotations

from sqlalchemy import select

from liveport.webhooks.models import WebhookEndpoint
from tests.integration.catalog.catalog_support import expo

HOOK = {"url": "http://127.0.0.1:9/hook", "events": ["order.shipped", "order.paid"]}


def _path(exhibitor_id: int, rest: str = "") -> str:
    return f"/api/v1/exhibitors/{exhibitor_id}/webhooks{rest}"


def test_a_merchant_registers_and_sees_the_secret_once_encrypted_at_rest(client, database, login_as, app_context):
    place = expo(database)
    merchant = login_as("merchant", exhibitor_id=place.candy_maker)
    made = client.post(_path(place.candy_maker), headers=merchant, json=HOOK)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["events"] == ["order.paid", "order.shipped"]
    assert body["secret"].startswith("whsec_")
    listed = client.get(_path(place.candy_maker), headers=merchant)
    assert listed.status_code == 200
    assert [(e["id"], e["url"], "secret" in e) for e in listed.json()] == [(body["id"], HOOK["url"], False)]
    assert body["secret"] not in listed.text
    with database.reader() as session:
        stored = session.execute(select(WebhookEndpoint.secret_cipher)).scalar_one()
    assert body["secret"] not in stored
    assert app_context.identity.decrypt_text(stored) == body["secret"]


def test_another_exhibitors_merchant_is_refused_everywhere(client, database, login_as):
    place = expo(database)
    owner = login_as("merchant", exhibitor_id=place.candy_maker)
    stranger = login_as("merchant", exhibitor_id=place.cosmetics_house)
    endpoint_id = client.post(_path(place.candy_maker), headers=owner, json=HOOK).json()["id"]
    answers = [
        client.post(_path(place.candy_maker), headers=stranger, json=HOOK),
        client.get(_path(place.candy_maker), headers=stranger),
        client.get(_path(place.candy_maker, "/deliveries"), headers=stranger),
        client.delete(_path(place.candy_maker, f"/{endpoint_id}"), headers=stranger),
        client.post(_path(place.candy_maker, f"/{endpoint_id}/rotate-secret"), headers=stranger),
        client.post(_path(place.candy_maker, "/deliveries/1/retry"), headers=stranger),
    ]
    assert [(a.status_code, a.json()["error"]["code"]) for a in answers] == [(403, "not_your_exhibitor")] * 6
    # Nor can the stranger reach it through their own exhibitor's path.
    assert client.delete(_path(place.cosmetics_house, f"/{endpoint_id}"), headers=stranger).status_code == 404
    assert len(client.get(_path(place.candy_maker), headers=owner).json()) == 1


def test_the_operator_manages_any_exhibitors_endpoints(client, database, login_as):
    place = expo(database)
    operator = login_as("operator")
    made = client.post(_path(place.cosmetics_house), headers=operator, json=HOOK)
    assert made.status_code == 201
    assert [e["id"] for e in client.get(_path(place.cosmetics_house), headers=operator).json()] == [made.json()["id"]]


def test_rotating_gives_a_new_secret_and_removing_ends_the_endpoint(client, database, login_as, app_context):
    place = expo(database)
    merchant = login_as("merchant", exhibitor_id=place.candy_maker)
    made = client.post(_path(place.candy_maker), headers=merchant, json=HOOK).json()
    rotated = client.post(_path(place.candy_maker, f"/{made['id']}/rotate-secret"), headers=merchant)
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != made["secret"] and rotated.json()["secret_rotated_at"] is not None
    with database.reader() as session:
        stored = session.execute(select(WebhookEndpoint.secret_cipher)).scalar_one()
    assert app_context.identity.decrypt_text(stored) == rotated.json()["secret"]
    assert client.delete(_path(place.candy_maker, f"/{made['id']}"), headers=merchant).status_code == 204
    assert client.get(_path(place.candy_maker), headers=merchant).json() == []
    again = client.delete(_path(place.candy_maker, f"/{made['id']}"), headers=merchant)
    assert (again.status_code, again.json()["error"]["code"]) == (404, "webhook_not_found")


def test_bad_urls_and_events_are_refused_with_their_reason(client, database, login_as):
    place = expo(database)
    merchant = login_as("merchant", exhibitor_id=place.candy_maker)
    answers = [
        client.post(_path(place.candy_maker), headers=merchant, json={**HOOK, "url": "http://10.0.0.8/hook"}),
        client.post(_path(place.candy_maker), headers=merchant, json={**HOOK, "url": "file:///etc/passwd"}),
        client.post(_path(place.candy_maker), headers=merchant, json={**HOOK, "events": ["order.cancelled"]}),
    ]
    assert [(a.status_code, a.json()["error"]["code"]) for a in answers] == [
        (422, "invalid_webhook_url"), (422, "invalid_webhook_url"), (422, "invalid_webhook_events")]
    assert client.get(_path(place.candy_maker), headers=merchant).json() == []


def test_an_unknown_exhibitor_is_not_found(client, database, login_as):
    operator = login_as("operator")
    answer = client.post(_path(424242), headers=operator, json=HOOK)
    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "exhibitor_not_found")
