"""From an order event to a signed POST: one delivery per subscribed endpoint, retried until
the receiver answers 2xx, failed after the last attempt and retried on request."""
from __future__ import annotations

import json
import time

from sqlalchemy import select

from liveport.core.outbox.dispatch import OutboxDispatcher
from liveport.webhooks.models import WebhookDelivery
from tests.integration.webhooks.webhooks_support import Receiver, pay, placed_candy_order
from tests.support.live_server import served


def _register(client, headers, exhibitor_id: int, url: str, events: list[str]) -> dict:
    made = client.post(f"/api/v1/exhibitors/{exhibitor_id}/webhooks", headers=headers,
                       json={"url": url, "events": events})
    assert made.status_code == 201, made.text
    return made.json()


def _deliveries(database) -> list[WebhookDelivery]:
    with database.reader() as session:
        rows = list(session.execute(select(WebhookDelivery).order_by(WebhookDelivery.id)).scalars())
        session.expunge_all()
        return rows


def _wait_for(database, status: str, timeout_s: float = 20) -> WebhookDelivery:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        rows = _deliveries(database)
        if rows and rows[0].status == status:
            return rows[0]
        time.sleep(0.05)
    raise AssertionError(f"no delivery became {status}: {[(r.status, r.attempts) for r in _deliveries(database)]}")


def _route_events(app_context) -> None:
    OutboxDispatcher(app_context.db, app_context.outbox).run_once()


def test_an_order_event_makes_one_delivery_per_subscribed_endpoint(client, database, login_as, app_context,
                                                                   settings):
    order_id, order_no, exhibitor_id = placed_candy_order(client, database, login_as)
    merchant = login_as("merchant", exhibitor_id=exhibitor_id)
    paid_hook = _register(client, merchant, exhibitor_id, "http://127.0.0.1:9/paid", ["order.paid"])
    _register(client, merchant, exhibitor_id, "http://127.0.0.1:9/shipped", ["order.shipped"])
    pay(database, settings, order_id)
    _route_events(app_context)
    rows = _deliveries(database)
    assert [(r.endpoint_id, r.event_type, r.order_no, r.exhibitor_id) for r in rows] == [
        (paid_hook["id"], "order.paid", order_no, exhibitor_id)]
    body = json.loads(rows[0].body)
    assert (body["id"], body["type"]) == (str(rows[0].id), "order.paid")
    assert {k: body["data"][k] for k in ("order_no", "status", "exhibitor_id", "reason", "currency")} == {
        "order_no": order_no, "status": "paid", "exhibitor_id": exhibitor_id, "reason": "test payment",
        "currency": "CNY"}
    assert set(body["data"]) >= {"goods_value", "freight", "tax_total", "actural_paid"}


def test_a_receiver_that_fails_twice_gets_the_same_signed_delivery_a_third_time(client, database, login_as,
                                                                                app_context, settings):
    order_id, order_no, exhibitor_id = placed_candy_order(client, database, login_as)
    merchant = login_as("merchant", exhibitor_id=exhibitor_id)
    receiver = Receiver(script=[500, 503])
    with served(receiver.app()) as base:
        receiver.secret = _register(client, merchant, exhibitor_id, f"{base}/hook", ["order.paid"])["secret"]
        pay(database, settings, order_id)
        _route_events(app_context)
        done = _wait_for(database, "succeeded")
    assert (done.attempts, done.last_status_code, done.last_error) == (3, 200, None)
    assert [(delivery_id, verified) for delivery_id, verified, _ in receiver.calls] == [(str(done.id), True)] * 3
    assert len({body for _, _, body in receiver.calls}) == 1  # every retry sends the very same body
    assert json.loads(receiver.calls[0][2])["data"]["order_no"] == order_no


def test_a_receiver_with_an_old_secret_cannot_verify_after_rotation(client, database, login_as, app_context,
                                                                    settings):
    order_id, _, exhibitor_id = placed_candy_order(client, database, login_as)
    merchant = login_as("merchant", exhibitor_id=exhibitor_id)
    receiver = Receiver()
    with served(receiver.app()) as base:
        made = _register(client, merchant, exhibitor_id, f"{base}/hook", ["order.paid"])
        receiver.secret = made["secret"]
        client.post(f"/api/v1/exhibitors/{exhibitor_id}/webhooks/{made['id']}/rotate-secret", headers=merchant)
        pay(database, settings, order_id)
        _route_events(app_context)
        _wait_for(database, "succeeded")
    assert [verified for _, verified, _ in receiver.calls] == [False]


def test_a_permanently_failing_endpoint_ends_failed_is_listed_and_can_be_retried(client, database, login_as,
                                                                                 app_context, settings):
    order_id, _, exhibitor_id = placed_candy_order(client, database, login_as)
    merchant = login_as("merchant", exhibitor_id=exhibitor_id)
    receiver = Receiver(then=500)
    path = f"/api/v1/exhibitors/{exhibitor_id}/webhooks"
    with served(receiver.app()) as base:
        receiver.secret = _register(client, merchant, exhibitor_id, f"{base}/hook", ["order.paid"])["secret"]
        pay(database, settings, order_id)
        _route_events(app_context)
        failed = _wait_for(database, "failed")
        assert (failed.attempts, failed.last_status_code) == (settings.webhooks_max_attempts, 500)
        assert len(receiver.calls) == settings.webhooks_max_attempts
        listed = client.get(f"{path}/deliveries", params={"status": "failed"}, headers=merchant).json()
        assert [(d["id"], d["status"], d["attempts"]) for d in listed] == [(failed.id, "failed", 4)]
        assert client.get(f"{path}/deliveries", params={"status": "succeeded"}, headers=merchant).json() == []
        receiver.then = 200
        retried = client.post(f"{path}/deliveries/{failed.id}/retry", headers=merchant)
        assert retried.status_code == 200, retried.text
        assert (retried.json()["status"], retried.json()["attempts"]) == ("pending", 0)
        done = _wait_for(database, "succeeded")
    assert (done.id, done.attempts, receiver.calls[-1][1]) == (failed.id, 1, True)
    again = client.post(f"{path}/deliveries/{failed.id}/retry", headers=merchant)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "webhook_delivery_not_failed")


def test_a_removed_endpoint_gets_nothing_more(client, database, login_as, app_context, settings):
    order_id, _, exhibitor_id = placed_candy_order(client, database, login_as)
    merchant = login_as("merchant", exhibitor_id=exhibitor_id)
    made = _register(client, merchant, exhibitor_id, "http://127.0.0.1:9/hook", ["order.paid"])
    client.delete(f"/api/v1/exhibitors/{exhibitor_id}/webhooks/{made['id']}", headers=merchant)
    pay(database, settings, order_id)
    _route_events(app_context)
    assert _deliveries(database) == []
