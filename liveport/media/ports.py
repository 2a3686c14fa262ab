"""What the app needs from an ingest it runs itself (managed nginx-rtmp, embedded PyAV).

Contract (tests/e2e/media/test_ingest_contract.py, on both adapters): an encoder publishing
a show's stream to ``config.rtmp_server_url`` with its key gets playable HLS under the
show's public id, listed in ``index.m3u8`` while it publishes; when it stops, the stream is
offline, the live playlist is withdrawn and the recording is a replay. An external origin
keeps the same contract through the hooks (docs/media/scale-out.md).
"""
from __future__ import annotations

from typing import Protocol


class Ingest(Protocol):
    def start(self) -> bool:
        """Start taking encoders; False when another server process of this data dir does."""

    def stop(self) -> None:
        """Stop taking encoders and release what start took (with the app)."""
