"""The synthetic camera's caption: the product pinned in the show now, read from the
database at most once a second (the picture keeps the last one if a read fails)."""
from __future__ import annotations

import logging
import time
from pathlib import Path

from liveport.core.db import Database
from liveport.core.settings import get_settings
from liveport.realtime.services import room_records

log = logging.getLogger("liveport.media")
EVERY_S = 1.0


class PinnedCaption:
    def __init__(self, db: Database, show_id: int) -> None:
        self.db, self.show_id = db, show_id
        self._text, self._at = "", 0.0

    @classmethod
    def from_data_dir(cls, data_dir: str | None, show_id: int) -> PinnedCaption:
        settings = get_settings()
        if data_dir is not None:
            settings = settings.model_copy(update={"data_dir": Path(data_dir)})
        return cls(Database(settings.resolved_database_url), show_id)

    def __call__(self) -> str:
        if time.monotonic() - self._at < EVERY_S:
            return self._text
        self._at = time.monotonic()
        try:
            pinned = room_records(self.db, self.show_id).pinned
        except Exception:  # a caption is not worth stopping the picture
            log.debug("camera caption not refreshed", exc_info=True)
            return self._text
        self._text = "" if pinned is None else (
            f"{pinned['name_zh']} · {pinned['name_en']}  ¥{pinned['price_cny']}")
        return self._text
