"""The managed nginx-rtmp configuration."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from liveport.media.nginx_config import NginxLayout, render

LAYOUT = NginxLayout(root=Path("/data/media/nginx"), hls_root=Path("/data/media/hls"),
                     module=Path("/usr/lib/nginx/modules/ngx_rtmp_module.so"), listen="127.0.0.1",
                     port=19350, hook_base="http://127.0.0.1:8000", token="s3cret-token",
                     fragment_s=1, playlist_segments=4)


def _block(text: str, name: str) -> str:
    return re.search(r"application " + name + r" \{(.*?)\n    \}", text, re.DOTALL).group(1)


def test_every_path_is_in_the_data_dir_and_nginx_stays_in_the_foreground():
    text = render(LAYOUT)
    assert text.splitlines()[1] == "load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;"
    assert "daemon off;" in text and "pid /data/media/nginx/nginx.pid;" in text
    assert "access_log /data/media/nginx/logs/rtmp-access.log liveport;" in text
    assert "error_log stderr warn;" in text
    temp = re.findall(r"(\w+_temp_path) (\S+);", text)
    assert temp == [(f"{n}_temp_path", f"/data/media/nginx/tmp/{n}")
                    for n in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")]
    assert "user " not in text
    assert "user liveport;" in render(replace(LAYOUT, user="liveport"))


def test_the_ingest_writes_nothing_and_asks_us_with_the_token():
    ingest = _block(render(LAYOUT), "ingest")
    assert "hls off;" in ingest and "record off;" in ingest and "deny play all;" in ingest
    assert "on_publish http://127.0.0.1:8000/media/hooks/publish?token=s3cret-token;" in ingest
    assert "on_publish_done http://127.0.0.1:8000/media/hooks/publish_done?token=s3cret-token;" in ingest


def test_the_show_application_takes_only_the_local_relay_and_writes_short_hls():
    show = _block(render(LAYOUT), "show")
    assert "allow publish 127.0.0.1;\n      deny publish all;" in show
    for line in ("hls on;", "hls_path /data/media/hls;", "hls_nested on;", "hls_fragment 1s;",
                 "hls_playlist_length 4s;", "hls_fragment_naming system;", "hls_cleanup off;"):
        assert line in show
    assert "on_publish http://127.0.0.1:8000/media/hooks/relay?token=s3cret-token;" in show


def test_the_access_log_leaves_the_stream_name_out():
    log_format = re.search(r"log_format liveport '([^']*)';", render(LAYOUT)).group(1)
    assert "$name" not in log_format and "$args" not in log_format
