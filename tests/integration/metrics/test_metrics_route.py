"""``GET /metrics`` through HTTP: the route templates of the latency histograms, claims by
outcome, and orders by status as the database holds them."""
from __future__ import annotations

import re

from sqlalchemy import update

from liveport.metrics.instruments import CLAIMS, LATENCY, WEBSOCKETS_OPENED
from liveport.orders.models import Order
from tests.integration.flashsale.drops_support import claim, drop_body, verified_buyer, world
from tests.integration.orders.orders_support import basket, customer, place, shop


def samples(text: str, name: str) -> dict[str, float]:
    """{labels: value} of one sample name in an exposition."""
    found = {}
    for line in text.splitlines():
        match = re.fullmatch(rf"{re.escape(name)}(\{{.*\}})? (\S+)", line)
        if match:
            found[match.group(1) or ""] = float(match.group(2))
    return found


def test_only_an_operator_scrapes_metrics(client, login_as):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=login_as("buyer")).status_code == 403
    answer = client.get("/metrics", headers=login_as("operator"))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    for family in ("liveport_claims_total counter", "liveport_http_request_duration_seconds histogram",
                   "liveport_orders gauge", "liveport_payments gauge", "liveport_declarations gauge",
                   "liveport_websocket_connections gauge"):
        assert f"# TYPE {family}" in answer.text


def test_latency_is_recorded_by_route_template_not_raw_path(client, login_as):
    operator = login_as("operator")
    before = LATENCY.count("GET", "/api/v1/orders/{order_no}")
    # when two unknown orders are asked for
    for order_no in ("LP-NOPE-1", "LP-NOPE-2"):
        assert client.get(f"/api/v1/orders/{order_no}", headers=operator).status_code == 404
    # then both land in the template's series, and no raw path becomes a label
    assert LATENCY.count("GET", "/api/v1/orders/{order_no}") == before + 2
    text = client.get("/metrics", headers=operator).text
    assert "LP-NOPE" not in text
    counts = samples(text, "liveport_http_request_duration_seconds_count")
    assert counts['{method="GET",route="/api/v1/orders/{order_no}"}'] >= 2
    assert samples(text, "liveport_http_requests_total")[
        '{method="GET",route="/api/v1/orders/{order_no}",status="404"}'] >= 2


def test_claims_are_counted_by_outcome(client, database, login_as):
    w = world(database, login_as)
    drop_id = client.post("/api/v1/drops", headers=w.host, json=drop_body(w, quantity=1)).json()["id"]
    reserved, sold_out, not_open = (CLAIMS.value(o) for o in ("reserved", "sold_out", "not_open"))
    assert claim(client, verified_buyer(database, login_as), drop_id).status_code == 409  # not open yet
    client.post(f"/api/v1/drops/{drop_id}/open", headers=w.host, json={})
    assert claim(client, verified_buyer(database, login_as), drop_id).status_code == 201
    assert claim(client, verified_buyer(database, login_as), drop_id).status_code == 409  # sold out
    assert (CLAIMS.value("reserved"), CLAIMS.value("sold_out"), CLAIMS.value("not_open")) == (
        reserved + 1, sold_out + 1, not_open + 1)
    text = client.get("/metrics", headers=login_as("operator")).text
    assert samples(text, "liveport_claims_total")['{outcome="reserved"}'] == reserved + 1


def test_orders_by_status_come_from_the_database(client, database, login_as):
    s = shop(database)
    who = customer(client, database, login_as)
    numbers = [place(client, who, basket((s.candy, 1))).json()["order_no"] for _ in range(3)]
    with database.transaction() as session:  # as if the payment of one had landed
        session.execute(update(Order).where(Order.order_no == numbers[0]).values(status="paid"))
    text = client.get("/metrics", headers=login_as("operator")).text
    assert samples(text, "liveport_orders") == {'{status="paid"}': 1.0, '{status="pending_payment"}': 2.0}


def test_room_sockets_are_counted_while_open_and_by_route_template(client, database, login_as):
    w = world(database, login_as)
    operator = login_as("operator")
    before = WEBSOCKETS_OPENED.value("/ws/shows/{show_id}")
    with client.websocket_connect(f"/ws/shows/{w.show_id}") as socket:
        assert socket.receive_json()["type"] == "snapshot"
        open_now = samples(client.get("/metrics", headers=operator).text, "liveport_websocket_connections")
    after = samples(client.get("/metrics", headers=operator).text, "liveport_websocket_connections")
    assert (open_now, after) == ({"": 1.0}, {"": 0.0})
    assert WEBSOCKETS_OPENED.value("/ws/shows/{show_id}") == before + 1
