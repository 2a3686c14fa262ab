"""HLS media playlists (RFC 8216): the embedded packager's live window and the replay's VOD
list. Pure text in, text out."""
from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime

from liveport.media.domain import Segment, publish_sessions


def _target(segments: Sequence[Segment]) -> int:
    # EXT-X-TARGETDURATION is an integer no segment may exceed once rounded (§4.3.3.1).
    return max(1, max((math.ceil(s.duration_s - 0.0005) for s in segments), default=1))


def _pdt(start_ms: int) -> str:
    moment = datetime.fromtimestamp(start_ms / 1000, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def live_playlist(segments: Sequence[Segment], media_sequence: int) -> str:
    """The sliding window a live player polls: the newest few segments."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{_target(segments)}",
             f"#EXT-X-MEDIA-SEQUENCE:{media_sequence}"]
    for segment in segments:
        lines += [f"#EXTINF:{segment.duration_s:.3f},", segment.name]
    return "\n".join(lines) + "\n"


def vod_playlist(segments: Sequence[Segment]) -> str:
    """Every recorded segment; each publish session starts with a discontinuity and its
    wall-clock time, so a player resets its decoder between sessions."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-PLAYLIST-TYPE:VOD",
             f"#EXT-X-TARGETDURATION:{_target(segments)}", "#EXT-X-MEDIA-SEQUENCE:0"]
    for number, run in enumerate(publish_sessions(segments)):
        if number:
            lines.append("#EXT-X-DISCONTINUITY")
        lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{_pdt(run[0].start_ms)}")
        for segment in run:
            lines += [f"#EXTINF:{segment.duration_s:.3f},", segment.name]
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def parse_media_playlist(text: str) -> list[tuple[str, float]]:
    """(uri, duration) of each segment of a media playlist."""
    found: list[tuple[str, float]] = []
    duration: float | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#EXTINF:"):
            duration = float(line[len("#EXTINF:"):].split(",", 1)[0])
        elif line and not line.startswith("#") and duration is not None:
            found.append((line, duration))
            duration = None
    return found
