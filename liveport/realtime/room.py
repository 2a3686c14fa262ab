"""The live room as the rest of Liveport uses it: viewer actions (chat, likes), staff
actions (pins, announcements, moderation), publishing events, and snapshots.

Database work runs in a thread (one service call = one unit of work); events go to the
broker after the commit. Every staff action goes through the services, which check who
may act and write the audit log, whether it came through the HTTP API or the room socket.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson

from liveport.accounts.domain import Principal, Role
from liveport.core.clock import iso_z, utcnow
from liveport.core.db import Database
from liveport.core.errors import Forbidden, NotFound, Unauthenticated
from liveport.realtime import moderation, services
from liveport.realtime.connection import Connection
from liveport.realtime.domain import (
    ActiveSanction,
    ChatRefused,
    EventType,
    RoomRules,
    RoomState,
    SanctionKind,
    Standing,
    channel_of,
    chat_rate_refusal,
    clean_chat_text,
    event_body,
    event_ts,
    find_blocked_word,
    like_taps,
    standing_of,
    ticker_data,
)
from liveport.realtime.hub import Hub
from liveport.realtime.ports import Broker, DropSource

ROOM_KEY = "room"
CHAT_ROLES = frozenset({Role.BUYER, Role.HOST, Role.MODERATOR, Role.OPERATOR})
LIKE_ROLES = frozenset({Role.BUYER})
WORDS_TTL_S = 2.0  # blocked words changed in another process apply within this
SHOW_TTL_S = 5.0
SANCTIONS_TTL_S = 2.0
MAX_ANNOUNCEMENT_CHARS = 500


class Room:
    def __init__(self, db: Database, broker: Broker, drops: DropSource, rules: RoomRules | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.broker = broker
        self.drops = drops
        self.rules = rules or RoomRules()
        self._clock = clock
        self.hub = Hub(broker, self._load_state, self.rules)
        self._words: dict[int, tuple[float, list[str]]] = {}
        self._shows: dict[int, tuple[float, str | None]] = {}
        self._sanctions: dict[int, tuple[float, list[ActiveSanction]]] = {}

    # ---- publishing --------------------------------------------------------------------------

    async def publish(self, show_id: int, event_type: str, data: dict[str, Any]) -> int:
        """Serialize the event once and hand it to the broker; returns its seq."""
        body = event_body(event_type, data, event_ts(self._clock()))
        return await self.broker.publish(channel_of(show_id), body)

    async def _signal(self, show_id: int, payload: dict[str, Any]) -> None:
        await self.broker.signal(channel_of(show_id), orjson.dumps(payload))

    async def publish_purchase(self, show_id: int, *, display_name: str, city: str | None,
                               product_id: int, product_name: str, product_name_en: str, qty: int) -> int:
        """The purchase ticker (for orders once paid): the buyer's name masked."""
        return await self.publish(show_id, EventType.TICKER_PURCHASE, ticker_data(
            display_name, city, product_id, product_name, product_name_en, qty))

    # ---- state and snapshots ----------------------------------------------------------------

    async def _load_state(self, show_id: int) -> RoomState:
        name = channel_of(show_id)
        seq = await self.broker.current_seq(name)  # first: the rest is at least this fresh
        records = await asyncio.to_thread(services.room_records, self.db, show_id)
        likes = await self.broker.like_total(name)
        viewers = await self.broker.viewer_count(name, int(self.rules.presence_stale_s * 1000))
        drops = await self.drops.live_drops(show_id)
        state = RoomState(seq=seq, pinned=records.pinned, likes=likes, viewers=viewers,
                          drops={d["drop_id"]: d for d in drops})
        state.chat.extend(records.chat)
        return state

    async def snapshot(self, show_id: int) -> dict[str, Any]:
        """The room as a late joiner sees it (for HTTP clients and pages)."""
        channel = self.hub.channels.get(show_id)
        if channel is not None and channel.ready.is_set() and channel.failed is None:
            state = channel.state
        else:
            await self.show_status(show_id, must_exist=True)
            state = await self._load_state(show_id)
        return {"seq": state.seq, **state.snapshot_data()}

    async def show_status(self, show_id: int, *, must_exist: bool = False) -> str | None:
        now = time.monotonic()
        cached = self._shows.get(show_id)
        if cached is None or cached[0] < now:
            status = await asyncio.to_thread(services.show_status, self.db, show_id)
            self._shows[show_id] = cached = (now + SHOW_TTL_S, status)
        if cached[1] is None and must_exist:
            raise NotFound("No such show.", code="show_not_found")
        return cached[1]

    async def standing(self, principal: Principal | None, show_id: int) -> Standing:
        """For a joining socket: from the room's sanctions, read at most every
        ``SANCTIONS_TTL_S`` (a crowd joining at once costs one query, not one each).
        Chat checks the database itself; sockets already open are told by a signal."""
        if principal is None:
            return Standing()
        now = time.monotonic()
        cached = self._sanctions.get(show_id)
        if cached is None or cached[0] < now:
            rows = await asyncio.to_thread(moderation.active_sanctions, self.db, show_id, self._clock())
            self._sanctions[show_id] = cached = (now + SANCTIONS_TTL_S, rows)
        return standing_of(cached[1], principal.user_id, principal.identity_hash, self._clock())

    # ---- viewers ------------------------------------------------------------------------------

    async def _blocked_words(self, show_id: int) -> list[str]:
        now = time.monotonic()
        cached = self._words.get(show_id)
        if cached is None or cached[0] < now:
            words = await asyncio.to_thread(moderation.blocked_words_for, self.db, show_id)
            self._words[show_id] = cached = (now + WORDS_TTL_S, words)
        return cached[1]

    def words_changed(self, show_id: int | None) -> None:
        if show_id is None:
            self._words.clear()
        else:
            self._words.pop(show_id, None)

    async def chat(self, principal: Principal | None, show_id: int, text: object) -> dict[str, Any]:
        if principal is None:
            raise Unauthenticated("Sign in to chat.", code="sign_in_to_chat")
        if principal.role not in CHAT_ROLES:
            raise Forbidden("This account cannot chat in rooms.", code="chat_not_allowed")
        clean = clean_chat_text(text, self.rules.max_chat_chars)  # type: ignore[arg-type]
        retry = await self.broker.allow(f"chat:{principal.user_id}", self.rules.chat_per_window,
                                        self.rules.chat_window_s)
        if retry:
            raise chat_rate_refusal(retry)
        if find_blocked_word(clean, await self._blocked_words(show_id)) is not None:
            raise ChatRefused("The message contains a word that is not allowed here.", code="blocked_word")
        data = await asyncio.to_thread(services.post_chat, self.db, principal, show_id, clean, self._clock())
        await self.publish(show_id, EventType.CHAT_MESSAGE, data)
        return data

    def like(self, conn: Connection, count: object) -> int:
        """Count a batch of taps from a connection; they go out with the next flush."""
        p = conn.principal
        if p is None or p.role not in LIKE_ROLES or conn.standing.banned or conn.channel is None:
            return 0
        taps = like_taps(count, self.rules)
        if taps and conn.allow_like():
            conn.channel.pending_likes += taps
            return taps
        return 0

    # ---- staff --------------------------------------------------------------------------------

    async def pin(self, actor: Principal, show_id: int, product_id: int, stream_ms: int | None = None) -> dict[str, Any]:
        data = await asyncio.to_thread(services.pin_product, self.db, actor, show_id, product_id,
                                       self._clock(), stream_ms)
        await self.publish(show_id, EventType.PIN_SET, data)
        return data

    async def unpin(self, actor: Principal, show_id: int, stream_ms: int | None = None) -> bool:
        done = await asyncio.to_thread(services.unpin, self.db, actor, show_id, self._clock(), stream_ms)
        if done:
            await self.publish(show_id, EventType.PIN_CLEARED, {})
        return done

    async def announce(self, actor: Principal, show_id: int, text: object) -> dict[str, Any]:
        clean = clean_chat_text(text, MAX_ANNOUNCEMENT_CHARS)  # type: ignore[arg-type]
        data = await asyncio.to_thread(services.record_announcement, self.db, actor, show_id, clean)
        await self.publish(show_id, EventType.HOST_ANNOUNCEMENT, data)
        return data

    async def sanction(self, actor: Principal, show_id: int, user_id: int, kind: SanctionKind, *,
                       minutes: int | None = None, reason: str = "",
                       everywhere: bool = False) -> moderation.SanctionOutcome:
        outcome = await asyncio.to_thread(
            moderation.sanction, self.db, actor, show_id, user_id, kind, minutes=minutes,
            reason=reason, everywhere=everywhere, now=self._clock(), rules=self.rules)
        self._sanctions.clear()
        until = iso_z(outcome.until) if outcome.until else None
        if kind is SanctionKind.BAN:
            await self.publish(show_id, EventType.USER_BANNED,
                               {"user_id": outcome.user_id, "name": outcome.display_name})
        else:
            await self.publish(show_id, EventType.USER_MUTED,
                               {"user_id": outcome.user_id, "name": outcome.display_name, "until": until})
        if outcome.removed_message_ids:
            await self.publish(show_id, EventType.CHAT_REMOVED, {"ids": outcome.removed_message_ids})
        # The person's other accounts, in every process: not in the public event.
        await self._signal(show_id, {"sanction": {"user_ids": outcome.affected_user_ids,
                                                  "kind": kind.value, "until": until}})
        return outcome

    async def lift(self, actor: Principal, show_id: int, sanction_id: int) -> moderation.SanctionOutcome:
        outcome = await asyncio.to_thread(moderation.lift_sanction, self.db, actor, show_id,
                                          sanction_id, self._clock())
        self._sanctions.clear()
        await self.publish(show_id, EventType.USER_UNMUTED,
                           {"user_id": outcome.user_id, "kind": outcome.kind.value})
        await self._signal(show_id, {"lift": {"user_ids": outcome.affected_user_ids}})
        return outcome

    async def remove_message(self, actor: Principal, show_id: int, message_id: int) -> None:
        await asyncio.to_thread(moderation.remove_message, self.db, actor, show_id, message_id,
                                self._clock())
        await self.publish(show_id, EventType.CHAT_REMOVED, {"ids": [message_id]})
