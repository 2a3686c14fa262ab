from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from liveport.core.outbox.models import OutboxEvent
from liveport.shows.services import list_shows
from tests.integration.catalog.catalog_support import CANDY, SERUM, expo, product

START = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)


def user_id(headers: dict[str, str]) -> int:
    return int(headers["X-User-Id"])


def name_of(client, headers: dict[str, str]) -> str:
    return client.get("/api/v1/me", headers=headers).json()["display_name"]


def new_show(client, operator, host, *, title_en="Silk Road Night", starts_in=timedelta(0)) -> dict:
    start = START + starts_in
    answer = client.post(
        "/api/v1/shows",
        headers=operator,
        json={
            "title": "丝路之夜",
            "title_en": title_en,
            "description": "大使连线",
            "scheduled_start": start.isoformat(),
            "scheduled_end": (start + timedelta(hours=2)).isoformat(),
            "main_host": {"user_id": user_id(host), "role_label": "主播", "role_label_en": "Host"},
        },
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_an_operator_schedules_a_show_with_its_main_host(client, login_as):
    operator, host = login_as("operator"), login_as("host")
    made = new_show(client, operator, host)
    got = client.get(f"/api/v1/shows/{made['id']}").json()
    assert (got["status"], got["title"], got["title_en"], got["description"]) == (
        "scheduled",
        "丝路之夜",
        "Silk Road Night",
        "大使连线",
    )
    assert (got["scheduled_start"], got["started_at"], got["ended_at"]) == (
        "2026-11-05T12:00:00Z",
        None,
        None,
    )
    assert got["hosts"] == [
        {
            "user_id": user_id(host),
            "display_name": name_of(client, host),
            "role_label": "主播",
            "role_label_en": "Host",
            "is_main": True,
            "country_code": None,
        }
    ]
    assert (got["lineup"], got["product_count"]) == ([], 0)


def test_a_show_needs_a_host_account_and_a_sane_schedule(client, login_as):
    operator, buyer = login_as("operator"), login_as("buyer")
    bad_host = client.post(
        "/api/v1/shows",
        headers=operator,
        json={
            "title": "x",
            "title_en": "x",
            "scheduled_start": "2026-11-05T12:00:00Z",
            "scheduled_end": "2026-11-05T13:00:00Z",
            "main_host": {"user_id": user_id(buyer), "role_label": "主播", "role_label_en": "Host"},
        },
    )
    backwards = client.post(
        "/api/v1/shows",
        headers=operator,
        json={
            "title": "x",
            "title_en": "x",
            "scheduled_start": "2026-11-05T12:00:00Z",
            "scheduled_end": "2026-11-05T11:00:00Z",
            "main_host": {
                "user_id": user_id(operator),
                "role_label": "主播",
                "role_label_en": "Host",
            },
        },
    )
    naive = client.post(
        "/api/v1/shows",
        headers=operator,
        json={
            "title": "x",
            "title_en": "x",
            "scheduled_start": "2026-11-05T12:00:00",
            "scheduled_end": "2026-11-05T13:00:00Z",
            "main_host": {
                "user_id": user_id(operator),
                "role_label": "主播",
                "role_label_en": "Host",
            },
        },
    )
    assert (bad_host.status_code, bad_host.json()["error"]["code"]) == (422, "not_a_host_account")
    assert (backwards.status_code, backwards.json()["error"]["code"]) == (422, "invalid_schedule")
    assert (naive.status_code, naive.json()["error"]["code"]) == (422, "validation_error")


def test_the_main_host_adds_an_ambassador_as_co_host(client, login_as):
    operator, host, ambassador, stranger = (
        login_as("operator"),
        login_as("host"),
        login_as("host"),
        login_as("host"),
    )
    show = new_show(client, operator, host)
    co_host = {
        "user_id": user_id(ambassador),
        "role_label": "阿富汗驻华大使",
        "role_label_en": "Ambassador of Afghanistan",
        "country_code": "101",
    }
    by_stranger = client.post(f"/api/v1/shows/{show['id']}/hosts", headers=stranger, json=co_host)
    added = client.post(f"/api/v1/shows/{show['id']}/hosts", headers=host, json=co_host)
    twice = client.post(f"/api/v1/shows/{show['id']}/hosts", headers=operator, json=co_host)
    by_co_host = client.post(
        f"/api/v1/shows/{show['id']}/hosts",
        headers=ambassador,
        json={**co_host, "user_id": user_id(stranger)},
    )
    assert (by_stranger.status_code, by_stranger.json()["error"]["code"]) == (
        403,
        "not_the_main_host",
    )
    assert added.status_code == 201
    assert [
        (h["role_label_en"], h["is_main"], h["country_code"]) for h in added.json()["hosts"]
    ] == [("Host", True, None), ("Ambassador of Afghanistan", False, "101")]
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "already_a_host")
    assert (by_co_host.status_code, by_co_host.json()["error"]["code"]) == (
        403,
        "not_the_main_host",
    )


def test_hosts_take_a_show_live_and_end_it_with_valid_transitions_only(
    client, login_as, app_context
):
    operator, host, ambassador, stranger = (
        login_as("operator"),
        login_as("host"),
        login_as("host"),
        login_as("host"),
    )
    show = new_show(client, operator, host)
    client.post(
        f"/api/v1/shows/{show['id']}/hosts",
        headers=host,
        json={"user_id": user_id(ambassador), "role_label": "大使", "role_label_en": "Ambassador"},
    )
    sid = show["id"]
    early_end = client.post(f"/api/v1/shows/{sid}/end", headers=host)
    by_stranger = client.post(f"/api/v1/shows/{sid}/start", headers=stranger)
    started = client.post(f"/api/v1/shows/{sid}/start", headers=ambassador)
    again = client.post(f"/api/v1/shows/{sid}/start", headers=host)
    ended = client.post(f"/api/v1/shows/{sid}/end", headers=operator)
    after = client.post(f"/api/v1/shows/{sid}/end", headers=host)
    assert (early_end.status_code, early_end.json()["error"]["code"]) == (409, "invalid_transition")
    assert early_end.json()["error"]["details"] == {"status": "scheduled", "action": "end"}
    assert (by_stranger.status_code, by_stranger.json()["error"]["code"]) == (
        403,
        "not_a_host_of_this_show",
    )
    assert (started.status_code, started.json()["status"]) == (200, "live")
    assert started.json()["started_at"] is not None
    assert (again.status_code, again.json()["error"]["code"]) == (409, "invalid_transition")
    assert (ended.status_code, ended.json()["status"]) == (200, "ended")
    assert ended.json()["ended_at"] >= ended.json()["started_at"]
    assert (after.status_code, after.json()["error"]["code"]) == (409, "invalid_transition")
    with app_context.db.reader() as session:
        events = session.execute(
            select(OutboxEvent.type, OutboxEvent.aggregate_id).order_by(OutboxEvent.id)
        ).all()
    assert [tuple(e) for e in events] == [("show.started", str(sid)), ("show.ended", str(sid))]
    audit = [e["action"] for e in client.get("/api/v1/audit", headers=operator).json()]
    assert audit == ["show.end", "show.start", "show.add_host", "show.create"]


def test_the_lineup_is_replaced_in_order_by_the_main_host(client, login_as, app_context):
    place = expo(app_context.db)
    candy = product(app_context.db, place.operator, CANDY, exhibitor_id=place.candy_maker)
    serum = product(app_context.db, place.operator, SERUM, exhibitor_id=place.cosmetics_house)
    operator, host = login_as("operator"), login_as("host")
    sid = new_show(client, operator, host)["id"]
    first = client.put(
        f"/api/v1/shows/{sid}/lineup", headers=host, json={"product_ids": [candy, serum]}
    )
    second = client.put(
        f"/api/v1/shows/{sid}/lineup", headers=host, json={"product_ids": [serum, candy]}
    )
    unknown = client.put(
        f"/api/v1/shows/{sid}/lineup", headers=host, json={"product_ids": [serum, 9999]}
    )
    twice = client.put(
        f"/api/v1/shows/{sid}/lineup", headers=host, json={"product_ids": [serum, serum]}
    )
    assert [i["product_id"] for i in first.json()["lineup"]] == [candy, serum]
    assert [(i["position"], i["sku"], i["price_cny"]) for i in second.json()["lineup"]] == [
        (1, "FR-SERUM-30", "452.40"),
        (2, "RU-KOROVKA-500", "48.00"),
    ]
    assert second.json()["product_count"] == 2
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "unknown_product")
    assert unknown.json()["error"]["details"] == {"product_ids": [9999]}
    assert (twice.status_code, twice.json()["error"]["code"]) == (422, "duplicate_product")
    client.post(f"/api/v1/shows/{sid}/start", headers=host)
    client.post(f"/api/v1/shows/{sid}/end", headers=host)
    closed = client.put(f"/api/v1/shows/{sid}/lineup", headers=host, json={"product_ids": [candy]})
    assert (closed.status_code, closed.json()["error"]["code"]) == (409, "show_ended")


def test_shows_list_live_first_then_scheduled_by_start_then_ended(client, login_as, app_context):
    operator, host = login_as("operator"), login_as("host")
    later = new_show(client, operator, host, title_en="Later", starts_in=timedelta(hours=5))
    sooner = new_show(client, operator, host, title_en="Sooner", starts_in=timedelta(hours=1))
    old = new_show(client, operator, host, title_en="Old", starts_in=timedelta(hours=-30))
    older = new_show(client, operator, host, title_en="Older", starts_in=timedelta(hours=-50))
    live = new_show(client, operator, host, title_en="Live", starts_in=timedelta(hours=9))
    for done in (older, old):
        client.post(f"/api/v1/shows/{done['id']}/start", headers=host)
        client.post(f"/api/v1/shows/{done['id']}/end", headers=host)
    client.post(f"/api/v1/shows/{live['id']}/start", headers=host)
    listed = client.get("/api/v1/shows").json()
    assert [(s["title_en"], s["status"]) for s in listed] == [
        ("Live", "live"),
        ("Sooner", "scheduled"),
        ("Later", "scheduled"),
        ("Old", "ended"),
        ("Older", "ended"),
    ]
    summaries = list_shows(app_context.db)
    assert [s.id for s in summaries] == [
        live["id"],
        sooner["id"],
        later["id"],
        old["id"],
        older["id"],
    ]
    first = summaries[0]
    assert (first.title, first.title_en, first.status.value, first.product_count) == (
        "丝路之夜",
        "Live",
        "live",
        0,
    )
    assert first.scheduled_start == START + timedelta(hours=9)
    assert [(h.display_name, h.role_label, h.role_label_en) for h in first.hosts] == [
        (name_of(client, host), "主播", "Host")
    ]


def test_show_routes_need_the_right_role(client, login_as):
    host = login_as("host")
    sid = new_show(client, login_as("operator"), host)["id"]
    assert client.get("/api/v1/shows").status_code == 200
    assert client.get("/api/v1/shows/424242").json()["error"]["code"] == "show_not_found"
    assert client.post("/api/v1/shows", headers=host, json={}).status_code == 403
    assert client.post(f"/api/v1/shows/{sid}/start").status_code == 401
    assert (
        client.post(f"/api/v1/shows/{sid}/start", headers=login_as("moderator")).status_code == 403
    )
    assert (
        client.post(
            f"/api/v1/shows/{sid}/start", headers=login_as("merchant", exhibitor_id=1)
        ).status_code
        == 403
    )


def test_only_the_operator_sets_a_hosts_commission_and_it_stays_private(client, login_as, app_context):
    from liveport.shows.models import ShowHost

    operator, host, guest = login_as("operator"), login_as("host"), login_as("host")
    show = new_show(client, operator, host)
    spec = {"user_id": user_id(guest), "role_label": "嘉宾", "role_label_en": "Guest", "commission_rate": "0.02"}
    by_host = client.post(f"/api/v1/shows/{show['id']}/hosts", headers=host, json=spec)
    too_high = client.post(f"/api/v1/shows/{show['id']}/hosts", headers=operator, json={**spec, "commission_rate": "0.6"})
    added = client.post(f"/api/v1/shows/{show['id']}/hosts", headers=operator, json=spec)
    assert (by_host.status_code, by_host.json()["error"]["code"]) == (403, "commission_operator_only")
    assert too_high.status_code == 422
    assert added.status_code == 201
    assert "commission_rate" not in str(client.get(f"/api/v1/shows/{show['id']}").json())
    with app_context.db.reader() as session:
        rate = session.execute(select(ShowHost.commission_rate).where(ShowHost.user_id == user_id(guest))).scalar_one()
    assert str(rate) == "0.0200"
