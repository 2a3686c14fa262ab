"""Stream keys (the show's hosts and operators only), the media server's callbacks (the
key, the show, its window; the relay; offline), the public status and the HLS route.

The callbacks are called as nginx-rtmp calls them: form-encoded POSTs with the shared
secret in the URL."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from liveport.accounts.models import AuditEntry
from liveport.media.models import PublishSession
from liveport.media.protection import hook_secret
from liveport.shows.services import end_show
from tests.integration.media.media_support import Stage, bearer, stage


@pytest.fixture
def cast(app_context) -> Stage:
    return stage(app_context.db)


def _hook(client, settings, hook: str, **fields: str):
    return client.post(f"/media/hooks/{hook}?token={hook_secret(settings)}", data=fields,
                       follow_redirects=False)


def _publish(client, settings, key: str, addr: str = "203.0.113.7"):
    return _hook(client, settings, "publish", call="publish", app="ingest", name=key, addr=addr)


def test_a_host_of_the_show_gets_the_encoder_settings_and_nobody_may_cache_them(client, app_context, cast):
    response = client.get(f"/api/v1/shows/{cast.show_id}/stream",
                          headers=bearer(app_context.db, app_context.settings, cast.host))
    body = response.json()
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert body["server_url"] == "rtmp://127.0.0.1:1935/ingest"
    assert body["stream_key"].startswith("lpk_") and len(body["stream_key"]) == 36
    assert body["live_url"] == f"/media/hls/{body['live_url'].split('/')[3]}/index.m3u8"
    assert body["stream_key"] not in body["live_url"] and body["state"] == "offline"
    again = client.get(f"/api/v1/shows/{cast.show_id}/stream",
                       headers=bearer(app_context.db, app_context.settings, cast.operator)).json()
    assert again["stream_key"] == body["stream_key"]


def test_a_host_of_another_show_may_not_see_the_key(client, app_context, cast):
    response = client.get(f"/api/v1/shows/{cast.show_id}/stream",
                          headers=bearer(app_context.db, app_context.settings, cast.other_host))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_a_host_of_this_show"


def test_a_rotated_key_replaces_the_old_one_for_the_next_connection(client, app_context, cast):
    settings = app_context.settings
    headers = bearer(app_context.db, settings, cast.host)
    old = client.get(f"/api/v1/shows/{cast.show_id}/stream", headers=headers).json()
    new = client.post(f"/api/v1/shows/{cast.show_id}/stream/key", headers=headers).json()
    assert new["stream_key"] != old["stream_key"] and new["live_url"] == old["live_url"]
    assert _publish(client, settings, old["stream_key"]).status_code == 403
    accepted = _publish(client, settings, new["stream_key"])
    public_id = new["live_url"].split("/")[3]
    assert (accepted.status_code, accepted.headers["location"]) == (302, f"rtmp://127.0.0.1:1935/show/{public_id}")
    with app_context.db.reader() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(cast.show_id))).all()
    assert "media.key_rotated" in actions


def test_publishing_makes_the_stream_live_and_its_end_leaves_the_show_open(client, app_context, cast):
    settings = app_context.settings
    found = client.get(f"/api/v1/shows/{cast.show_id}/stream",
                       headers=bearer(app_context.db, settings, cast.host)).json()
    key, public_id = found["stream_key"], found["live_url"].split("/")[3]
    assert client.get(f"/api/v1/shows/{cast.show_id}/stream/status").json()["state"] == "offline"
    assert _publish(client, settings, key).status_code == 302
    # let in, but nothing to play until the first segment is listed
    early = client.get(f"/api/v1/shows/{cast.show_id}/stream/status").json()
    assert (early["state"], early["live_url"]) == ("live", None)
    _hook(client, settings, "relay", call="publish", app="show", name=public_id, addr="127.0.0.1")
    (settings.data_dir / "media" / "hls" / public_id / "index.m3u8").write_text("#EXTM3U\n")
    live = client.get(f"/api/v1/shows/{cast.show_id}/stream/status")
    assert live.json() == {"show_id": cast.show_id, "show_status": "live", "state": "live",
                           "live_url": f"/media/hls/{public_id}/index.m3u8", "replay_url": None}
    assert key not in live.text
    assert _hook(client, settings, "publish_done", call="publish_done", app="ingest", name=key).status_code == 204
    after = client.get(f"/api/v1/shows/{cast.show_id}/stream/status").json()
    assert (after["show_status"], after["state"], after["live_url"]) == ("live", "offline", None)
    with app_context.db.reader() as session:
        sessions = session.scalars(select(PublishSession)).all()
    assert [(s.ingest, s.client_addr, s.ended_at is not None) for s in sessions] == [("external", "203.0.113.7", True)]


def test_a_second_publish_closes_the_session_nobody_closed(client, app_context, cast):
    settings = app_context.settings
    key = client.get(f"/api/v1/shows/{cast.show_id}/stream",
                     headers=bearer(app_context.db, settings, cast.host)).json()["stream_key"]
    assert _publish(client, settings, key).status_code == 302
    assert _publish(client, settings, key).status_code == 302
    with app_context.db.reader() as session:
        ended = [s.ended_at is not None for s in session.scalars(select(PublishSession).order_by(PublishSession.id))]
    assert ended == [True, False]


def test_an_ended_show_and_an_unknown_key_are_refused(client, app_context, cast):
    settings = app_context.settings
    key = client.get(f"/api/v1/shows/{cast.show_id}/stream",
                     headers=bearer(app_context.db, settings, cast.host)).json()["stream_key"]
    assert _publish(client, settings, "lpk_" + "x" * 32).status_code == 403
    assert _publish(client, settings, "not even a key").status_code == 403
    end_show(app_context.db, cast.host, cast.show_id)
    assert _publish(client, settings, key).status_code == 403
    assert client.get(f"/api/v1/shows/{cast.show_id}/stream/status").json()["state"] == "offline"


def test_a_show_far_in_the_future_takes_no_stream_yet(client, app_context):
    later = stage(app_context.db, live=False, starts_in=timedelta(hours=3))
    key = client.get(f"/api/v1/shows/{later.show_id}/stream",
                     headers=bearer(app_context.db, app_context.settings, later.host)).json()["stream_key"]
    assert _publish(client, app_context.settings, key).status_code == 403


def test_callbacks_need_the_media_servers_secret(client, app_context, login_as):
    assert client.post("/media/hooks/publish", data={"name": "x"}).status_code == 401
    assert client.post("/media/hooks/publish?token=wrong", data={"name": "x"}).status_code == 401
    assert client.post("/media/hooks/publish", data={"name": "x"}, headers=login_as("operator")).status_code == 403


def test_only_the_local_relay_of_a_live_stream_may_publish_to_the_show_application(client, app_context, cast):
    settings = app_context.settings
    found = client.get(f"/api/v1/shows/{cast.show_id}/stream",
                       headers=bearer(app_context.db, settings, cast.host)).json()
    public_id = found["live_url"].split("/")[3]
    relay = {"call": "publish", "app": "show", "name": public_id}
    assert _hook(client, settings, "relay", **relay, addr="127.0.0.1").status_code == 403  # not live yet
    _publish(client, settings, found["stream_key"])
    assert _hook(client, settings, "relay", **relay, addr="198.51.100.4").status_code == 403
    assert _hook(client, settings, "relay", **{**relay, "name": "zzzzzzzzzzzzzzzz"}, addr="127.0.0.1").status_code == 403
    assert _hook(client, settings, "relay", **relay, addr="127.0.0.1").status_code == 204


def test_the_hls_route_serves_segments_and_withdraws_an_offline_playlist(client, app_context, cast):
    settings = app_context.settings
    found = client.get(f"/api/v1/shows/{cast.show_id}/stream",
                       headers=bearer(app_context.db, settings, cast.host)).json()
    public_id = found["live_url"].split("/")[3]
    _publish(client, settings, found["stream_key"])
    _hook(client, settings, "relay", call="publish", app="show", name=public_id, addr="127.0.0.1")
    directory = settings.data_dir / "media" / "hls" / public_id
    (directory / "index.m3u8").write_text("#EXTM3U\n#EXTINF:1.000,\n1795680884978.ts\n")
    (directory / "1795680884978.ts").write_bytes(b"G" * 188)
    playlist = client.get(found["live_url"])
    segment = client.get(f"/media/hls/{public_id}/1795680884978.ts")
    assert (playlist.status_code, playlist.headers["content-type"]) == (200, "application/vnd.apple.mpegurl")
    assert playlist.headers["cache-control"] == "public, max-age=0, no-cache"
    assert (segment.status_code, segment.headers["content-type"]) == (200, "video/mp2t")
    assert segment.headers["cache-control"] == "public, max-age=31536000, immutable"
    for bad in ("durations.json", "offline", "..%2Fmedia.sqlite3", "1795680884978.ts.part"):
        assert client.get(f"/media/hls/{public_id}/{bad}").status_code == 404
    assert client.get(f"/media/hls/{found['stream_key']}/index.m3u8").status_code == 404
    _hook(client, settings, "relay_done", call="publish_done", app="show", name=public_id)
    gone = client.get(found["live_url"])
    assert (gone.status_code, gone.json()["error"]["code"]) == (404, "stream_offline")
