from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from liveport.catalog.schemas import Id

StreamMs = Field(None, ge=0, le=2_147_483_647, description="stream time in ms (default: since the show went live)")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PinIn(Strict):
    product_id: Id
    stream_ms: int | None = StreamMs


class AnnouncementIn(Strict):
    text: str = Field(min_length=1, max_length=2000)


class SanctionIn(Strict):
    user_id: Id
    kind: Literal["mute", "ban"]
    minutes: int | None = Field(None, ge=1, description="none: until lifted")
    reason: str = Field("", max_length=200)
    everywhere: bool = Field(False, description="every room (moderators and operators only)")


class BlockedWordIn(Strict):
    word: str = Field(min_length=1, max_length=200)


class RoomSnapshotOut(BaseModel):
    seq: int
    pinned: dict[str, Any] | None
    drops: list[dict[str, Any]]
    likes: int
    viewers: int
    chat: list[dict[str, Any]]


class PinSetOut(BaseModel):
    pin_id: int
    product_id: int
    sku: str
    name_zh: str
    name_en: str
    price_cny: str
    pinned_at: str
    stream_ms: int | None


class PinOut(BaseModel):
    pin_id: int
    product_id: int
    name_zh: str
    name_en: str
    pinned_at: datetime
    unpinned_at: datetime | None
    stream_start_ms: int | None
    stream_end_ms: int | None


class AnnouncementOut(BaseModel):
    text: str


class SanctionOut(BaseModel):
    id: int
    user_id: int
    display_name: str
    kind: str
    everywhere: bool
    reason: str
    created_at: datetime
    expires_at: datetime | None


class SanctionMadeOut(BaseModel):
    sanction_id: int
    kind: str
    user_id: int
    until: datetime | None
    removed_message_ids: list[int]


class BlockedWordOut(BaseModel):
    id: int
    show_id: int | None
    word: str
    created_at: datetime
