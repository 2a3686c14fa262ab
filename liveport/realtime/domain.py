"""The live room's rules (DESIGN.md §7): the event envelope and its per-channel ``seq``,
the room state a snapshot shows, chat text rules, blocked words, like batches, the
purchase ticker's masking. Pure: no database, network or framework.

Wire format: every event is ``{"v":1,"seq":n,"ts":"…Z","type":"…","data":{…}}``. The
publisher serializes everything but the sequence number once (``event_body``); the broker
assigns ``seq`` and prefixes it (``frame``), so every server process relays the same bytes
to every viewer. Replies addressed to one connection carry ``"seq": null`` and stand
outside the channel's sequence.
"""
from __future__ import annotations

import re
import unicodedata
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import orjson

from liveport.core.errors import AppError, RateLimited, ValidationFailed

PROTOCOL_VERSION = 1
FRAME_PREFIX = b'{"v":1,"seq":'
CHAT_HISTORY = 50


class EventType(StrEnum):
    SNAPSHOT = "snapshot"
    CHAT_MESSAGE = "chat.message"
    CHAT_REMOVED = "chat.removed"
    LIKE_TOTAL = "like.total"
    VIEWERS_COUNT = "viewers.count"
    PIN_SET = "pin.set"
    PIN_CLEARED = "pin.cleared"
    DROP_COUNTDOWN = "drop.countdown"
    DROP_OPENED = "drop.opened"
    DROP_STOCK = "drop.stock"
    DROP_SOLD_OUT = "drop.sold_out"
    DROP_CLOSED = "drop.closed"
    TICKER_PURCHASE = "ticker.purchase"
    HOST_ANNOUNCEMENT = "host.announcement"
    USER_MUTED = "user.muted"
    # Extensions (docs/realtime/room-events.md): a ban, and a sanction lifted.
    USER_BANNED = "user.banned"
    USER_UNMUTED = "user.unmuted"


DROP_EVENTS = frozenset(t for t in EventType if t.value.startswith("drop."))
REPLY = "reply"  # to one connection, outside the sequence


@dataclass(frozen=True, slots=True)
class RoomRules:
    """Limits of a room. Defaults are what the benchmark and the tests were run with."""

    max_chat_chars: int = 200
    chat_per_window: int = 5  # messages per user per window, across server processes
    chat_window_s: int = 10
    max_like_taps: int = 100  # per like message (a client batches its taps)
    like_messages_per_s: float = 5.0  # per connection; more are ignored
    like_flush_s: float = 0.2  # like totals go out at most this often per room ...
    like_flush_viewers: int = 2_500  # ... up to this many viewers; bigger rooms less often
    like_flush_max_s: float = 1.0
    presence_every_s: float = 1.0  # viewer counts go out at most this often per room
    presence_stale_s: float = 5.0  # a server process silent this long no longer counts
    queue_limit: int = 128  # events waiting for one connection before it drops to a snapshot
    stall_close_s: float = 20.0  # a send not finished this long closes the connection
    max_resyncs_per_minute: int = 3  # more snapshots than this in a minute: disconnect
    snapshot_requests_per_s: float = 1.0
    max_inbound_bytes: int = 2048
    max_mute_minutes: int = 7 * 24 * 60


def like_interval_s(viewers: int, rules: RoomRules) -> float:
    """How often a room's like total goes out: every ``like_flush_s`` in a room of up to
    ``like_flush_viewers``, less often in proportion beyond (at most every
    ``like_flush_max_s``), so that a counter's share of the fan-out stays the same as the
    crowd grows (10,000 viewers: 0.8 s)."""
    scale = max(1.0, viewers / rules.like_flush_viewers)
    return min(rules.like_flush_max_s, rules.like_flush_s * scale)


def channel_of(show_id: int) -> str:
    return f"show:{show_id}"


def event_ts(moment: datetime) -> str:
    """Microseconds, so that delivery latency can be measured from it."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def event_body(event_type: str, data: dict[str, Any], ts: str) -> bytes:
    """The envelope after ``seq`` (``,"ts":…,"type":…,"data":…}``), serialized once."""
    return b"," + orjson.dumps({"ts": ts, "type": event_type, "data": data})[1:]


def frame(seq: int, body: bytes) -> bytes:
    return FRAME_PREFIX + str(seq).encode() + body


def counter_body_parts(event_type: str, key: str, ts: str) -> tuple[bytes, bytes]:
    """A counter event's body split around its number, for a broker that fills it in
    atomically with the count it just computed (``like.total``, ``viewers.count``)."""
    body = event_body(event_type, {key: 0}, ts)
    cut = body.rindex(b"0}}")
    return body[:cut], body[cut + 1:]


def seq_of(raw: bytes) -> int:
    if not raw.startswith(FRAME_PREFIX):
        raise ValueError("not a room event frame")
    end = raw.index(b",", len(FRAME_PREFIX))
    return int(raw[len(FRAME_PREFIX):end])


def reply(ts: str, data: dict[str, Any]) -> bytes:
    return orjson.dumps({"v": PROTOCOL_VERSION, "seq": None, "ts": ts, "type": REPLY, "data": data})


def is_gap(last_seq: int, seq: int) -> bool:
    """A client that already holds ``last_seq`` misses events when ``seq`` skips ahead."""
    return last_seq > 0 and seq > last_seq + 1


# ---- room state (what a snapshot shows) ---------------------------------------------------


@dataclass
class RoomState:
    """A room as of ``seq``: built from the stores, then kept by applying each event in
    order. Every event carries absolute values or ids, so applying one that the stores
    already reflected changes nothing."""

    seq: int = 0
    pinned: dict[str, Any] | None = None
    drops: dict[int, dict[str, Any]] = field(default_factory=dict)
    likes: int = 0
    viewers: int = 0
    chat: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=CHAT_HISTORY))

    def apply(self, seq: int, event_type: str, data: dict[str, Any]) -> None:
        self.seq = max(self.seq, seq)
        if event_type == EventType.CHAT_MESSAGE:
            if all(m["id"] != data["id"] for m in self.chat):
                self.chat.append(data)
        elif event_type == EventType.CHAT_REMOVED:
            gone = set(data.get("ids", ()))
            kept = [m for m in self.chat if m["id"] not in gone]
            self.chat.clear()
            self.chat.extend(kept)
        elif event_type == EventType.LIKE_TOTAL:
            self.likes = max(self.likes, int(data["total"]))
        elif event_type == EventType.VIEWERS_COUNT:
            self.viewers = int(data["count"])
        elif event_type == EventType.PIN_SET:
            self.pinned = data
        elif event_type == EventType.PIN_CLEARED:
            self.pinned = None
        elif event_type in DROP_EVENTS:
            self._drop(event_type, data)

    def _drop(self, event_type: str, data: dict[str, Any]) -> None:
        drop_id = int(data["drop_id"])
        if event_type == EventType.DROP_CLOSED:
            self.drops.pop(drop_id, None)
            return
        drop = self.drops.setdefault(drop_id, {"drop_id": drop_id, "state": "open"})
        drop.update(data)
        if event_type == EventType.DROP_COUNTDOWN:
            drop["state"] = "countdown"
        elif event_type == EventType.DROP_OPENED:
            drop["state"] = "open"
        elif event_type == EventType.DROP_SOLD_OUT:
            drop["on_sale"] = 0

    def snapshot_data(self) -> dict[str, Any]:
        return {
            "pinned": self.pinned,
            "drops": [self.drops[k] for k in sorted(self.drops)],
            "likes": self.likes,
            "viewers": self.viewers,
            "chat": list(self.chat),
        }


def snapshot_head(state: RoomState, ts: str) -> bytes:
    """A snapshot frame without its closing ``}}``: each connection appends its own
    ``"you"`` part (who it is signed in as, whether it may chat)."""
    body = orjson.dumps({"v": PROTOCOL_VERSION, "seq": state.seq, "ts": ts,
                         "type": EventType.SNAPSHOT.value, "data": state.snapshot_data()})
    return body[:-2]


def snapshot_frame(head: bytes, you: dict[str, Any]) -> bytes:
    return head + b',"you":' + orjson.dumps(you) + b"}}"


# ---- chat ---------------------------------------------------------------------------------


class ChatRefused(AppError):
    code = "chat_refused"
    status = 422
    message = "That message cannot be posted."


_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_SPACES = re.compile(r"\s+")


def clean_chat_text(text: str, max_chars: int) -> str:
    """One line of visible text: NFC, no control or invisible formatting characters
    (they hide words from the blocked-word check and reorder what others see), runs of
    white space as one space. HTML is not touched: pages escape it where they show it."""
    if not isinstance(text, str):
        raise ChatRefused("A chat message is text.", code="chat_invalid")
    text = _SPACES.sub(" ", _CONTROL.sub("", unicodedata.normalize("NFC", text))).strip()
    if not text:
        raise ChatRefused("The message is empty.", code="chat_empty")
    if len(text) > max_chars:
        raise ChatRefused(f"A message has at most {max_chars} characters.", code="chat_too_long",
                          details={"max_chars": max_chars})
    return text


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


_WORD = re.compile(r"[0-9a-z]+")


def normalise_blocked_word(word: str) -> str:
    folded = "".join(ch for ch in _fold(word) if ch.isalnum())
    if not 1 <= len(folded) <= 64:
        raise ValidationFailed("A blocked word has 1 to 64 letters or digits.", code="invalid_blocked_word")
    return folded


def find_blocked_word(text: str, words: Iterable[str]) -> str | None:
    """The first blocked word the text contains, or None.

    Words are compared after NFKC and case folding, ignoring everything but letters and
    digits, so full-width letters, spacing and punctuation do not slip one through
    ("Ｓ ＰＡ-Ｍ" holds "spam"). A word of Latin letters and digits must match whole words
    (or letters spelled out one by one: "s p a m"), so "class" does not trip on "ass"; any
    other word (Chinese has no spaces between words) matches anywhere in the text."""
    folded = _fold(text)
    squeezed = "".join(ch for ch in folded if ch.isalnum())
    tokens = _WORD.findall(folded)
    whole = set(tokens)
    spelled = "".join(t if len(t) == 1 else " " for t in tokens).split()
    for word in words:
        if word.isascii() and word.isalnum():
            if word in whole or any(word in run for run in spelled):
                return word
        elif word in squeezed:
            return word
    return None


def chat_rate_refusal(retry_after_s: int) -> RateLimited:
    return RateLimited("You are sending messages too fast.", code="chat_rate_limited",
                       details={"retry_after_s": retry_after_s})


def like_taps(count: object, rules: RoomRules) -> int:
    """Taps in one like message: a whole number, at most ``max_like_taps`` (more is cut)."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        return 0
    return min(count, rules.max_like_taps)


# ---- moderation ----------------------------------------------------------------------------


class SanctionKind(StrEnum):
    MUTE = "mute"  # may watch and like, may not chat
    BAN = "ban"  # may not join signed in, chat or like; open sockets are closed


@dataclass(frozen=True, slots=True)
class Standing:
    """What the room lets a signed-in person do now, after sanctions."""

    banned: bool = False
    muted_until: datetime | None = None
    muted_forever: bool = False

    def muted(self, now: datetime) -> bool:
        return self.muted_forever or (self.muted_until is not None and self.muted_until > now)


@dataclass(frozen=True, slots=True)
class ActiveSanction:
    """A sanction in force, as the room checks a joining person against it."""

    kind: SanctionKind
    user_id: int
    identity_hashes: frozenset[str]  # the target's at the time, and its account's now
    expires_at: datetime | None


def standing_of(sanctions: Iterable[ActiveSanction], user_id: int, identity_hash: str | None,
                now: datetime) -> Standing:
    """The same rule as the database check (moderation.standing_in), over a cached list."""
    banned, forever, until = False, False, None
    for s in sanctions:
        if s.expires_at is not None and s.expires_at <= now:
            continue
        if s.user_id != user_id and (identity_hash is None or identity_hash not in s.identity_hashes):
            continue
        if s.kind is SanctionKind.BAN:
            banned = True
        elif s.expires_at is None:
            forever = True
        elif until is None or s.expires_at > until:
            until = s.expires_at
    return Standing(banned=banned, muted_until=None if forever else until, muted_forever=forever)


def sanction_end(now: datetime, minutes: int | None, rules: RoomRules) -> datetime | None:
    if minutes is None:
        return None
    if not 1 <= minutes <= rules.max_mute_minutes:
        raise ValidationFailed(f"A sanction lasts 1 to {rules.max_mute_minutes} minutes, or until lifted.",
                               code="invalid_duration")
    return now + timedelta(minutes=minutes)


# ---- the purchase ticker ------------------------------------------------------------------


def mask_buyer(display_name: str) -> str:
    """王小明 → 王**, Anna → A***: enough for a live ticker, not enough to identify."""
    name = display_name.strip()
    if not name:
        return "***"
    return name[0] + "*" * max(2, min(len(name) - 1, 3))


def ticker_data(display_name: str, city: str | None, product_id: int, product_name: str,
                product_name_en: str, qty: int) -> dict[str, Any]:
    return {"buyer": mask_buyer(display_name), "city": (city or "").strip()[:40] or None,
            "product_id": product_id, "product_name": product_name,
            "product_name_en": product_name_en, "qty": qty}
