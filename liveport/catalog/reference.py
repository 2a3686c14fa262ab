"""Reference data shipped as files: the customs code tables and the positive list.

The code tables are built from ../shared by scripts/build_customs_codes.py and never change at
run time. The positive list is a file the operator maintains (``settings.positive_list_file``
overrides the shipped one); it is re-read when the file changes, so an edit takes effect
without a restart, and a broken edit is refused with the previous list kept.
"""

from __future__ import annotations

import csv
import json
import logging
import threading
from functools import lru_cache
from pathlib import Path

from liveport.catalog.domain import CodeTables, PositiveList, code_tables_from, parse_positive_list
from liveport.core.errors import ConfigurationError
from liveport.core.settings import Settings

DATA_DIR = Path(__file__).resolve().parent / "data"
CUSTOMS_CODES_FILE = DATA_DIR / "customs_codes.json"
POSITIVE_LIST_FILE = DATA_DIR / "positive_list.csv"

log = logging.getLogger("liveport.catalog")


@lru_cache(maxsize=1)
def code_tables() -> CodeTables:
    return code_tables_from(json.loads(CUSTOMS_CODES_FILE.read_text(encoding="utf-8")))


def load_positive_list(path: Path) -> PositiveList:
    with path.open(encoding="utf-8", newline="") as handle:
        return parse_positive_list(csv.DictReader(handle))


_cache: dict[Path, tuple[tuple[int, int], PositiveList]] = {}
_lock = threading.Lock()


def positive_list_path(settings: Settings) -> Path:
    return settings.positive_list_file or POSITIVE_LIST_FILE


def current_positive_list(settings: Settings) -> PositiveList:
    """The list in force now: reloaded when the file's size or modification time changes."""
    path = positive_list_path(settings)
    try:
        stat = path.stat()
    except OSError as exc:
        raise ConfigurationError(
            f"The positive list file {path} cannot be read.", code="positive_list_missing"
        ) from exc
    stamp = (stat.st_mtime_ns, stat.st_size)
    with _lock:
        cached = _cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            plist = load_positive_list(path)
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            if cached is not None:
                log.error("positive list %s not reloaded, keeping the previous one: %s", path, exc)
                # Remember the broken version so it is reported once, not on every product.
                _cache[path] = (stamp, cached[1])
                return cached[1]
            raise ConfigurationError(
                f"The positive list file {path} is not valid: {exc}", code="positive_list_invalid"
            ) from exc
        _cache[path] = (stamp, plist)
        return plist
