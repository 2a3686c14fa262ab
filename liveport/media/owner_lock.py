"""One ingest per data dir: the first server process to take the lock file runs it."""
from __future__ import annotations

import fcntl
from pathlib import Path
from typing import IO


def take_owner_lock(path: Path) -> IO[str] | None:
    """The open lock file (hold it while running; closing releases it), or None when
    another process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "w")  # noqa: SIM115 - held until the ingest stops
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle
