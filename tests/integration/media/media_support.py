"""Media test support: settings on free ports, a show with hosts and products, an encoder
(Debian's ffmpeg publishing a test pattern), and waiting for files and states."""
from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

from liveport.accounts.domain import Principal, Role
from liveport.core.db import Database
from liveport.core.settings import Settings
from liveport.shows.domain import HostSpec
from liveport.shows.services import create_show, set_lineup, start_show
from tests.conftest import missing
from tests.integration.catalog.catalog_support import SERUM, expo, product
from tests.integration.web.web_support import account

# The acceptance criteria's encoder: a keyframe every second at 25 fps, no scene cuts.
FFMPEG_PATTERN = ["-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi",
                  "-i", "testsrc=size=640x360:rate=25", "-c:v", "libx264", "-preset", "ultrafast",
                  "-tune", "zerolatency", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
                  "-pix_fmt", "yuv420p", "-f", "flv"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def media_settings(tmp_path: Path, mode: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test", "data_dir": tmp_path, "database_url": f"sqlite:///{tmp_path / 'media.sqlite3'}",
        "session_secret": secrets.token_urlsafe(32), "outbox_dispatcher": False,
        "mount_sandboxes": False, "rate_limit_enabled": False, "media_ingest": mode,
        "media_rtmp_port": free_port(), "port": free_port()}
    values.update(overrides)
    return Settings(**values)


@dataclass
class Stage:
    operator: Principal
    host: Principal
    other_host: Principal
    show_id: int
    candy: int
    serum: int
    bonded: int  # warehouse


def stage(db: Database, *, live: bool = True, starts_in: timedelta = timedelta(0)) -> Stage:
    place = expo(db)
    candy = product(db, place.operator, exhibitor_id=place.candy_maker)
    serum = product(db, place.operator, SERUM, exhibitor_id=place.cosmetics_house)
    host = account(db, "host@example.cn", role=Role.HOST, display_name="Lin Xiao")
    other = account(db, "other-host@example.cn", role=Role.HOST, display_name="Other Host")
    start = datetime.now(UTC).replace(microsecond=0) + starts_in
    show = create_show(db, place.operator, title="松子直播", title_en="Pine nuts, live", description="",
                       scheduled_start=start, scheduled_end=start + timedelta(hours=2),
                       main_host=HostSpec(host.user_id, "主播", "Host"))
    set_lineup(db, host, show.summary.id, [candy, serum])
    if live:
        start_show(db, host, show.summary.id)
    return Stage(place.operator, host, other, show.summary.id, candy, serum, place.bonded)


def need_ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        missing("ffmpeg is missing (apt-get install --no-install-recommends ffmpeg)")
    return str(found)


def publish(url: str, seconds: float) -> subprocess.Popen[bytes]:
    return subprocess.Popen([need_ffmpeg(), *FFMPEG_PATTERN[:4], "-t", str(seconds), *FFMPEG_PATTERN[4:], url],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for(check: Callable[[], Any], timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


def bearer(db: Database, settings: Settings, who: Principal) -> dict[str, str]:
    from liveport.accounts.services import issue_token

    with db.transaction() as session:
        token = issue_token(session, who.user_id, "api", None, secret=settings.secret("session_secret"))
    return {"Authorization": f"Bearer {token}"}


def write_segment(path: Path, frames: int = 25, first: int = 0) -> None:
    """One second of tiny H.264 video in MPEG-TS, its first frame at ``first`` / 25 s."""
    import av

    with av.open(str(path), "w", format="mpegts") as out:
        stream = out.add_stream("libx264", rate=25, options={"preset": "ultrafast", "g": "25"})
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for index in range(frames):
            frame = av.VideoFrame(64, 64, "yuv420p")
            frame.pts, frame.time_base = first + index, Fraction(1, 25)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
