"""The demo's outside parties: the five sandboxes served as their own process
(`liveport sandboxes`), as the e-CNY operator, the card acquirer, the single window, the
carrier and the identity service are in life. Liveport reaches them at their own port and
redirects anything that still asks it for /sandbox there (ADR 0014)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx

from liveport.core.settings import Settings

READY_WAIT_S = 60.0


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def start_sandboxes(settings: Settings) -> tuple[subprocess.Popen[bytes], str]:
    """Start the sandbox server and wait until it answers; returns it and its base URL."""
    port = settings.sandbox_port or _free_port(settings.host)
    base = f"http://{settings.host}:{port}"
    env = {**os.environ, "LIVEPORT_SANDBOX_BASE_URL": base}
    server = subprocess.Popen(
        [sys.executable, "-m", "liveport.cli", "sandboxes", "--port", str(port),
         "--data-dir", str(settings.data_dir.resolve())],
        env=env, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + READY_WAIT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the sandbox server stopped at start (exit {server.returncode})")
        try:
            if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_sandboxes(server)
    raise RuntimeError(f"the sandbox server did not answer at {base} within {READY_WAIT_S:.0f} s")


def stop_sandboxes(server: subprocess.Popen[bytes] | None) -> None:
    if server is None or server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
