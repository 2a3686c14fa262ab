"""Recordings: every HLS segment of a show is kept in its stream directory; the replay is a
VOD playlist over all of them, rebuilt when new segments have arrived.

Segment durations are read from the files (PyAV demuxes the timestamps, no decoding) once,
and cached beside them in ``durations.json``. A segment written less than ``SETTLING_S`` ago
may still be growing (nginx writes fragments in place) and waits for the next rebuild
unless the stream is offline.
"""
from __future__ import annotations

import itertools
import json
import logging
import os
import statistics
import threading
import time
from pathlib import Path

from liveport.media.domain import OFFLINE_MARKER, VOD_PLAYLIST, Segment, segment_start_ms
from liveport.media.playlists import vod_playlist

DURATIONS_FILE = "durations.json"
SETTLING_S = 2.5

log = logging.getLogger("liveport.media")
_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock(directory: Path) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(directory, threading.Lock())


def probe_duration(path: Path) -> float | None:
    """Seconds of video in one MPEG-TS segment (first to last frame, plus one frame)."""
    import av

    try:
        with av.open(str(path), options={"probesize": "65536"}) as container:
            if not container.streams.video:
                return None
            stream = container.streams.video[0]
            stamps = sorted(p.pts for p in container.demux(stream) if p.pts is not None)
            time_base = stream.time_base
    except (av.FFmpegError, OSError) as exc:
        log.warning("cannot read segment %s: %s", path.name, exc)
        return None
    if not stamps or time_base is None:
        return None
    steps = [b - a for a, b in itertools.pairwise(stamps) if b > a]
    frame = statistics.median(steps) if steps else 0
    return round(float((stamps[-1] - stamps[0] + frame) * time_base), 3)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def recorded_segments(directory: Path, now: float | None = None) -> list[Segment]:
    """The finished segments of a stream directory, oldest first, with their durations."""
    if not directory.is_dir():
        return []
    now = time.time() if now is None else now
    offline = (directory / OFFLINE_MARKER).exists()
    cache_path = directory / DURATIONS_FILE
    try:
        cache: dict[str, float] = json.loads(cache_path.read_text())
    except (OSError, ValueError):
        cache = {}
    found: list[Segment] = []
    learned = False
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        start_ms = segment_start_ms(entry.name)
        if start_ms is None:
            continue
        duration = cache.get(entry.name)
        if duration is None:
            if not offline and now - entry.stat().st_mtime < SETTLING_S:
                continue
            duration = probe_duration(Path(entry.path))
            if duration is None:
                continue
            cache[entry.name] = duration
            learned = True
        found.append(Segment(entry.name, start_ms, duration))
    if learned:
        _atomic_write(cache_path, json.dumps(cache))
    found.sort(key=lambda s: s.start_ms)
    return found


def refresh_replay(directory: Path) -> list[Segment]:
    """Rewrite the VOD playlist when segments were added; returns the recording."""
    with _lock(directory):
        segments = recorded_segments(directory)
        target = directory / VOD_PLAYLIST
        if segments:
            text = vod_playlist(segments)
            try:
                unchanged = target.read_text() == text
            except OSError:
                unchanged = False
            if not unchanged:
                _atomic_write(target, text)
        return segments


def refresh_in_background(directory: Path) -> None:
    threading.Thread(target=refresh_replay, args=(directory,), name="media-replay",
                     daemon=True).start()
