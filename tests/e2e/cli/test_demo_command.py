"""`liveport demo` from nothing: seeds a night, serves it, prints the accounts, stops on Ctrl-C."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"demo exited early with {process.returncode}: {process.stdout.read()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError("demo did not become healthy in time")


def _wait_on_air(url: str, show_id: int, process: subprocess.Popen, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"demo exited early with {process.returncode}")
        status = httpx.get(f"{url}/api/v1/shows/{show_id}/stream/status", timeout=5).json()
        if status["live_url"]:
            playlist = httpx.get(url + status["live_url"], timeout=5)
            if playlist.status_code == 200 and ".ts" in playlist.text:
                return playlist.text
        time.sleep(0.5)
    raise AssertionError("the demo's camera did not go on air in time")


# auto: managed nginx-rtmp where installed; embedded: what a machine without it gets
@pytest.mark.parametrize("ingest", ["auto", "embedded"])
def test_demo_serves_a_seeded_night_and_stops_cleanly(tmp_path, ingest):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEPORT_")}
    env["LIVEPORT_MEDIA_RTMP_PORT"] = str(_free_port())  # not 1935: another demo may hold it
    if ingest != "auto":
        env["LIVEPORT_MEDIA_INGEST"] = ingest
    process = subprocess.Popen(
        [sys.executable, "-m", "liveport.cli", "demo", "--port", str(port), "--data-dir", str(tmp_path)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, seconds=120)
        shows = httpx.get(f"{url}/api/v1/shows", timeout=5).json()
        landing = httpx.get(url, timeout=5)
        products = httpx.get(f"{url}/api/v1/products", timeout=5).json()
        # the sandboxes are their own server; Liveport sends /sandbox requests there
        provider_key = httpx.get(f"{url}/sandbox/ecny/v1/provider-key", timeout=5, follow_redirects=True)
        # the synthetic camera goes on air: the live show's playlist lists segments
        video = _wait_on_air(url, shows[0]["id"], process, seconds=40)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
            raise AssertionError(f"demo did not stop on Ctrl-C: {output[-2000:]}")

    assert process.returncode == 0, output[-2000:]
    assert len(shows) == 2
    assert shows[0]["status"] == "live"
    assert shows[1]["status"] == "scheduled"
    assert landing.status_code == 200
    assert shows[0]["title"] in landing.text or shows[0]["title_en"] in landing.text
    assert len(products) >= 30
    assert provider_key.status_code == 200
    assert provider_key.json()["sign_type"] == "SM2"
    assert provider_key.url.port != port
    assert re.search(rf"^  Sandboxes http://127\.0\.0\.1:{provider_key.url.port}/sandbox/", output, re.MULTILINE)
    password = re.search(r"password for all: (\S+)\)", output).group(1)
    roles = set(re.findall(r"^\s+(operator|host|moderator|merchant|buyer)\s", output, re.MULTILINE))
    assert roles == {"operator", "host", "moderator", "merchant", "buyer"}
    assert len(password) >= 10
    assert video.startswith("#EXTM3U")
    modes = "nginx|embedded" if ingest == "auto" else ingest
    assert re.search(rf"^  Video     synthetic camera → ({modes}) ingest", output, re.MULTILINE)
