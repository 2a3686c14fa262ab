"""`liveport bench media`: camera-to-screen delay, measured on the displayed pixels.

Liveport runs as in production (`liveport serve`, granian, its own data dir and SQLite)
with the managed nginx-rtmp or the embedded ingest. The synthetic camera publishes to it
with a live show's key, drawing each frame's capture time into the picture
(``timecode``). Debian's chromium (Playwright) opens the room page as a viewer; in the page,
``bench_probe.js`` decodes the time from every displayed frame and compares it with the
clock: that is glass-to-glass. Beside it, a poller notes when each segment first appears in
the live playlist and decodes the capture time of its first frame: the segment delay
(what packaging costs before any player can fetch it). The first seconds of playback
(the player finding the live edge) are not counted. Everything runs on this machine, so
one clock serves all.
"""
from __future__ import annotations

import io
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from liveport.core.settings import Settings
from liveport.media import config
from liveport.media.domain import IngestMode
from liveport.media.playlists import parse_media_playlist
from liveport.media.timecode import read_luma

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required"]
PROBE = Path(__file__).with_name("bench_probe.js")
WARM_UP_S = 6.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))], 3)


def resolve_mode(mode: str, settings: Settings) -> IngestMode:
    if mode == "auto":
        return IngestMode.NGINX if config.nginx_available(settings) else IngestMode.EMBEDDED
    return IngestMode(mode)


def _env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEPORT_")}
    env.update({"LIVEPORT_ENV": "dev", "LIVEPORT_DATA_DIR": str(settings.data_dir),
                "LIVEPORT_DATABASE_URL": settings.resolved_database_url,
                "LIVEPORT_SESSION_SECRET": settings.secret("session_secret"),
                "LIVEPORT_MEDIA_INGEST": settings.media_ingest,
                "LIVEPORT_MEDIA_RTMP_PORT": str(settings.media_rtmp_port),
                "LIVEPORT_OUTBOX_DISPATCHER": "false", "LIVEPORT_MOUNT_SANDBOXES": "false",
                "LIVEPORT_LOG_LEVEL": "WARNING"})
    return env


def _stage(settings: Settings) -> tuple[int, str, str]:
    """A live show with a host; returns (show id, encoder URL with key, title)."""
    from liveport.accounts.domain import Role
    from liveport.accounts.services import create_user, principal_of
    from liveport.context import build_context
    from liveport.core.clock import utcnow
    from liveport.core.migrations import upgrade
    from liveport.media import services as media
    from liveport.media.protection import StreamKeyProtector
    from liveport.shows.domain import HostSpec
    from liveport.shows.services import create_show, start_show

    upgrade(settings.resolved_database_url)
    ctx = build_context(settings)
    try:
        operator = principal_of(create_user(ctx.db, email="ops@bench.test", password=None,
                                            role=Role.OPERATOR, display_name="Operator"))
        host = principal_of(create_user(ctx.db, email="host@bench.test", password=None,
                                        role=Role.HOST, display_name="Bench Host"))
        start = utcnow().replace(microsecond=0)
        title = "Glass-to-glass bench"
        show = create_show(ctx.db, operator, title="延迟测试", title_en=title, description="",
                           scheduled_start=start, scheduled_end=start + timedelta(hours=1),
                           main_host=HostSpec(host.user_id, "主播", "Host"))
        start_show(ctx.db, host, show.summary.id)
        found = media.encoder_settings(ctx.db, StreamKeyProtector(settings), settings, show.summary.id)
    finally:
        ctx.close()
    return show.summary.id, f"{found.server_url}/{found.stream_key}", title


class SegmentWatcher:
    """Polls the live playlist; for each new segment, (time first listed − capture time of
    its first frame)."""

    def __init__(self, base: str, show_id: int) -> None:
        self.base, self.show_id = base, show_id
        self.delays: list[float] = []
        self._seen: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-segments", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:  # started
            self._thread.join(timeout=5)

    def _first_frame_ms(self, data: bytes) -> int | None:
        import av

        with av.open(io.BytesIO(data), format="mpegts") as container:
            for frame in container.decode(video=0):
                gray = frame.reformat(format="gray")
                plane = gray.planes[0]
                return read_luma(bytes(plane), plane.line_size, gray.width, gray.height)
        return None

    def _run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=5) as http:
            live_url = None
            while not self._stop.wait(0.1):
                try:
                    live_url = self._poll(http, live_url)
                except httpx.HTTPError:
                    continue  # a missed poll only loses that poll's precision

    def _poll(self, http: httpx.Client, live_url: str | None) -> str | None:
        if live_url is None:
            status = http.get(f"/api/v1/shows/{self.show_id}/stream/status").json()
            return status.get("live_url")
        response = http.get(live_url)
        if response.status_code != 200:
            return live_url
        listed_at = time.time() * 1000
        directory = live_url.rsplit("/", 1)[0]
        listed = [name for name, _duration in parse_media_playlist(response.text)]
        if not self._seen:  # listed before we looked: their delays are unknown
            self._seen.update(listed)
            return live_url
        for name in listed:
            if name in self._seen:
                continue
            self._seen.add(name)
            captured = self._first_frame_ms(http.get(f"{directory}/{name}").content)
            if captured is not None:
                self.delays.append((listed_at - captured) / 1000)
        return live_url


def _glass_to_glass(base: str, show_id: int, seconds: float) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 800, "height": 900})
            page.goto(f"{base}/shows/{show_id}/room?lang=en")
            page.wait_for_function("() => document.getElementById('video').currentTime > 0.5",
                                   timeout=60_000)
            page.wait_for_timeout(WARM_UP_S * 1000)
            found = page.evaluate(PROBE.read_text(), seconds * 1000)
        finally:
            browser.close()
    return found


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def run_media_bench(mode: str = "auto", seconds: float = 20.0, json_out: bool = False) -> dict[str, Any]:
    if not 5 <= seconds <= 600:
        raise ValueError("seconds from 5 to 600")
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing (apt-get install --no-install-recommends chromium)")
    say = (lambda *a: None) if json_out else print
    with tempfile.TemporaryDirectory(prefix="liveport-media-bench-") as tmp:
        settings = Settings(env="dev", data_dir=Path(tmp), session_secret=secrets.token_urlsafe(32),
                            port=_free_port(), media_rtmp_port=_free_port())
        resolved = resolve_mode(mode, settings)
        settings = settings.model_copy(update={"media_ingest": resolved.value})
        show_id, encoder_url, title = _stage(settings)
        base = f"http://127.0.0.1:{settings.port}"
        say(f"media bench: {resolved.value} ingest, {seconds:g} s measured after {WARM_UP_S:g} s")
        server = subprocess.Popen([sys.executable, "-m", "liveport.cli", "serve", "--port", str(settings.port)],
                                  env=_env(settings), stdin=subprocess.DEVNULL)
        from liveport.media.camera import SyntheticCamera

        camera = SyntheticCamera(encoder_url, title, lambda: "Pinned: bench")
        watcher = SegmentWatcher(base, show_id)
        load_before = os.getloadavg()[0]
        try:
            _wait_healthy(base, server)
            camera.start()
            watcher.start()
            found = _glass_to_glass(base, show_id, seconds)
        finally:
            watcher.stop()
            camera.stop()
            _stop(server)
    delays = [d / 1000 for d in found["delays"]]
    result = {
        "mode": resolved.value,
        "glass_to_glass_s": {"median": percentile(delays, 0.5), "p95": percentile(delays, 0.95),
                             "min": percentile(delays, 0.0), "max": percentile(delays, 1.0)},
        "segment_delay_s": {"median": percentile(watcher.delays, 0.5),
                            "p95": percentile(watcher.delays, 0.95)},
        "frames_read": len(delays), "frames_unreadable": found["unreadable"],
        "segments_seen": len(watcher.delays), "seconds": seconds, "warm_up_s": WARM_UP_S,
        "camera": {"fps": camera.fps, "size": f"{camera.painter.width}x{camera.painter.height}",
                   "frames_sent": camera.frames_sent, "connections": camera.connections},
        "machine": {"cpus": os.cpu_count(), "loadavg_1m_before": round(load_before, 2),
                    "loadavg_1m_after": round(os.getloadavg()[0], 2)},
    }
    if not json_out:
        g2g, seg = result["glass_to_glass_s"], result["segment_delay_s"]
        say(f"glass-to-glass: median {g2g['median']} s, p95 {g2g['p95']} s over {len(delays)} frames; "
            f"segment delay: median {seg['median']} s, p95 {seg['p95']} s")
    print(json.dumps(result), flush=True)
    return result


def _wait_healthy(base: str, server: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"liveport serve exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("liveport serve did not answer in time")
