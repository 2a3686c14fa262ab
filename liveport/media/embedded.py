"""The embedded ingest: an RTMP listener in this process (FFmpeg's, through PyAV) feeding
the HLS packager, for a machine without nginx.

FFmpeg's listener accepts whatever stream name the encoder sends, so it cannot check a
stream key: it binds to loopback only and feeds the one show ``services.accept_embedded``
picks. One encoder at a time; the thread waits for the next when it disconnects.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import IO, Any

from liveport.core.clock import utcnow
from liveport.core.db import Database
from liveport.core.settings import Settings
from liveport.media import config, hls_files, recording, services
from liveport.media.owner_lock import take_owner_lock
from liveport.media.protection import StreamKeyProtector
from liveport.media.segmenter import HlsSegmenter

log = logging.getLogger("liveport.media")
LISTEN_WAIT_S = 1  # how long one accept() waits before the thread checks for stop
READ_TIMEOUT_S = 5.0  # an encoder silent this long is gone
OPEN_TIMEOUT_S = 10.0
# Read what the encoder announces, not seconds of video, before starting to package.
PROBE = {"analyzeduration": "500000", "probesize": "500000", "fflags": "nobuffer"}


class EmbeddedIngest:
    def __init__(self, settings: Settings, db: Database, protector: StreamKeyProtector) -> None:
        self.settings, self.db, self.protector = settings, db, protector
        self.url = f"rtmp://127.0.0.1:{settings.media_rtmp_port}/{config.INGEST_APP}/embedded"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock: IO[str] | None = None
        self.sessions = 0

    def start(self) -> bool:
        """False when another server process of this data dir runs the ingest."""
        self._lock = take_owner_lock(config.media_dir(self.settings) / "ingest.lock")
        if self._lock is None:
            return False
        self._thread = threading.Thread(target=self._run, name="media-embedded-ingest", daemon=True)
        self._thread.start()
        return True

    def stop(self, timeout_s: float = READ_TIMEOUT_S + 2) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout_s)
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _run(self) -> None:
        import av

        while not self._stop.is_set():
            try:
                container = av.open(self.url, options={"listen": "1", "timeout": str(LISTEN_WAIT_S), **PROBE},
                                    timeout=(OPEN_TIMEOUT_S, READ_TIMEOUT_S))
            except (av.FFmpegError, OSError) as exc:
                if not isinstance(exc, TimeoutError):
                    log.debug("embedded ingest: no encoder (%s)", exc)
                    time.sleep(0.2)  # a failed handshake, not just nobody calling
                continue
            try:
                self._serve(container)
            except Exception:  # one broken encoder must not end the listener
                log.exception("embedded ingest session failed")
            finally:
                container.close()

    def _serve(self, container: Any) -> None:
        if not container.streams.video:
            log.warning("embedded ingest: an encoder without video was refused")
            return
        accepted = services.accept_embedded(self.db, self.protector, self.settings, "127.0.0.1", utcnow())
        if accepted is None:
            log.warning("embedded ingest: no show takes a stream now; encoder refused")
            return
        self.sessions += 1
        directory = config.stream_dir(self.settings, accepted.public_id)
        hls_files.mark_live(directory)
        streams = [container.streams.video[0], *container.streams.audio[:1]]
        segmenter = HlsSegmenter(directory, streams, target_s=self.settings.media_fragment_s,
                                 window=self.settings.media_playlist_segments)
        log.info("show %s goes live as %s (embedded)", accepted.show_id, accepted.public_id)
        try:
            for packet in container.demux(*streams):
                if self._stop.is_set():
                    break
                segmenter.add(packet)
        except (av_errors() + (OSError,)) as exc:
            log.info("embedded ingest: encoder gone (%s)", type(exc).__name__)
        finally:
            segmenter.close()
            hls_files.mark_offline(directory)
            services.end_publish_by_show(self.db, accepted.show_id, utcnow())
            recording.refresh_in_background(directory)
            log.info("stream %s is offline", accepted.public_id)


def av_errors() -> tuple[type[BaseException], ...]:
    import av

    return (av.FFmpegError,)
