"""nginx-rtmp as a child process of the app: configured in the data dir, started in the
foreground at start-up, stopped with the app.

With several server processes (granian workers) one of them runs nginx: whoever takes the
lock file first. If the owner dies without stopping it, the kernel sends nginx SIGTERM
(``PR_SET_PDEATHSIG``); a master left from a hard crash is found by its pid file and
stopped before a new one starts.
"""
from __future__ import annotations

import ctypes
import getpass
import logging
import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import IO

from liveport.core.errors import ConfigurationError
from liveport.core.settings import Settings
from liveport.media import config
from liveport.media.domain import STREAM_KEY_PREFIX
from liveport.media.nginx_config import TEMP_DIRS, NginxLayout, render
from liveport.media.owner_lock import take_owner_lock
from liveport.media.protection import hook_secret

log = logging.getLogger("liveport.media")
PR_SET_PDEATHSIG = 1
KEY_PATTERN = re.compile(re.escape(STREAM_KEY_PREFIX) + r"[A-Za-z0-9_-]+")


def layout_for(settings: Settings) -> NginxLayout:
    root = config.media_dir(settings) / "nginx"
    return NginxLayout(
        root=root, hls_root=config.hls_dir(settings), module=settings.media_nginx_module,
        listen=settings.media_rtmp_listen, port=settings.media_rtmp_port,
        hook_base=config.hook_base_url(settings), token=hook_secret(settings),
        fragment_s=settings.media_fragment_s, playlist_segments=settings.media_playlist_segments,
        user=getpass.getuser() if os.geteuid() == 0 else None)


def _die_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


class ManagedNginx:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.layout = layout_for(settings)
        self.process: subprocess.Popen[bytes] | None = None
        self._lock: IO[str] | None = None

    def _take_lock(self) -> bool:
        self._lock = take_owner_lock(config.media_dir(self.settings) / "ingest.lock")
        return self._lock is not None

    def _stop_stale(self) -> None:
        try:
            pid = int(self.layout.pid.read_text().strip())
        except (OSError, ValueError):
            return
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return
        if str(self.layout.conf).encode() in cmdline and _alive(pid):
            log.warning("stopping nginx %s left behind by an earlier run", pid)
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 5
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)

    def start(self, timeout_s: float = 10.0) -> bool:
        """Start nginx and wait until its RTMP port answers; False when another process of
        this app already runs it."""
        if not self._take_lock():
            return False
        layout = self.layout
        for directory in (layout.logs, layout.hls_root, *(layout.temp / n for n in TEMP_DIRS)):
            directory.mkdir(parents=True, exist_ok=True)
        self._stop_stale()
        layout.conf.write_text(render(layout))
        self.process = subprocess.Popen(
            [self.settings.media_nginx_bin, "-p", str(layout.root), "-c", str(layout.conf),
             "-e", "stderr"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            # Only prctl() runs between fork and exec: no lock of ours can be held there.
            preexec_fn=_die_with_parent)  # noqa: PLW1509
        threading.Thread(target=self._copy_errors, args=(self.process,), name="nginx-errors",
                         daemon=True).start()
        host = "127.0.0.1" if layout.listen in config.LOOPBACK_HOSTS else layout.listen
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if _port_open(host, layout.port):
                log.info("nginx-rtmp listening on %s:%s", host, layout.port)
                return True
            time.sleep(0.05)
        self.stop()
        raise ConfigurationError(
            f"nginx did not start on port {layout.port}: {self.error_tail()}", code="nginx_failed")

    def _copy_errors(self, process: subprocess.Popen[bytes]) -> None:
        """nginx's error log, with stream keys blanked: nginx-rtmp names the stream it
        relays in an error-level line, and in the ingest application the name is the key."""
        assert process.stderr is not None
        with open(self.layout.logs / "error.log", "a", encoding="utf-8") as log_file:
            for raw in process.stderr:
                line = KEY_PATTERN.sub(STREAM_KEY_PREFIX + "<redacted>", raw.decode(errors="replace"))
                log_file.write(line)
                log_file.flush()

    def error_tail(self, lines: int = 5) -> str:
        try:
            text = (self.layout.logs / "error.log").read_text(errors="replace")
        except OSError:
            return "(no error log)"
        return " | ".join(text.strip().splitlines()[-lines:])

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout_s: float = 5.0) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            # Fast shutdown: a graceful one (SIGQUIT) would wait for connected encoders.
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=timeout_s)
        if self._lock is not None:
            self._lock.close()
            self._lock = None
