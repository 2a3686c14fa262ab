"""Replays: the show's recording as one VOD playlist, chaptered by the pin timeline, each
chapter with what a viewer needs to buy the product (price, what is left)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from liveport.catalog import services as catalog
from liveport.core.db import Database
from liveport.core.errors import NotFound
from liveport.core.settings import Settings
from liveport.media import config, recording
from liveport.media.domain import PinSpan, chapters
from liveport.media.services import stream_status
from liveport.realtime.services import pin_timeline


@dataclass(frozen=True, slots=True)
class ReplayChapter:
    product_id: int
    name_zh: str
    name_en: str
    start_s: float
    end_s: float
    price_cny: Decimal
    available: int


@dataclass(frozen=True, slots=True)
class Replay:
    show_id: int
    playlist_url: str
    duration_s: float
    live: bool  # still streaming: the recording grows
    chapters: tuple[ReplayChapter, ...]


def replay(db: Database, settings: Settings, show_id: int) -> Replay:
    status = stream_status(db, show_id)
    if status.public_id is None:
        raise NotFound("This show has no recording.", code="no_recording")
    segments = recording.refresh_replay(config.stream_dir(settings, status.public_id))
    if not segments:
        raise NotFound("This show has no recording.", code="no_recording")
    pins = pin_timeline(db, show_id)
    spans = [PinSpan(p.product_id, p.pinned_at, p.unpinned_at) for p in pins]
    names = {p.product_id: (p.name_zh, p.name_en) for p in pins}
    found = chapters(spans, segments)
    listed = {item.product.id: item for item in
              catalog.list_products(db, product_ids=sorted({c.product_id for c in found}))} if found else {}
    out = []
    for chapter in found:
        item = listed.get(chapter.product_id)
        zh, en = names[chapter.product_id]
        out.append(ReplayChapter(chapter.product_id, zh, en, chapter.start_s, chapter.end_s,
                                 item.product.price_cny if item else Decimal(0),
                                 item.available if item else 0))
    return Replay(show_id, config.replay_url(settings, status.public_id),
                  round(sum(s.duration_s for s in segments), 3), status.state == "live", tuple(out))
