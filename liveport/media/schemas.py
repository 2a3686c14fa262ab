from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field


class StreamSettingsOut(BaseModel):
    """For the show's hosts only: what goes into the encoder (OBS: Server, Stream Key)."""

    show_id: int
    server_url: str = Field(description="OBS: Settings → Stream → Server")
    stream_key: str = Field(description="OBS: Stream Key; secret, never shown to viewers")
    ingest: Literal["nginx", "embedded", "external", "off"]
    checks_key: bool = Field(description="false for the embedded ingest: loopback only, any key")
    state: Literal["offline", "live"]
    live_url: str = Field(description="the viewers' HLS playlist (public id, no key)")


class StreamStatusOut(BaseModel):
    show_id: int
    show_status: Literal["scheduled", "live", "ended"]
    state: Literal["offline", "live"]
    live_url: str | None
    replay_url: str | None


class ReplayChapterOut(BaseModel):
    product_id: int
    name_zh: str
    name_en: str
    start_s: float
    end_s: float
    price_cny: Decimal
    available: int


class ReplayOut(BaseModel):
    show_id: int
    playlist_url: str
    duration_s: float
    live: bool
    chapters: list[ReplayChapterOut]
