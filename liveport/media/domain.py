"""Media rules: stream keys and public ids, who may publish when, recordings and chapters.

Pure: no I/O. A show's video is addressed by its *public id* everywhere a viewer can see
(pages, playlists, segment paths); the *stream key* is the host's secret and only ever
travels from the host console to the encoder and from the media server's callback to us.

Segments are named by the wall-clock millisecond their first frame reached the server
(``1795680884978.ts``: nginx-rtmp's ``hls_fragment_naming system``, and the embedded
packager does the same), so a recording can be put back in order and lined up with the pin
timeline from the file names alone.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

PUBLIC_ID_RE = re.compile(r"^[a-z2-7]{16}$")
STREAM_KEY_PREFIX = "lpk_"
STREAM_KEY_RE = re.compile(r"^lpk_[A-Za-z0-9_-]{32}$")
SEGMENT_RE = re.compile(r"^(\d{12,16})\.ts$")
LIVE_PLAYLIST = "index.m3u8"
VOD_PLAYLIST = "vod.m3u8"
# Present in a stream's directory while nobody publishes: the live playlist is then not
# served (nginx leaves its last one behind), so players do not loop stale seconds.
OFFLINE_MARKER = "offline"
# Two segments further apart than this (wall clock) belong to different publish sessions.
SESSION_GAP_S = 3.0


class IngestMode(StrEnum):
    NGINX = "nginx"  # managed nginx-rtmp, a child process of this app
    EMBEDDED = "embedded"  # PyAV in this process, loopback only, no key check
    EXTERNAL = "external"  # someone else's nginx-rtmp (or compatible) origin calls our hooks
    OFF = "off"


class StreamState(StrEnum):
    OFFLINE = "offline"
    LIVE = "live"


def is_public_id(value: str) -> bool:
    return bool(PUBLIC_ID_RE.match(value))


def is_stream_key(value: str) -> bool:
    return bool(STREAM_KEY_RE.match(value))


def is_segment_name(value: str) -> bool:
    return bool(SEGMENT_RE.match(value))


@dataclass(frozen=True, slots=True)
class PublishWindow:
    """An encoder may connect from ``lead`` before the scheduled start (sound checks) until
    ``grace`` after the scheduled end (shows overrun), never after the show has ended."""

    lead: timedelta
    grace: timedelta


def publish_refusal(status: str, start: datetime, end: datetime, now: datetime,
                    window: PublishWindow) -> str | None:
    """None when a show may take a stream now, else the reason code."""
    if status == "ended":
        return "show_ended"
    if now < start - window.lead:
        return "too_early"
    if now > end + window.grace:
        return "too_late"
    return None


@dataclass(frozen=True, slots=True)
class EmbeddedCandidate:
    show_id: int
    status: str
    scheduled_start: datetime
    scheduled_end: datetime
    started_at: datetime | None


def pick_embedded_show(candidates: Sequence[EmbeddedCandidate], now: datetime,
                       window: PublishWindow) -> int | None:
    """The embedded ingest cannot read the stream key (FFmpeg's RTMP listener accepts any),
    so it feeds one show: the live show that started last, else the open show whose start
    is nearest. None when no show may take a stream now."""
    open_shows = [c for c in candidates
                  if publish_refusal(c.status, c.scheduled_start, c.scheduled_end, now, window) is None]
    live = [c for c in open_shows if c.status == "live" and c.started_at is not None]
    if live:
        return max(live, key=lambda c: (c.started_at, c.show_id)).show_id  # type: ignore[arg-type, return-value]
    if open_shows:
        return min(open_shows, key=lambda c: (abs((c.scheduled_start - now).total_seconds()),
                                              c.show_id)).show_id
    return None


# ---- recordings ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    name: str
    start_ms: int  # wall clock, from the name
    duration_s: float


def segment_start_ms(name: str) -> int | None:
    found = SEGMENT_RE.match(name)
    return int(found.group(1)) if found else None


def publish_sessions(segments: Sequence[Segment], gap_s: float = SESSION_GAP_S) -> list[list[Segment]]:
    """Consecutive runs of segments; a wall-clock gap starts a new run (the encoder
    reconnected), which a VOD playlist marks as a discontinuity."""
    runs: list[list[Segment]] = []
    previous: Segment | None = None
    for segment in sorted(segments, key=lambda s: s.start_ms):
        if previous is None or segment.start_ms - (previous.start_ms + previous.duration_s * 1000) > gap_s * 1000:
            runs.append([])
        runs[-1].append(segment)
        previous = segment
    return runs


def replay_offset_s(segments: Sequence[Segment], at_ms: int) -> float:
    """Where a wall-clock moment falls on the replay's timeline (the segments played back to
    back): inside a segment, proportionally; in a gap or before the first, at the start of
    the next; after the last, at the end."""
    elapsed = 0.0
    for segment in sorted(segments, key=lambda s: s.start_ms):
        if at_ms < segment.start_ms:
            return elapsed
        if at_ms < segment.start_ms + segment.duration_s * 1000:
            return elapsed + (at_ms - segment.start_ms) / 1000
        elapsed += segment.duration_s
    return elapsed


@dataclass(frozen=True, slots=True)
class PinSpan:
    """A product's time on screen, from the room's pin timeline (wall clock)."""

    product_id: int
    pinned_at: datetime
    unpinned_at: datetime | None


@dataclass(frozen=True, slots=True)
class Chapter:
    product_id: int
    start_s: float
    end_s: float


MIN_CHAPTER_S = 0.5


def chapters(pins: Sequence[PinSpan], segments: Sequence[Segment]) -> list[Chapter]:
    """One chapter per pin that overlaps the recording, in pin order. A pin still open runs
    to the end of the recording; a pin made while nothing was recorded has no chapter."""
    total = sum(s.duration_s for s in segments)
    found: list[Chapter] = []
    for pin in sorted(pins, key=lambda p: p.pinned_at):
        start = replay_offset_s(segments, _ms(pin.pinned_at))
        end = total if pin.unpinned_at is None else replay_offset_s(segments, _ms(pin.unpinned_at))
        if end - start >= MIN_CHAPTER_S:
            found.append(Chapter(pin.product_id, round(start, 3), round(end, 3)))
    return found


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def window_of(lead_minutes: int, grace_minutes: int) -> PublishWindow:
    return PublishWindow(timedelta(minutes=lead_minutes), timedelta(minutes=grace_minutes))
