"""Room fixtures. The test databases are built by the migrations, which do not hold the
room tables until the next generated migration: create the missing model tables right
after the upgrade (the same bridge as tests/integration/flashsale/conftest.py; remove it
once the migration has them)."""
from __future__ import annotations

import tests.conftest as root
from liveport.realtime import models  # noqa: F401 - the room tables in Base.metadata
from liveport.schema import metadata


def _add_missing_tables_after_upgrade() -> None:
    if getattr(root._prepared_database, "adds_flash_tables", False) or \
            getattr(root._prepared_database, "adds_room_tables", False):
        return
    upgraded = root._prepared_database

    def prepared(kind: str, url: str):  # type: ignore[no-untyped-def]
        db = upgraded(kind, url)
        metadata().create_all(db.engine, checkfirst=True)
        return db

    prepared.adds_room_tables = True  # type: ignore[attr-defined]
    root._prepared_database = prepared


_add_missing_tables_after_upgrade()
