"""Drops and claims through HTTP, on both gates and both databases."""
from __future__ import annotations

from datetime import timedelta

from liveport.core.clock import utcnow
from liveport.flashsale import services
from liveport.flashsale.lifecycle import GATE_KEY
from tests.integration.flashsale.drops_support import (
    START,
    audit_actions,
    claim,
    drop_body,
    stock_levels,
    verified_buyer,
    world,
)


def test_a_host_creates_a_drop_carving_its_units_out_of_the_warehouse(flash_client, database, login_as):
    w = world(database, login_as, on_hand=100)
    # when the show's host creates a drop of 40 units
    answer = flash_client.post("/api/v1/drops", headers=w.host, json=drop_body(w, closes_at=None))
    # then it is scheduled, holds 40 units of the warehouse, and the gate has it
    assert answer.status_code == 201, answer.text
    drop = answer.json()
    assert {k: drop[k] for k in ("show_id", "quantity", "price", "currency", "per_buyer_limit", "status",
                                 "hold_minutes", "on_sale", "reserved", "sold", "returned_qty")} == {
        "show_id": w.show_id, "quantity": 40, "price": "59.90", "currency": "CNY", "per_buyer_limit": 2,
        "status": "scheduled", "hold_minutes": 10.0, "on_sale": 40, "reserved": 0, "sold": 0,
        "returned_qty": 0}
    assert stock_levels(database, w) == (100, 40)
    assert audit_actions(database) == [("drop.create", str(drop["id"]))]
    # and anyone can read it, also in the show's list
    assert flash_client.get(f"/api/v1/drops/{drop['id']}").json()["on_sale"] == 40
    assert [d["id"] for d in flash_client.get(f"/api/v1/shows/{w.show_id}/drops").json()] == [drop["id"]]


def test_a_drop_needs_stock_a_host_of_the_show_and_sane_values(flash_client, database, login_as):
    w = world(database, login_as, on_hand=10)
    too_many = flash_client.post("/api/v1/drops", headers=w.host, json=drop_body(w, quantity=11))
    assert (too_many.status_code, too_many.json()["error"]["code"]) == (409, "insufficient_stock")
    other_host = login_as("host")
    stranger = flash_client.post("/api/v1/drops", headers=other_host, json=drop_body(w))
    assert (stranger.status_code, stranger.json()["error"]["code"]) == (403, "not_a_host_of_this_show")
    for bad in ({"price": "0"}, {"price": "1.234"}, {"per_buyer_limit": 0}, {"quantity": 0},
                {"closes_at": (START - timedelta(minutes=1)).isoformat()}):
        refused = flash_client.post("/api/v1/drops", headers=w.host, json=drop_body(w, **bad))
        assert refused.status_code == 422, (bad, refused.text)
    assert stock_levels(database, w) == (10, 0)
    assert flash_client.post("/api/v1/drops", headers=login_as("buyer"), json=drop_body(w)).status_code == 403


def test_buyers_claim_after_the_host_opens_and_the_same_key_gets_the_same_answer(
        flash_client, database, login_as, room):
    w = world(database, login_as)
    drop_id = flash_client.post("/api/v1/drops", headers=w.host, json=drop_body(w, quantity=3)).json()["id"]
    buyer = verified_buyer(database, login_as)
    # before opening: not open
    early = claim(flash_client, buyer, drop_id, key="early")
    assert (early.status_code, early.json()["error"]["code"]) == (409, "not_open")
    # when the host opens it and the buyer claims two units
    opened = flash_client.post(f"/api/v1/drops/{drop_id}/open", headers=w.host, json={})
    assert opened.json()["status"] == "open"
    got = claim(flash_client, buyer, drop_id, qty=2, key="k-1")
    # then a reservation comes back, with its expiry
    assert got.status_code == 201, got.text
    body = got.json()
    reservation = body["reservation"]
    assert (body["outcome"], body["on_sale"], reservation["qty"], reservation["status"]) == ("reserved", 1, 2, "reserved")
    assert reservation["expires_at"].endswith("Z")
    # and a retry with the same key gets the very same answer, marked as a replay
    again = claim(flash_client, buyer, drop_id, qty=2, key="k-1")
    assert (again.status_code, again.json()["reservation"]) == (201, reservation)
    assert again.headers["Idempotent-Replayed"] == "true"
    # and the last unit goes to another buyer, after which it is sold out
    assert claim(flash_client, verified_buyer(database, login_as), drop_id).status_code == 201
    late = claim(flash_client, verified_buyer(database, login_as), drop_id)
    assert (late.status_code, late.json()["error"]) == (
        409, {"code": "sold_out", "message": "Sold out.", "details": {"on_sale": 0}})
    # and the room heard of the opening, the stock and the sell-out at once
    assert (drop_id, "drop.sold_out", {"drop_id": drop_id}) in room.events
    assert [(d, kind, data["on_sale"]) for d, kind, data in room.events[:2]] == [
        (drop_id, "drop.opened", 3), (drop_id, "drop.stock", 1)]
    assert room.events[1] == (drop_id, "drop.stock", {"drop_id": drop_id, "on_sale": 1})
    assert audit_actions(database) == [("drop.create", str(drop_id)), ("drop.open", str(drop_id))]


def test_the_limit_counts_the_person_across_accounts(flash_client, database, login_as):
    w = world(database, login_as)
    drop_id = flash_client.post("/api/v1/drops", headers=w.host, json=drop_body(w, per_buyer_limit=2)).json()["id"]
    flash_client.post(f"/api/v1/drops/{drop_id}/open", headers=w.host, json={})
    accounts = [verified_buyer(database, login_as, identity="a" * 64) for _ in range(3)]
    answers = [claim(flash_client, account, drop_id) for account in accounts]
    assert [a.status_code for a in answers] == [201, 201, 409]
    assert answers[2].json()["error"]["code"] == "limit_reached"


def test_claims_are_refused_clearly(flash_client, database, login_as):
    w = world(database, login_as)
    drop_id = flash_client.post("/api/v1/drops", headers=w.host, json=drop_body(w)).json()["id"]
    flash_client.post(f"/api/v1/drops/{drop_id}/open", headers=w.host, json={})
    buyer = verified_buyer(database, login_as)
    url = f"/api/v1/drops/{drop_id}/claims"

    def code(answer):
        return answer.status_code, answer.json()["error"]["code"]

    assert code(flash_client.post(url, headers=buyer, json={"qty": 1})) == (422, "idempotency_key_required")
    keyed = {**buyer, "Idempotency-Key": "k"}
    for bad in ({}, {"qty": 0}, {"qty": "1"}, {"qty": 1, "more": 1}, [1]):
        assert code(flash_client.post(url, headers=keyed, json=bad)) == (422, "validation_error"), bad
    assert code(flash_client.post(url, headers=keyed, content=b"{")) == (422, "validation_error")
    assert code(flash_client.post(url, headers={**keyed, "Idempotency-Key": "a b"}, json={"qty": 1})) == (
        422, "invalid_idempotency_key")
    assert code(claim(flash_client, login_as("buyer"), drop_id)) == (403, "identity_required")
    assert code(claim(flash_client, login_as("host"), drop_id)) == (403, "forbidden")
    assert code(flash_client.post(url, json={"qty": 1}, headers={"Idempotency-Key": "k"})) == (401, "unauthenticated")
    assert code(claim(flash_client, buyer, 999_999)) == (404, "drop_not_found")
    assert code(claim(flash_client, buyer, "abc")) == (404, "drop_not_found")


def test_per_account_claim_rate_limit_answers_429(flash_client, database, login_as, app_context):
    app_context.settings = app_context.settings.model_copy(update={"claim_rate_limit_per_account": 2})
    w = world(database, login_as)
    drop_id = flash_client.post("/api/v1/drops", headers=w.host, json=drop_body(w)).json()["id"]
    buyer = verified_buyer(database, login_as)
    answers = [claim(flash_client, buyer, drop_id) for _ in range(3)]
    assert [a.status_code for a in answers] == [409, 409, 429]
    assert answers[2].json()["error"]["code"] == "rate_limited"
    assert 1 <= int(answers[2].headers["Retry-After"]) <= 10


def test_closing_stops_sales_and_gives_unsold_units_back(flash_client, database, login_as, room):
    w = world(database, login_as, on_hand=100)
    drop_id = flash_client.post("/api/v1/drops", headers=w.host, json=drop_body(w, quantity=40)).json()["id"]
    flash_client.post(f"/api/v1/drops/{drop_id}/open", headers=w.host, json={})
    buyer = verified_buyer(database, login_as)
    held = claim(flash_client, buyer, drop_id, qty=2).json()["reservation"]
    # when the host closes the drop
    closed = flash_client.post(f"/api/v1/drops/{drop_id}/close", headers=w.host)
    # then claims are refused and the 38 unsold units are back in the warehouse
    assert (closed.json()["status"], closed.json()["returned_qty"]) == ("closed", 38)
    assert stock_levels(database, w) == (100, 2)
    refused = claim(flash_client, verified_buyer(database, login_as), drop_id)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "closed")
    assert flash_client.post(f"/api/v1/drops/{drop_id}/open", headers=w.host, json={}).status_code == 409
    # and when the open reservation lapses unpaid, its units go back too
    gate = flash_client.app.state.ctx.extras[GATE_KEY]
    later = utcnow() + timedelta(minutes=11)
    expired = flash_client.portal.call(services.expire_reservations, database, gate, later)
    assert [r.id for r in expired] == [held["id"]]
    assert stock_levels(database, w) == (100, 0)
    assert flash_client.get(f"/api/v1/drops/{drop_id}").json()["returned_qty"] == 40
    # and closing again changes nothing
    assert flash_client.post(f"/api/v1/drops/{drop_id}/close", headers=w.host).json()["returned_qty"] == 40
    assert stock_levels(database, w) == (100, 0)
    assert audit_actions(database)[-1] == ("drop.close", str(drop_id))


def test_a_countdown_keeps_the_drop_shut_until_it_ends(flash_client, database, login_as):
    w = world(database, login_as)
    drop_id = flash_client.post("/api/v1/drops", headers=w.host, json=drop_body(w)).json()["id"]
    opened = flash_client.post(f"/api/v1/drops/{drop_id}/open", headers=w.host, json={"countdown_s": 600})
    assert opened.json()["status"] == "countdown"
    refused = claim(flash_client, verified_buyer(database, login_as), drop_id)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "not_open")
    other = login_as("host")
    stranger = flash_client.post(f"/api/v1/drops/{drop_id}/close", headers=other)
    assert (stranger.status_code, stranger.json()["error"]["code"]) == (403, "not_a_host_of_this_show")
