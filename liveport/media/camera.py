"""The demo's host camera: generated frames (the show's title, the pinned product, a clock,
and the capture time as a machine-readable strip, ``timecode``) encoded with x264 (PyAV's
bundled FFmpeg) and published over RTMP like an encoder in a studio would: 640×360,
25 fps, ``ultrafast``/``zerolatency``, a keyframe every second, no B-frames.

It reconnects when the ingest is not there yet or drops it, until stopped. Run it as its
own process (``python -m liveport.media.camera``, as the demo does): PyAV holds the GIL
while it writes to the socket, so a camera and an embedded ingest in one process would
wait on each other. The URL holds the stream key, so it comes in the environment
(``LIVEPORT_MEDIA_CAMERA_URL``, readable by this user only), never on the command line.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

from liveport.core.clock import CHINA
from liveport.media.timecode import encode, strip_for

log = logging.getLogger("liveport.media")
# Fonts with Chinese glyphs, when the machine has one (Debian: fonts-wqy-microhei);
# otherwise Pillow's own font draws the English title.
CJK_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
             "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
             "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def _font(size: int, cjk: bool) -> Any:
    from PIL import ImageFont

    if cjk:
        for path in CJK_FONTS:
            if Path(path).is_file():
                return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def has_cjk_font() -> bool:
    return any(Path(p).is_file() for p in CJK_FONTS)


class FramePainter:
    """Draws frames; the title and caption change rarely, so they are drawn once into a
    background that each frame copies."""

    def __init__(self, width: int, height: int, title: str) -> None:
        self.width, self.height, self.title = width, height, title
        cjk = has_cjk_font()
        self.big, self.small = _font(44, cjk), _font(22, cjk)
        self.strip = strip_for(width, height)
        self._caption: str | None = None
        self._background: Any = None

    def _draw_background(self, caption: str) -> Any:
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (self.width, self.height), (24, 28, 44))
        draw = ImageDraw.Draw(image)
        draw.text((20, 16), self.title, font=self.small, fill=(255, 255, 255))
        draw.text((20, self.height - 110), caption, font=self.small, fill=(255, 214, 102))
        draw.rectangle((0, self.strip.y0 - 4, self.width, self.height), fill=(0, 0, 0))
        return image

    def paint(self, caption: str, captured_ms: int) -> Any:
        from PIL import ImageDraw

        if caption != self._caption or self._background is None:
            self._background, self._caption = self._draw_background(caption), caption
        image = self._background.copy()
        draw = ImageDraw.Draw(image)
        clock = datetime.fromtimestamp(captured_ms / 1000, CHINA).strftime("%H:%M:%S.%f")[:-3]
        draw.text((20, self.height // 2 - 40), clock, font=self.big, fill=(255, 255, 255))
        for bit, value in enumerate(encode(captured_ms)):
            if value:
                draw.rectangle(self.strip.box(bit), fill=(255, 255, 255))
        return image


class SyntheticCamera:
    def __init__(self, url: str, title: str, caption: Callable[[], str] = lambda: "",
                 *, width: int = 640, height: int = 360, fps: int = 25,
                 clock: Callable[[], float] = time.time) -> None:
        self.url, self.fps, self.clock = url, fps, clock
        self.caption = caption
        self.painter = FramePainter(width, height, title)
        self.frames_sent = 0
        self.connections = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="synthetic-camera", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout_s)

    def run(self, seconds: float | None = None) -> None:
        """Publish until stopped (or for ``seconds``), reconnecting every second."""
        import av

        until = None if seconds is None else time.monotonic() + seconds
        while not self._stop.is_set() and (until is None or time.monotonic() < until):
            try:
                self._publish(until)
            except (av.FFmpegError, OSError) as exc:
                log.debug("camera: %s; reconnecting", exc)
                self._stop.wait(1.0)

    def _publish(self, until: float | None) -> None:
        import av

        with av.open(self.url, "w", format="flv", timeout=(5.0, 5.0)) as out:
            stream = out.add_stream("libx264", rate=self.fps, options={
                "preset": "ultrafast", "tune": "zerolatency", "g": str(self.fps),
                "keyint_min": str(self.fps), "sc_threshold": "0", "bf": "0"})
            stream.width, stream.height = self.painter.width, self.painter.height
            stream.pix_fmt = "yuv420p"
            stream.codec_context.time_base = Fraction(1, self.fps)
            self.connections += 1
            caption, caption_at = self.caption(), time.monotonic()
            started = time.monotonic()
            index = 0
            while not self._stop.is_set() and (until is None or time.monotonic() < until):
                due = started + index / self.fps
                if (wait := due - time.monotonic()) > 0:
                    time.sleep(wait)
                if time.monotonic() - caption_at > 1.0:
                    caption, caption_at = self.caption(), time.monotonic()
                image = self.painter.paint(caption, int(self.clock() * 1000))
                frame = av.VideoFrame.from_image(image)
                frame.pts = index
                frame.time_base = Fraction(1, self.fps)
                for packet in stream.encode(frame):
                    out.mux(packet)
                self.frames_sent += 1
                index += 1
            for packet in stream.encode(None):
                out.mux(packet)


URL_VARIABLE = "LIVEPORT_MEDIA_CAMERA_URL"


def main(argv: list[str] | None = None) -> int:
    import argparse
    import os
    import signal

    parser = argparse.ArgumentParser(prog="python -m liveport.media.camera", description=__doc__)
    parser.add_argument("--title", default="Liveport")
    parser.add_argument("--seconds", type=float, help="stop after this long (default: until SIGTERM)")
    parser.add_argument("--show-id", type=int, help="caption: the product pinned in this show")
    parser.add_argument("--data-dir", help="with --show-id: the data dir whose database to read")
    args = parser.parse_args(argv)
    url = os.environ.get(URL_VARIABLE)
    if not url:
        parser.error(f"{URL_VARIABLE} is not set")
    caption: Callable[[], str] = str
    if args.show_id is not None:
        from liveport.media.camera_caption import PinnedCaption

        caption = PinnedCaption.from_data_dir(args.data_dir, args.show_id)
    camera = SyntheticCamera(url, args.title, caption)
    signal.signal(signal.SIGTERM, lambda *_: camera.stop())
    try:
        camera.run(args.seconds)
    except KeyboardInterrupt:
        pass
    print(json.dumps({"frames_sent": camera.frames_sent, "connections": camera.connections}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
