"""HLS playlists of the embedded packager and of replays."""
from __future__ import annotations

from liveport.media.domain import Segment
from liveport.media.playlists import live_playlist, parse_media_playlist, vod_playlist

T0 = 1795680884000


def test_the_live_window_lists_the_newest_segments_after_its_sequence_number():
    text = live_playlist([Segment(f"{T0}.ts", T0, 1.0), Segment(f"{T0 + 1000}.ts", T0 + 1000, 0.96)], 41)
    assert text == ("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:41\n"
                    f"#EXTINF:1.000,\n{T0}.ts\n#EXTINF:0.960,\n{T0 + 1000}.ts\n")


def test_a_replay_marks_each_new_publish_session_and_ends():
    segments = [Segment(f"{T0}.ts", T0, 1.0), Segment(f"{T0 + 1000}.ts", T0 + 1000, 1.2),
                Segment(f"{T0 + 60000}.ts", T0 + 60000, 1.0)]
    lines = vod_playlist(segments).splitlines()
    assert lines == ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-TARGETDURATION:2",
                     "#EXT-X-MEDIA-SEQUENCE:0", "#EXT-X-PROGRAM-DATE-TIME:2026-11-26T08:14:44.000Z",
                     "#EXTINF:1.000,", f"{T0}.ts", "#EXTINF:1.200,", f"{T0 + 1000}.ts",
                     "#EXT-X-DISCONTINUITY", "#EXT-X-PROGRAM-DATE-TIME:2026-11-26T08:15:44.000Z",
                     "#EXTINF:1.000,", f"{T0 + 60000}.ts", "#EXT-X-ENDLIST"]
    assert parse_media_playlist("\n".join(lines)) == [(f"{T0}.ts", 1.0), (f"{T0 + 1000}.ts", 1.2),
                                                      (f"{T0 + 60000}.ts", 1.0)]
