"""The host's stream page (the encoder settings, hosts of the show only, never cached) and
the room page's player (hls.js and player.js from our own origin, the public id only)."""
from __future__ import annotations

import re

import pytest

from tests.integration.media.media_support import Stage, bearer, stage


@pytest.fixture
def cast(app_context) -> Stage:
    return stage(app_context.db)


def test_the_host_page_shows_the_server_and_key_in_the_form_obs_asks_for(client, app_context, cast):
    headers = bearer(app_context.db, app_context.settings, cast.host)
    page = client.get(f"/shows/{cast.show_id}/host?lang=en", headers=headers)
    key = client.get(f"/api/v1/shows/{cast.show_id}/stream", headers=headers).json()["stream_key"]
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert 'id="server-url" class="copyable" readonly value="rtmp://127.0.0.1:1935/ingest"' in page.text
    assert f'value="{key}"' in page.text and 'type="password"' in page.text
    assert '<script src="/static/js/host_stream.js" defer></script>' in page.text
    assert "Stream settings · Pine nuts, live" in page.text


def test_the_host_page_is_for_the_shows_hosts_only(client, app_context, cast):
    other = client.get(f"/shows/{cast.show_id}/host", headers=bearer(app_context.db, app_context.settings,
                                                                        cast.other_host))
    assert other.status_code == 403
    assert client.get(f"/shows/{cast.show_id}/host").status_code == 401


def test_the_room_page_carries_the_player_and_no_key(client, app_context, cast):
    key = client.get(f"/api/v1/shows/{cast.show_id}/stream",
                     headers=bearer(app_context.db, app_context.settings, cast.host)).json()["stream_key"]
    html = client.get(f"/shows/{cast.show_id}/room?lang=en").text
    assert '<video id="video" class="video" muted autoplay playsinline controls></video>' in html
    assert re.search(r'<script src="/static/vendor/hls.js/dist/hls.min.js\?v=[0-9.]+" defer></script>', html)
    assert '<script src="/static/js/player.js" defer></script>' in html
    assert "The host is off camera for a moment. Products and buying work as usual." in html
    assert key not in html
    assert client.get("/static/js/player.js").status_code == 200
