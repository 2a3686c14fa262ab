"""Wired into the application: with the outbox dispatcher running, paying an order reaches
the exhibitor's receiver without any manual step (start-up hooks register the handler
before the dispatcher routes)."""
from __future__ import annotations

import json
import time

from fastapi.testclient import TestClient

from liveport.app import create_app
from liveport.context import build_context
from tests.integration.webhooks.webhooks_support import Receiver, pay, placed_candy_order
from tests.support.live_server import served


def test_a_paid_order_reaches_the_receiver_through_the_running_dispatcher(database, settings, login_as):
    live = settings.model_copy(update={"outbox_dispatcher": True, "outbox_poll_s": 0.05})
    ctx = build_context(live)
    receiver = Receiver()
    try:
        with TestClient(create_app(live, context=ctx)) as client, served(receiver.app()) as base:
            order_id, order_no, exhibitor_id = placed_candy_order(client, database, login_as)
            merchant = login_as("merchant", exhibitor_id=exhibitor_id)
            made = client.post(f"/api/v1/exhibitors/{exhibitor_id}/webhooks", headers=merchant,
                               json={"url": f"{base}/hook", "events": ["order.paid"]})
            receiver.secret = made.json()["secret"]
            pay(database, live, order_id)
            deadline = time.monotonic() + 20
            while not receiver.calls and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        ctx.close()
    assert [(verified, json.loads(body)["type"], json.loads(body)["data"]["order_no"])
            for _, verified, body in receiver.calls] == [(True, "order.paid", order_no)]
