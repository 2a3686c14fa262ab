"""A replay: the recording's segments (real MPEG-TS files, named by wall-clock ms as both
ingests name them) played back to back, chaptered by the room's pin timeline, each chapter
with what is left of its product."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from liveport.catalog.services import set_stock
from liveport.media import config
from liveport.media.hls_files import mark_live, mark_offline
from liveport.media.lifecycle import protector_of
from liveport.media.services import encoder_settings
from liveport.realtime.services import pin_product, unpin
from tests.integration.catalog.catalog_support import SHIPPED_LIST
from tests.integration.media.media_support import Stage, stage, write_segment

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _ms(seconds: float) -> int:
    return int((T0 + timedelta(seconds=seconds)).timestamp() * 1000)


@pytest.fixture
def cast(app_context) -> Stage:
    return stage(app_context.db)


def test_each_pin_becomes_a_chapter_of_the_replay_with_what_is_left_to_buy(client, app_context, cast):
    db, settings = app_context.db, app_context.settings
    set_stock(db, cast.operator, cast.candy, cast.bonded, 5, positive_list=SHIPPED_LIST)
    public_id = encoder_settings(db, protector_of(app_context), settings, cast.show_id).public_id
    directory = config.stream_dir(settings, public_id)
    mark_live(directory)
    # two publish sessions: 6 s, then (the encoder reconnected a minute later) 4 s
    for second in [*range(6), *range(60, 64)]:
        write_segment(directory / f"{_ms(second)}.ts")
    mark_offline(directory)
    pin_product(db, cast.host, cast.show_id, cast.candy, T0 + timedelta(seconds=1.5))
    pin_product(db, cast.host, cast.show_id, cast.serum, T0 + timedelta(seconds=4))
    unpin(db, cast.host, cast.show_id, T0 + timedelta(seconds=61))
    pin_product(db, cast.host, cast.show_id, cast.candy, T0 + timedelta(seconds=62.5))

    replay = client.get(f"/api/v1/shows/{cast.show_id}/replay").json()
    status = client.get(f"/api/v1/shows/{cast.show_id}/stream/status").json()
    playlist = client.get(replay["playlist_url"])

    assert (replay["duration_s"], replay["live"]) == (10.0, False)
    assert [(c["product_id"], c["start_s"], c["end_s"], c["available"]) for c in replay["chapters"]] == [
        (cast.candy, 1.5, 4.0, 5), (cast.serum, 4.0, 7.0, 0), (cast.candy, 8.5, 10.0, 5)]
    assert [c["name_en"] for c in replay["chapters"]] == ["Korovka candies, 500 g", "Serum, 30 ml",
                                                          "Korovka candies, 500 g"]
    assert replay["chapters"][0]["price_cny"] == "48.00"
    assert status["replay_url"] == replay["playlist_url"] == f"/media/hls/{public_id}/vod.m3u8"
    lines = playlist.text.splitlines()
    assert playlist.status_code == 200 and lines[-1] == "#EXT-X-ENDLIST"
    assert lines.count("#EXTINF:1.000,") == 10 and lines.count("#EXT-X-DISCONTINUITY") == 1
    assert lines[lines.index("#EXT-X-DISCONTINUITY") + 2:][:2] == ["#EXTINF:1.000,", f"{_ms(60)}.ts"]


def test_a_show_that_never_streamed_has_no_replay(client, cast):
    response = client.get(f"/api/v1/shows/{cast.show_id}/replay")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "no_recording")
