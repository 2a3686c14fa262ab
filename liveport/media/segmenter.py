"""The embedded HLS packager: encoded packets in (no re-encoding), MPEG-TS segments and a
live playlist out, laid out exactly as the managed nginx writes them (segments named by
the wall-clock millisecond of their first packet, ``index.m3u8`` with the newest few),
so recordings and replays work the same on both paths.

A segment is cut at the first video keyframe once the current one holds ``target_s`` of
video; every segment is its own MPEG-TS file (written aside, then renamed into place) and
keeps the source's timestamps, so a player sees one continuous stream.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

from liveport.media.domain import LIVE_PLAYLIST, Segment
from liveport.media.playlists import live_playlist

MUXER_OPTIONS = {"mpegts_copyts": "1"}


class HlsSegmenter:
    def __init__(self, directory: Path, streams: list[Any], *, target_s: float = 1.0,
                 window: int = 4, clock: Callable[[], float] = time.time) -> None:
        """``streams``: the input's video stream first, then at most one audio stream."""
        self.directory = directory
        self.streams = streams
        self.video = streams[0]
        self.target_s = target_s
        self.window = window
        self.clock = clock
        self.finished: list[Segment] = []
        self.count = 0
        self._out: Any = None
        self._map: dict[int, Any] = {}
        self._name = ""
        self._tmp: Path | None = None
        self._first_pts: int | None = None
        self._last_pts: int | None = None
        self._step: int = 0
        directory.mkdir(parents=True, exist_ok=True)

    def _seconds(self, ticks: int) -> float:
        base: Fraction = self.video.time_base
        return float(ticks * base)

    def _open(self) -> None:
        import av

        self._name = f"{int(self.clock() * 1000)}.ts"
        self._tmp = self.directory / f".{self._name}.part"
        self._out = av.open(str(self._tmp), "w", format="mpegts", options=MUXER_OPTIONS)
        self._map = {s.index: self._out.add_stream_from_template(s) for s in self.streams}
        self._first_pts = None

    def _close(self, next_pts: int | None) -> None:
        if self._out is None:
            return
        self._out.close()
        assert self._tmp is not None
        if self._first_pts is None:  # no video reached it: nothing to keep
            self._tmp.unlink(missing_ok=True)
            self._out = None
            return
        end = next_pts if next_pts is not None else (self._last_pts or self._first_pts) + self._step
        os.replace(self._tmp, self.directory / self._name)
        self._out = None
        segment = Segment(self._name, int(self._name[:-3]), round(self._seconds(end - self._first_pts), 3))
        self.finished = [*self.finished[-(self.window - 1):], segment]
        self.count += 1
        self._write_playlist()

    def _write_playlist(self) -> None:
        text = live_playlist(self.finished, self.count - len(self.finished))
        tmp = self.directory / f".{LIVE_PLAYLIST}.part"
        tmp.write_text(text)
        os.replace(tmp, self.directory / LIVE_PLAYLIST)

    def add(self, packet: Any) -> None:
        if packet.dts is None or packet.stream.index not in {s.index for s in self.streams}:
            return
        is_video = packet.stream.index == self.video.index
        if is_video and packet.is_keyframe and packet.pts is not None:
            held = 0.0 if self._first_pts is None else self._seconds(packet.pts - self._first_pts)
            if self._out is None or held >= self.target_s * 0.95:
                self._close(packet.pts)
                self._open()
        if self._out is None:  # nothing before the first keyframe is playable
            return
        if is_video and packet.pts is not None:
            if self._first_pts is None:
                self._first_pts = packet.pts
            if self._last_pts is not None and packet.pts > self._last_pts:
                self._step = packet.pts - self._last_pts
            self._last_pts = packet.pts
        packet.stream = self._map[packet.stream.index]
        self._out.mux(packet)

    def close(self) -> None:
        self._close(None)
