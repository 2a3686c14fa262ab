"""Running the ASGI app under granian: the production setup and the demo's embedded one."""
from __future__ import annotations

import os

from liveport.context import check_process_model
from liveport.core.settings import Settings, get_settings


def export_settings(settings: Settings) -> None:
    """Worker processes read settings from the environment: hand ours down to them."""
    os.environ["LIVEPORT_ENV"] = settings.env
    os.environ["LIVEPORT_DATA_DIR"] = str(settings.data_dir.resolve())
    os.environ["LIVEPORT_HOST"] = settings.host
    os.environ["LIVEPORT_PORT"] = str(settings.port)
    os.environ["LIVEPORT_WORKERS"] = str(settings.workers)
    if settings.database_url:
        os.environ["LIVEPORT_DATABASE_URL"] = settings.database_url
    if settings.redis_url:
        os.environ["LIVEPORT_REDIS_URL"] = settings.redis_url
    os.environ["LIVEPORT_MOUNT_SANDBOXES"] = "1" if settings.mount_sandboxes else "0"
    if settings.sandbox_base_url:
        os.environ["LIVEPORT_SANDBOX_BASE_URL"] = settings.sandbox_base_url
    # Forked workers inherit this process's cached settings; make them read the above.
    get_settings.cache_clear()


def serve(settings: Settings) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    check_process_model(settings)
    export_settings(settings)
    Granian(
        "liveport.app:create_app",
        factory=True,
        address=settings.host,
        port=settings.port,
        interface=Interfaces.ASGI,
        workers=settings.workers,
        backlog=4096,
        log_level="warning",
    ).serve()


def serve_sandboxes(settings: Settings, port: int) -> None:
    """The sandboxes alone (`liveport sandboxes`), one worker: their stores are SQLite files
    and their queues live in the process."""
    from granian import Granian
    from granian.constants import Interfaces

    export_settings(settings)
    Granian(
        "liveport.app:create_sandboxes_app",
        factory=True,
        address=settings.host,
        port=port,
        interface=Interfaces.ASGI,
        workers=1,
        backlog=4096,
        log_level="warning",
    ).serve()
