"""Start-up hook: run the ingest the settings resolve to (``config.ingest_mode``).

- nginx: write the config into the data dir and run nginx as a child (one per machine's
  data dir: the first server process to take the lock runs it);
- embedded: the PyAV listener thread on loopback;
- external / off: nothing runs here (an external origin only calls the hooks).
Streams marked live by an earlier run are reset first: nobody is publishing yet.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from liveport.core.clock import utcnow
from liveport.core.errors import ConfigurationError
from liveport.media import config, hls_files, services
from liveport.media.domain import IngestMode
from liveport.media.ports import Ingest
from liveport.media.protection import StreamKeyProtector

if TYPE_CHECKING:
    from liveport.context import AppContext

PROTECTOR_KEY = "media_key_protector"
INGEST_KEY = "media_ingest"
log = logging.getLogger("liveport.media")


def protector_of(ctx: AppContext) -> StreamKeyProtector:
    protector = ctx.extras.get(PROTECTOR_KEY)
    if protector is None:
        protector = ctx.extras[PROTECTOR_KEY] = StreamKeyProtector(ctx.settings)
    return protector


def _reset(ctx: AppContext) -> None:
    for public_id in services.reset_live_streams(ctx.db, utcnow()):
        hls_files.mark_offline(config.stream_dir(ctx.settings, public_id))


def start_media(ctx: AppContext) -> Callable[[], None] | None:
    """Listed in STARTUP_HOOKS; returns the stop callable."""
    mode = config.ingest_mode(ctx.settings)
    if mode is IngestMode.NGINX:
        from liveport.media.managed_nginx import ManagedNginx

        nginx: Ingest = ManagedNginx(ctx.settings)
        try:
            if not nginx.start():
                log.info("nginx-rtmp runs in another server process")
                return None
        except ConfigurationError as exc:
            # No video must not mean no shop (DESIGN.md §1): serve everything else.
            log.error("media ingest not started: %s", exc.message)
            return None
        _reset(ctx)
        ctx.extras[INGEST_KEY] = nginx
        return nginx.stop
    if mode is IngestMode.EMBEDDED:
        from liveport.media.embedded import EmbeddedIngest

        ingest: Ingest = EmbeddedIngest(ctx.settings, ctx.db, protector_of(ctx))
        if not ingest.start():
            log.info("the embedded ingest runs in another server process")
            return None
        _reset(ctx)
        ctx.extras[INGEST_KEY] = ingest
        log.info("embedded ingest on %s (loopback, no key check)", config.rtmp_server_url(ctx.settings))
        return ingest.stop
    return None
