"""This process's rooms: one ``Channel`` per show with viewers here, fed by the broker.

A channel subscribes when its first local viewer joins, builds its ``RoomState`` from the
stores (``seq`` read first, so the state is at least that fresh), applies the events that
arrived meanwhile, and from then on applies and forwards each event in seq order. A
joining viewer gets a snapshot of that state and is added to the fan-out in the same step
of the event loop, so it sees every later event exactly once. The hub also flushes like
taps and reports presence for its channels on timers.
"""
from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson

from liveport.core.clock import utcnow
from liveport.realtime.connection import Connection, Message, text_message
from liveport.realtime.domain import (
    EventType,
    RoomRules,
    RoomState,
    Standing,
    channel_of,
    counter_body_parts,
    event_ts,
    like_interval_s,
    snapshot_frame,
    snapshot_head,
)
from liveport.realtime.ports import Broker

if TYPE_CHECKING:
    from liveport.realtime.audience import AudienceRecorder

log = logging.getLogger("liveport.realtime")

LoadState = Callable[[int], Awaitable[RoomState]]
IDLE_CLOSE_S = 30.0  # a room without local viewers stays subscribed this long


class Channel:
    def __init__(self, hub: Hub, show_id: int) -> None:
        self.hub = hub
        self.show_id = show_id
        self.name = channel_of(show_id)
        self.state = RoomState()
        self.ready = asyncio.Event()
        self.failed: BaseException | None = None
        self.early: list[tuple[int, bytes]] = []  # events that came before the state
        self.conns: set[Connection] = set()
        self.by_user: dict[int, set[Connection]] = {}
        self._fanout: list[Connection] | None = None
        self._head: tuple[int, bytes] | None = None
        self.pending_likes = 0
        self.likes_held = False
        self.reported_viewers = -1
        self.idle_since: float | None = None
        self.resyncs = 0
        self.repairing = False

    # ---- membership ------------------------------------------------------------------------

    def add(self, conn: Connection) -> None:
        conn.channel = self
        self.conns.add(conn)
        if conn.user_id is not None:
            self.by_user.setdefault(conn.user_id, set()).add(conn)
        self._fanout = None
        self.idle_since = None

    def remove(self, conn: Connection) -> None:
        if conn not in self.conns:
            return
        self.conns.discard(conn)
        if conn.user_id is not None:
            mine = self.by_user.get(conn.user_id)
            if mine is not None:
                mine.discard(conn)
                if not mine:
                    del self.by_user[conn.user_id]
        self._fanout = None
        if not self.conns:
            self.idle_since = time.monotonic()

    # ---- events ----------------------------------------------------------------------------

    def snapshot_message(self, conn: Connection) -> tuple[int, Message]:
        """The snapshot as of the current seq, with the connection's own ``you`` part. The
        shared part is serialized once per seq."""
        head = self._head
        if head is None or head[0] != self.state.seq:
            head = self._head = (self.state.seq, snapshot_head(self.state, event_ts(utcnow())))
        text = snapshot_frame(head[1], conn.you(utcnow())).decode()
        return head[0], text_message(text)

    def on_frame(self, seq: int, raw: bytes) -> None:
        if seq == 0:
            self._control(raw)
            return
        if not self.ready.is_set():
            self.early.append((seq, raw))
            return
        state = self.state
        if seq <= state.seq:
            return  # the state was loaded after this event: it holds it already
        if seq > state.seq + 1 and not self.repairing:
            log.warning("room %s: events %d..%d missed; rebuilding", self.name, state.seq + 1, seq - 1)
            self.repairing = True
            asyncio.get_running_loop().create_task(self.hub.repair(self))
        event = orjson.loads(raw)
        state.apply(seq, event["type"], event["data"])
        self._moderate(event["type"], event["data"])
        fanout = self._fanout
        if fanout is None:
            fanout = self._fanout = list(self.conns)
        message = text_message(raw.decode())
        for conn in fanout:
            conn.offer(seq, message)

    def catch_up(self, state: RoomState) -> None:
        """Take a state loaded from the stores and apply the events that came meanwhile."""
        self.state = state
        early, self.early = self.early, []
        for seq, raw in sorted(early):
            if seq > state.seq:
                event = orjson.loads(raw)
                state.apply(seq, event["type"], event["data"])
        self._head = None

    def _moderate(self, event_type: str, data: dict[str, Any]) -> None:
        # What the public event says about its target account; the same person's other
        # accounts are reached by the control signal (``Room.sanction``).
        if event_type == EventType.USER_BANNED:
            self._apply_standing([data["user_id"]], "ban", None)
        elif event_type == EventType.USER_MUTED:
            self._apply_standing([data["user_id"]], "mute", data.get("until"))

    def _control(self, raw: bytes) -> None:
        """Signals between server processes, never shown to viewers."""
        signal = orjson.loads(raw[1:])
        if "sanction" in signal:
            spec = signal["sanction"]
            self._apply_standing(spec["user_ids"], spec["kind"], spec.get("until"))
        elif "lift" in signal:
            self._apply_standing(signal["lift"]["user_ids"], "lift", None)

    def _apply_standing(self, user_ids: list[int], kind: str, until: str | None) -> None:
        for user_id in user_ids:
            for conn in list(self.by_user.get(user_id, ())):
                if kind == "ban":
                    conn.standing = Standing(banned=True)
                    conn.close(4403)
                elif kind == "mute":
                    end = datetime.fromisoformat(until) if until else None
                    conn.standing = Standing(muted_until=end, muted_forever=end is None)
                else:
                    conn.standing = Standing()

    def resync_all(self) -> None:
        for conn in list(self.conns):
            conn.request_snapshot()


class Hub:
    def __init__(self, broker: Broker, load_state: LoadState, rules: RoomRules) -> None:
        self.broker = broker
        self.rules = rules
        self.process_id = uuid.uuid4().hex[:12]
        self._load_state = load_state
        self.channels: dict[int, Channel] = {}
        self._tasks: list[asyncio.Task[None]] = []
        # Subscribing and unsubscribing a show's channel take turns: a room reopened while
        # its idle predecessor unsubscribes must not lose its subscription.
        self._locks: dict[int, asyncio.Lock] = {}
        self.audience: AudienceRecorder | None = None  # set at start-up: analytics' record of viewers

    async def join(self, show_id: int, conn: Connection) -> None:
        """Add a connection to its room; its first message is the room's snapshot."""
        channel = self.channels.get(show_id)
        if channel is None:
            channel = self.channels[show_id] = Channel(self, show_id)
            asyncio.get_running_loop().create_task(self._open(channel))
        await channel.ready.wait()
        if channel.failed is not None:
            self.channels.pop(show_id, None)
            raise channel.failed
        seq, message = channel.snapshot_message(conn)
        channel.add(conn)
        if self.audience is not None:
            self.audience.joined(show_id, conn.principal)
        conn.offer(seq, message)

    async def _open(self, channel: Channel) -> None:
        async with self._locks.setdefault(channel.show_id, asyncio.Lock()):
            try:
                await self.broker.subscribe(channel.name, self._on_frame)
                channel.catch_up(await self._load_state(channel.show_id))
            except Exception as exc:  # the joiners see it
                channel.failed = exc
                await self._quiet_unsubscribe(channel.name)
            channel.ready.set()

    async def _quiet_unsubscribe(self, name: str) -> None:
        try:
            await self.broker.unsubscribe(name)
        except Exception:
            log.exception("could not unsubscribe from %s", name)

    def _on_frame(self, name: str, seq: int, raw: bytes) -> None:
        channel = self.channels.get(int(name.rpartition(":")[2]))
        if channel is not None:
            channel.on_frame(seq, raw)

    def leave(self, conn: Connection) -> None:
        if conn.channel is not None:
            conn.channel.remove(conn)

    async def repair(self, channel: Channel) -> None:
        """Events were missed (the broker connection dropped): reload, resend snapshots."""
        try:
            state = await self._load_state(channel.show_id)
            if state.seq >= channel.state.seq:
                channel.state, channel._head = state, None
            channel.resync_all()
        finally:
            channel.repairing = False

    # ---- timers ----------------------------------------------------------------------------

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._every(self.rules.like_flush_s, self.flush_likes)),
                       loop.create_task(self._every(self.rules.presence_every_s, self.report_presence)),
                       loop.create_task(self._every(1.0, self.sweep))]

    def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks = []

    @staticmethod
    async def _every(seconds: float, step: Callable[[], Awaitable[None]]) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await step()
            except asyncio.CancelledError:
                raise
            except Exception:  # the next round tries again
                log.exception("room timer %s failed", getattr(step, "__name__", step))

    async def flush_likes(self) -> None:
        for channel in list(self.channels.values()):
            every_ms = int(like_interval_s(channel.state.viewers, self.rules) * 1000)
            taps, channel.pending_likes = channel.pending_likes, 0
            if taps == 0 and not channel.likes_held:
                continue
            parts = counter_body_parts(EventType.LIKE_TOTAL, "total", event_ts(utcnow()))
            try:
                result = await self.broker.add_likes(channel.name, taps, every_ms, parts)
            except Exception:
                channel.pending_likes += taps  # not counted: try with the next flush
                raise
            channel.likes_held = result.held_back

    async def report_presence(self) -> None:
        every_ms = int(self.rules.presence_every_s * 1000) - 50  # timers drift a little
        stale_ms = int(self.rules.presence_stale_s * 1000)
        for channel in list(self.channels.values()):
            count = len(channel.conns)
            parts = counter_body_parts(EventType.VIEWERS_COUNT, "count", event_ts(utcnow()))
            result = await self.broker.report_presence(channel.name, self.process_id, count, stale_ms,
                                                       every_ms, parts)
            if self.audience is not None:
                self.audience.counted(channel.show_id, result.total)

    async def sweep(self) -> None:
        now = time.monotonic()
        for show_id, channel in list(self.channels.items()):
            for conn in [c for c in channel.conns if c.stalled(now)]:
                conn.close(4408)
            if channel.idle_since is not None and now - channel.idle_since > IDLE_CLOSE_S:
                del self.channels[show_id]  # a later joiner opens a new channel
                if self.audience is not None:
                    self.audience.forget(show_id)
                async with self._locks.setdefault(show_id, asyncio.Lock()):
                    await self._quiet_unsubscribe(channel.name)

    def stats(self) -> dict[str, Any]:
        return {"channels": len(self.channels),
                "connections": sum(len(c.conns) for c in self.channels.values()),
                "resyncs": sum(c.resyncs for c in self.channels.values())}
