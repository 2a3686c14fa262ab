from __future__ import annotations

import os
import subprocess
import sys


def test_serve_with_two_workers_and_no_redis_refuses_to_start(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEPORT_")}
    env["LIVEPORT_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "liveport.cli", "serve", "--workers", "2"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2
    assert "redis_required" in done.stderr
    assert "LIVEPORT_REDIS_URL" in done.stderr
