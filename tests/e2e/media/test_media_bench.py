"""`liveport bench media` at its smallest: it serves Liveport, films with the synthetic
camera, reads the capture times back from chromium's displayed frames and reports the
figures (the full runs are by hand: ADR 0009)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from liveport.media.bench import CHROMIUM, run_media_bench
from tests.conftest import missing

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]


def test_the_media_bench_measures_glass_to_glass_on_displayed_frames(capsys):
    if not Path(CHROMIUM).exists():
        missing(f"{CHROMIUM} is missing (apt-get install --no-install-recommends chromium)")
    result = run_media_bench("auto", seconds=5, json_out=True)
    printed = capsys.readouterr().out.strip().splitlines()
    assert json.loads(printed[-1]) == result
    assert result["mode"] in ("nginx", "embedded")
    g2g, segments = result["glass_to_glass_s"], result["segment_delay_s"]
    assert 0.2 < g2g["median"] <= g2g["p95"] < 8
    assert 0.2 < segments["median"] < 5
    assert result["frames_read"] >= 5 * 20 and result["frames_unreadable"] <= result["frames_read"] // 10
    assert result["segments_seen"] >= 3
