"""What the media settings resolve to: the ingest in use, paths in the data dir, and the
URLs each party is given (the encoder, the media server's callbacks, the viewer's player)."""
from __future__ import annotations

import shutil
from pathlib import Path

from liveport.core.settings import Settings
from liveport.media.domain import IngestMode, PublishWindow, window_of

INGEST_APP = "ingest"  # where encoders publish (rtmp://host:port/ingest + key)
SHOW_APP = "show"  # where the ingest relays to, under the public id; writes HLS
HLS_ROUTE = "/media/hls"
LOOPBACK_HOSTS = {"0.0.0.0", "127.0.0.1", "localhost", "::", "::1", ""}


def nginx_available(settings: Settings) -> bool:
    return shutil.which(settings.media_nginx_bin) is not None and settings.media_nginx_module.is_file()


def embedded_available() -> bool:
    try:
        import av  # noqa: F401
    except ImportError:
        return False
    return True


def ingest_mode(settings: Settings) -> IngestMode:
    if settings.media_ingest != "auto":
        return IngestMode(settings.media_ingest)
    if settings.env == "test":
        return IngestMode.OFF  # a test process builds many apps: media only where asked
    if nginx_available(settings):
        return IngestMode.NGINX
    return IngestMode.EMBEDDED if embedded_available() else IngestMode.OFF


def media_dir(settings: Settings) -> Path:
    return settings.data_dir.resolve() / "media"


def hls_dir(settings: Settings) -> Path:
    return media_dir(settings) / "hls"


def stream_dir(settings: Settings, public_id: str) -> Path:
    return hls_dir(settings) / public_id


def publish_window(settings: Settings) -> PublishWindow:
    return window_of(settings.media_publish_lead_minutes, settings.media_publish_grace_minutes)


def hook_base_url(settings: Settings) -> str:
    if settings.media_hook_base_url:
        return settings.media_hook_base_url.rstrip("/")
    host = "127.0.0.1" if settings.host in LOOPBACK_HOSTS else settings.host
    return f"http://{host}:{settings.port}"


def rtmp_server_url(settings: Settings) -> str:
    """The "Server" an encoder (OBS) is given; the stream key goes in its own field."""
    if settings.media_rtmp_public_url:
        return settings.media_rtmp_public_url.rstrip("/")
    host = settings.media_rtmp_listen
    if host in LOOPBACK_HOSTS or ingest_mode(settings) is IngestMode.EMBEDDED:
        host = "127.0.0.1"
    return f"rtmp://{host}:{settings.media_rtmp_port}/{INGEST_APP}"


def playback_base(settings: Settings) -> str:
    """Where players fetch /<public id>/<file>: a CDN or origin, else this app."""
    return (settings.media_hls_base_url or HLS_ROUTE).rstrip("/")


def live_url(settings: Settings, public_id: str) -> str:
    return f"{playback_base(settings)}/{public_id}/index.m3u8"


def replay_url(settings: Settings, public_id: str) -> str:
    return f"{playback_base(settings)}/{public_id}/vod.m3u8"
