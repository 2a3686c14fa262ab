"""One viewer's socket as the room sees it: who it is, and its bounded outgoing queue.

Sending: each event is serialized once per broadcast into one ASGI message that every
connection shares. A connection has at most one send in flight: granian starts a write
when ``send`` is called and returns a future (ADR 0008), so the next event goes out at once
if that future is done, else from its completion callback — no task per send, and no
callback at all while the peer keeps up. (A server whose ``send`` returns a coroutine gets
a task per send.)

A connection that falls behind gets what waits for it in one message, one event per line
(``\n``-separated; a client splits a message on newlines).

Slow consumers (policy, docs/realtime/room-events.md): events wait in a queue of at most
``rules.queue_limit``. When it is full the queue is dropped and the connection gets a
fresh snapshot as soon as its send in flight completes, then the events after it. More
than ``rules.max_resyncs_per_minute`` such drops in a minute, or one send unfinished for
``rules.stall_close_s``, and the connection is closed (code 4408). Nothing a connection
does delays another: the broadcast only appends to queues.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from liveport.accounts.domain import Principal
from liveport.core.clock import iso_z
from liveport.realtime.domain import RoomRules, Standing

if TYPE_CHECKING:
    from liveport.realtime.hub import Channel

log = logging.getLogger("liveport.realtime")

Message = dict[str, Any]  # an ASGI "websocket.send" message
SendFn = Callable[[Message], Any]
CLOSE_TOO_SLOW = 4408
CLOSE_BANNED = 4403


def text_message(text: str) -> Message:
    return {"type": "websocket.send", "text": text}


class Connection:
    __slots__ = (
        "_done",
        "_loop",
        "_pending",
        "_rules",
        "_send",
        "busy",
        "channel",
        "close_code",
        "closed",
        "likes_in_window",
        "likes_window",
        "on_close",
        "principal",
        "queue",
        "resync",
        "resyncs",
        "since",
        "snapshot_at",
        "standing",
    )

    def __init__(self, send: SendFn, principal: Principal | None, standing: Standing,
                 rules: RoomRules, loop: asyncio.AbstractEventLoop,
                 on_close: Callable[[int], None] | None = None) -> None:
        self._send = send
        self._loop = loop
        self._rules = rules
        self._done = self._sent  # one bound method, reused for every wait
        self._pending: Any = None  # the last send's future
        self.principal = principal
        self.standing = standing
        self.channel: Channel | None = None
        self.queue: deque[tuple[int | None, Message]] = deque()
        self.busy = False
        self.since = 0.0
        self.resync = False
        self.resyncs: deque[float] = deque()
        self.closed = False
        self.close_code = 0
        self.likes_window = 0
        self.likes_in_window = 0
        self.snapshot_at = float("-inf")
        self.on_close = on_close

    @property
    def user_id(self) -> int | None:
        return self.principal.user_id if self.principal else None

    def you(self, now: datetime) -> dict[str, Any]:
        """The per-connection part of a snapshot."""
        p = self.principal
        if p is None:
            return {"signed_in": False, "can_chat": False, "can_like": False}
        standing = self.standing
        muted = standing.muted(now)
        until = standing.muted_until if muted else None
        return {"signed_in": True, "user_id": p.user_id, "name": p.display_name,
                "role": p.role.value, "can_chat": not (muted or standing.banned),
                "can_like": not standing.banned, "muted_until": iso_z(until) if until else None}

    # ---- sending -------------------------------------------------------------------------

    def offer(self, seq: int | None, message: Message) -> None:
        """Queue an event (seq) or a reply to this connection alone (seq None)."""
        if self.busy:
            if self.resync and seq is not None:
                return  # the snapshot about to be sent will hold it
            if len(self.queue) < self._rules.queue_limit:
                self.queue.append((seq, message))
            else:
                self._overflow()
            return
        if self.closed:
            return
        pending = self._pending
        if pending is not None:
            if not pending.done():  # the previous send is still on its way: wait for it
                self.busy = True
                self.queue.append((seq, message))
                pending.add_done_callback(self._done)
                return
            if _failed(pending):
                self.close(1011)
                return
        self._fire(message)

    def _fire(self, message: Message) -> None:
        """Start a send. Its completion is only looked at when the next message comes (most
        sends are long done by then: no callback, no wake-up), or waited for when not."""
        self.since = time.monotonic()
        try:
            pending = self._send(message)
        except Exception:  # the server refused: the socket is gone
            self.close(1011)
            return
        if asyncio.iscoroutine(pending):
            pending = self._loop.create_task(pending)
        self._pending = pending if hasattr(pending, "done") else None

    def _sent(self, pending: Any) -> None:
        if pending is not None and _failed(pending):
            self.close(1011)
            return
        if self.closed:
            self.busy = False
            return
        queue = self.queue
        if self.resync and self.channel is not None:
            self.resync = False
            seq, message = self.channel.snapshot_message(self)
            if queue:
                queue = self.queue = deque(i for i in queue if i[0] is None or i[0] > seq)
            self._fire(message)
        elif len(queue) == 1:
            self._fire(queue.popleft()[1])
        elif queue:
            # Behind: everything waiting goes out in one message, one event per line
            # (orjson never writes a raw newline), so a connection that falls behind
            # catches up with fewer sends instead of falling further behind.
            texts = [item[1]["text"] for item in queue]
            queue.clear()
            self._fire(text_message("\n".join(texts)))
        if self.queue and not self.closed:  # replies that waited behind a snapshot
            after = self._pending
            if after is not None and not after.done():
                after.add_done_callback(self._done)
            else:
                self._loop.call_soon(self._done, None)
            return
        self.busy = False

    def _overflow(self) -> None:
        now = time.monotonic()
        self.queue.clear()
        resyncs = self.resyncs
        resyncs.append(now)
        while resyncs and now - resyncs[0] > 60.0:
            resyncs.popleft()
        if len(resyncs) > self._rules.max_resyncs_per_minute or self.stalled(now):
            self.close(CLOSE_TOO_SLOW)
            return
        self.resync = True
        if self.channel is not None:
            self.channel.resyncs += 1

    def stalled(self, now: float) -> bool:
        pending = self._pending
        return (pending is not None and not pending.done()
                and now - self.since > self._rules.stall_close_s)

    def request_snapshot(self) -> bool:
        """The client saw a gap: a fresh snapshot, then the events after it. At most
        ``rules.snapshot_requests_per_s`` per second."""
        now = time.monotonic()
        if now - self.snapshot_at < 1.0 / self._rules.snapshot_requests_per_s:
            return False
        self.snapshot_at = now
        self.resync = True  # what waits is dropped then, but for replies
        if not self.busy:
            self.busy = True
            pending = self._pending
            if pending is not None and not pending.done():
                pending.add_done_callback(self._done)
            else:
                self._sent(None)
        return True

    def allow_like(self) -> bool:
        window = int(time.monotonic())
        if window != self.likes_window:
            self.likes_window, self.likes_in_window = window, 0
        self.likes_in_window += 1
        return self.likes_in_window <= self._rules.like_messages_per_s

    # ---- closing -------------------------------------------------------------------------

    def close(self, code: int) -> None:
        """Stop sending and have the socket closed: by its endpoint (``on_close``), which
        must first stop waiting for the peer's next message (granian sends no close frame
        while a receive is pending), or else directly."""
        if self.closed:
            return
        self.closed, self.close_code = True, code
        self.queue.clear()
        if self.channel is not None:
            self.channel.remove(self)
        if self.on_close is not None:
            self.on_close(code)
            return
        try:
            closing = self._send({"type": "websocket.close", "code": code})
            if asyncio.iscoroutine(closing):
                self._loop.create_task(closing).add_done_callback(_quiet)
        except Exception:  # noqa: S110 - a socket already gone needs no close
            pass


def _failed(pending: Any) -> bool:
    try:
        return pending.exception() is not None
    except BaseException:  # cancelled
        return True


def _quiet(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved: a socket already gone is not worth a log line
