"""Who may publish when, the embedded ingest's choice of show, recordings and chapters."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from liveport.media.domain import (
    Chapter,
    EmbeddedCandidate,
    PinSpan,
    PublishWindow,
    Segment,
    chapters,
    is_public_id,
    is_segment_name,
    is_stream_key,
    pick_embedded_show,
    publish_refusal,
    publish_sessions,
    replay_offset_s,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
WINDOW = PublishWindow(lead=timedelta(minutes=60), grace=timedelta(minutes=120))
T0 = int(NOW.timestamp() * 1000)


def at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def test_a_show_takes_a_stream_from_an_hour_before_until_two_hours_after_its_slot():
    start, end = NOW, NOW + timedelta(hours=2)
    assert publish_refusal("scheduled", start, end, NOW - timedelta(minutes=60), WINDOW) is None
    assert publish_refusal("scheduled", start, end, NOW - timedelta(minutes=61), WINDOW) == "too_early"
    assert publish_refusal("live", start, end, end + timedelta(minutes=120), WINDOW) is None
    assert publish_refusal("live", start, end, end + timedelta(minutes=121), WINDOW) == "too_late"


def test_an_ended_show_takes_no_stream_even_inside_its_slot():
    assert publish_refusal("ended", NOW, NOW + timedelta(hours=2), NOW, WINDOW) == "show_ended"


def test_the_embedded_ingest_feeds_the_live_show_that_started_last():
    shows = [EmbeddedCandidate(1, "live", NOW, at(7200), at(-600)),
             EmbeddedCandidate(2, "live", NOW, at(7200), at(-60)),
             EmbeddedCandidate(3, "scheduled", at(60), at(7200), None)]
    assert pick_embedded_show(shows, NOW, WINDOW) == 2


def test_without_a_live_show_the_embedded_ingest_feeds_the_nearest_open_one():
    shows = [EmbeddedCandidate(1, "scheduled", at(1800), at(9000), None),
             EmbeddedCandidate(2, "scheduled", at(-300), at(9000), None),
             EmbeddedCandidate(3, "scheduled", at(3 * 3600), at(4 * 3600), None)]
    assert pick_embedded_show(shows, NOW, WINDOW) == 2
    assert pick_embedded_show(shows[2:], NOW, WINDOW) is None


def test_names_are_recognised_by_shape():
    assert is_public_id("abcdefghijklmn23") and not is_public_id("abcdefghijklmn2")
    assert not is_public_id("../../etc/passwd")
    assert is_stream_key("lpk_" + "A" * 32) and not is_stream_key("lpk_" + "A" * 31)
    assert is_segment_name("1795680884978.ts") and not is_segment_name("index.ts")
    assert not is_segment_name("1795680884978.ts.part")


def test_a_gap_in_wall_clock_time_starts_a_new_publish_session():
    segments = [Segment(f"{T0 + ms}.ts", T0 + ms, 1.0) for ms in (0, 1000, 2000, 9000, 10000)]
    runs = publish_sessions(segments)
    assert [[s.start_ms - T0 for s in run] for run in runs] == [[0, 1000, 2000], [9000, 10000]]


def test_a_moment_maps_onto_the_replay_timeline_with_gaps_squeezed_out():
    segments = [Segment("a", T0, 1.0), Segment("b", T0 + 1000, 1.0), Segment("c", T0 + 10_000, 2.0)]
    assert replay_offset_s(segments, T0 - 5000) == 0.0
    assert replay_offset_s(segments, T0 + 1500) == 1.5
    assert replay_offset_s(segments, T0 + 5000) == 2.0  # between sessions: start of the next
    assert replay_offset_s(segments, T0 + 11_000) == 3.0
    assert replay_offset_s(segments, T0 + 60_000) == 4.0


def test_each_pin_over_the_recording_becomes_a_chapter():
    segments = [Segment(f"{T0 + s * 1000}.ts", T0 + s * 1000, 1.0) for s in range(10)]
    pins = [PinSpan(7, at(2.5), at(6)),
            PinSpan(8, at(-30), at(-20)),  # before anything was recorded: no chapter
            PinSpan(9, at(6), None)]  # still pinned: runs to the end
    assert chapters(pins, segments) == [Chapter(7, 2.5, 6.0), Chapter(9, 6.0, 10.0)]
