"""The managed nginx-rtmp configuration, rendered from settings. Pure text.

Two RTMP applications on one port:
- ``ingest`` takes the host's encoder under the stream key. It writes nothing (``hls off``)
  and nobody may play from it; its ``on_publish`` asks us, and our ``302`` to
  ``rtmp://127.0.0.1:<port>/show/<public id>`` makes nginx relay the stream there.
- ``show`` takes only that relay (loopback) and writes HLS under the public id: 1-second
  fragments named by wall-clock milliseconds, a short playlist, nothing deleted (the
  fragments are the recording).
Every path (pid, logs, temp, HLS) is in the data dir, so nginx runs without root. The
logs leave out the stream name: in ``ingest`` it is the key. The access log's format omits
it; the error log goes to stderr, where the app blanks keys before writing it to the data
dir (nginx-rtmp names the stream it relays at ``error`` level, and all at ``info``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from liveport.media.config import INGEST_APP, SHOW_APP

TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


@dataclass(frozen=True, slots=True)
class NginxLayout:
    root: Path  # <data dir>/media/nginx
    hls_root: Path  # <data dir>/media/hls
    module: Path
    listen: str
    port: int
    hook_base: str  # how nginx reaches this app, e.g. http://127.0.0.1:8000
    token: str
    fragment_s: int
    playlist_segments: int
    user: str | None = None  # set when started as root: workers then keep our user

    @property
    def conf(self) -> Path:
        return self.root / "nginx.conf"

    @property
    def pid(self) -> Path:
        return self.root / "nginx.pid"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def temp(self) -> Path:
        return self.root / "tmp"


def _hook(layout: NginxLayout, name: str) -> str:
    return f"{layout.hook_base}/media/hooks/{name}?token={layout.token}"


def render(layout: NginxLayout) -> str:
    user = f"user {layout.user};\n" if layout.user else ""
    listen = layout.port if layout.listen in ("0.0.0.0", "") else f"{layout.listen}:{layout.port}"
    temp = "\n".join(f"  {name}_temp_path {layout.temp / name};" for name in TEMP_DIRS)
    playlist_s = layout.fragment_s * layout.playlist_segments
    return f"""# Written by liveport at start-up; edits are lost. ADR 0009.
load_module {layout.module};
{user}daemon off;
master_process on;
worker_processes 1;
pid {layout.pid};
error_log stderr warn;

events {{
  worker_connections 1024;
}}

rtmp {{
  log_format liveport '$remote_addr [$time_local] $command "$app" $bytes_received $bytes_sent ($session_readable_time)';
  access_log {layout.logs / 'rtmp-access.log'} liveport;

  server {{
    listen {listen};
    chunk_size 4096;
    notify_method post;
    notify_relay_redirect off;

    application {INGEST_APP} {{
      live on;
      hls off;
      record off;
      deny play all;
      drop_idle_publisher 10s;
      on_publish {_hook(layout, 'publish')};
      on_publish_done {_hook(layout, 'publish_done')};
    }}

    application {SHOW_APP} {{
      live on;
      allow publish 127.0.0.1;
      deny publish all;
      allow play 127.0.0.1;
      deny play all;
      on_publish {_hook(layout, 'relay')};
      on_publish_done {_hook(layout, 'relay_done')};
      hls on;
      hls_path {layout.hls_root};
      hls_nested on;
      hls_fragment {layout.fragment_s}s;
      hls_playlist_length {playlist_s}s;
      hls_fragment_naming system;
      hls_continuous on;
      hls_cleanup off;
    }}
  }}
}}

http {{
  access_log off;
{temp}
}}
"""
