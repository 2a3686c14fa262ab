"""The room socket, ``/ws/shows/{show_id}``: a plain Starlette WebSocket route (no FastAPI
layer on the hot path, ADR 0001).

Who is connecting (checked before the socket is accepted; a refusal is an HTTP 403):
- a token in the ``token`` query parameter, or the ``lp_session`` cookie — a cookie rides
  along on cross-site requests, so a cookie-authenticated socket must come from our own
  origin (the ``Origin`` host equals ``Host``); a token that does not resolve is refused;
- nobody: an anonymous viewer watches (and counts as a viewer) but does not chat or
  like; it may sign in later with ``{"type": "auth", "token": "…"}``;
- a banned person (by account or verified identity) is refused.

Messages from the client (JSON text, at most ``rules.max_inbound_bytes``):
``chat {text, ref?}``, ``like {count}``, ``snapshot`` (after a seq gap), ``auth {token}``,
and for staff ``pin {product_id, stream_ms?}``, ``unpin``, ``announce {text}``,
``mute {user_id, minutes?, reason?}``, ``ban {user_id, minutes?, reason?}``,
``remove {message_id}``. Each gets a ``reply`` (``seq`` null) when it carries a ``ref``
or fails; likes are answered only when refused.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit

import orjson
from starlette.websockets import WebSocket

from liveport.accounts.domain import Principal
from liveport.accounts.guards import SESSION_COOKIE
from liveport.core.clock import utcnow
from liveport.core.errors import AppError, Unauthenticated, ValidationFailed
from liveport.metrics.instruments import WEBSOCKETS_OPENED
from liveport.realtime.connection import CLOSE_BANNED, Connection, text_message
from liveport.realtime.domain import SanctionKind, event_ts, reply
from liveport.realtime.room import ROOM_KEY, Room

log = logging.getLogger("liveport.realtime.ws")
PATH = "/ws/shows/{show_id}"
MAX_ERRORS = 20  # malformed messages before the socket is closed


def server_send(send: Any) -> Any:
    """The server's own ASGI ``send`` under Starlette's per-layer wrappers (closures named
    ``sender`` that watch for an HTTP response start, which a socket never sends). Room
    events go through it directly: under granian it returns a future at once, so a
    connection's next event can follow from the previous one's completion callback
    without a task per send (ADR 0008). Anything unexpected leaves ``send`` as it is."""
    for _ in range(8):
        code = getattr(send, "__code__", None)
        closure = getattr(send, "__closure__", None)
        if code is None or closure is None or getattr(send, "__name__", "") != "sender" \
                or "send" not in code.co_freevars:
            break
        send = closure[code.co_freevars.index("send")].cell_contents
    return send


def _same_origin(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    return origin is not None and urlsplit(origin).netloc == websocket.headers.get("host", "")


async def _resolve(websocket: WebSocket, token: str) -> Principal | None:
    tokens = websocket.app.state.ctx.tokens
    return await asyncio.to_thread(tokens.resolve, token)


async def _who(websocket: WebSocket) -> Principal | None:
    token = websocket.query_params.get("token")
    if token:
        principal = await _resolve(websocket, token)
        if principal is None:
            raise Unauthenticated("That token is not valid.", code="invalid_token")
        return principal
    cookie = websocket.cookies.get(SESSION_COOKIE)
    if cookie:
        if not _same_origin(websocket):
            # Cross-site WebSocket hijacking: another site's page would act as the visitor.
            raise Unauthenticated("Cross-site socket refused.", code="cross_site")
        return await _resolve(websocket, cookie)
    return None


def _show_id(websocket: WebSocket) -> int | None:
    raw = websocket.path_params.get("show_id", "")
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 10:
        value = int(raw)
        return value if 1 <= value <= 2_147_483_647 else None
    return None


async def room_socket(websocket: WebSocket) -> None:
    room: Room | None = websocket.app.state.ctx.extras.get(ROOM_KEY)
    show_id = _show_id(websocket)
    if room is None or show_id is None:
        await websocket.close(1008)
        return
    try:
        principal = await _who(websocket)
        if await room.show_status(show_id) is None:
            await websocket.close(1008)
            return
        standing = await room.standing(principal, show_id)
    except AppError:
        await websocket.close(1008)
        return
    if standing.banned:
        await websocket.close(CLOSE_BANNED)
        return
    await websocket.accept()
    WEBSOCKETS_OPENED.inc(PATH)
    loop = asyncio.get_running_loop()
    reader = _Reader(websocket._receive, loop)
    conn = Connection(server_send(websocket._send), principal, standing, room.rules, loop,
                      on_close=reader.kick)
    try:
        await room.hub.join(show_id, conn)
    except Exception:
        log.exception("could not open the room of show %s", show_id)
        await websocket.close(1011)
        return
    session = _Session(room, show_id, conn, websocket)
    try:
        while (message := await reader.next()) is not None:
            if message["type"] == "websocket.disconnect":
                return
            await session.handle(message.get("text") or message.get("bytes") or b"")
        try:  # closed by the room: banned, too slow, too many bad messages
            await websocket.close(conn.close_code)
        except (RuntimeError, OSError):
            pass
    finally:
        room.hub.leave(conn)


class _Reader:
    """The peer's next message, or None once the room closed the connection: the pending
    receive is then cancelled (granian holds a close frame back while one is pending).
    One future and one callback per message, no task (a server whose receive returns a
    coroutine gets a task)."""

    def __init__(self, receive: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._receive = receive
        self._loop = loop
        self._pending: Any = None
        self._waiter: asyncio.Future[Any] | None = None
        self.kicked = False

    async def next(self) -> dict[str, Any] | None:
        if self.kicked:
            return None
        pending = self._receive()
        if asyncio.iscoroutine(pending):
            pending = self._loop.create_task(pending)
        self._pending = pending
        waiter = self._waiter = self._loop.create_future()
        pending.add_done_callback(self._arrived)
        done = await waiter
        if done is None:
            return None
        try:
            return done.result()
        except Exception:  # the transport failed under the receive: the peer is gone
            return {"type": "websocket.disconnect"}

    def _arrived(self, pending: Any) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done() and pending is self._pending:
            waiter.set_result(pending)

    def kick(self, _code: int) -> None:
        self.kicked = True
        if self._pending is not None and not self._pending.done():
            self._pending.cancel()
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


class _Session:
    """One socket's inbound messages."""

    def __init__(self, room: Room, show_id: int, conn: Connection, websocket: WebSocket) -> None:
        self.room, self.show_id, self.conn, self.websocket = room, show_id, conn, websocket
        self.errors = 0

    def _reply(self, data: dict[str, Any]) -> None:
        self.conn.offer(None, text_message(reply(event_ts(utcnow()), data).decode()))

    async def handle(self, raw: str | bytes) -> None:
        ref = None
        try:
            if len(raw) > self.room.rules.max_inbound_bytes:
                raise ValidationFailed("The message is too large.", code="message_too_large")
            try:
                message = orjson.loads(raw)
            except orjson.JSONDecodeError:
                message = None
            if not isinstance(message, dict) or not isinstance(message.get("type"), str):
                raise ValidationFailed('A message is a JSON object with a "type".', code="invalid_message")
            ref = message.get("ref") if isinstance(message.get("ref"), (str, int)) else None
            result = await self._dispatch(message)
            if ref is not None:
                self._reply({"ok": True, "ref": ref, **result})
        except AppError as exc:
            self.errors += 1
            self._reply({"ok": False, "ref": ref, "code": exc.code, "message": exc.message,
                         "details": exc.details})
            if self.errors > MAX_ERRORS:
                self.conn.close(1008)

    async def _dispatch(self, message: dict[str, Any]) -> dict[str, Any]:
        kind, room, conn = message["type"], self.room, self.conn
        if kind == "like":
            if not room.like(conn, message.get("count", 1)) and message.get("ref") is not None:
                raise ValidationFailed("Like not counted.", code="like_refused")
            return {}
        if kind == "chat":
            return {"id": (await room.chat(conn.principal, self.show_id, message.get("text")))["id"]}
        if kind == "snapshot":
            conn.request_snapshot()
            return {}
        if kind == "auth":
            return await self._auth(message.get("token"))
        actor = conn.principal
        if actor is None:
            raise Unauthenticated()
        if kind == "pin":
            data = await room.pin(actor, self.show_id, _int(message, "product_id"),
                                  _int(message, "stream_ms", required=False))
            return {"pin_id": data["pin_id"]}
        if kind == "unpin":
            return {"unpinned": await room.unpin(actor, self.show_id, _int(message, "stream_ms", required=False))}
        if kind == "announce":
            await room.announce(actor, self.show_id, message.get("text"))
            return {}
        if kind in ("mute", "ban"):
            reason = message.get("reason") if isinstance(message.get("reason"), str) else ""
            outcome = await room.sanction(actor, self.show_id, _int(message, "user_id"), SanctionKind(kind),
                                          minutes=_int(message, "minutes", required=False), reason=reason[:200])
            return {"sanction_id": outcome.sanction_id}
        if kind == "remove":
            await room.remove_message(actor, self.show_id, _int(message, "message_id"))
            return {}
        raise ValidationFailed(f"Unknown message type {kind[:40]!r}.", code="unknown_message_type")

    async def _auth(self, token: object) -> dict[str, Any]:
        if self.conn.principal is not None:
            raise ValidationFailed("Already signed in.", code="already_signed_in")
        if not isinstance(token, str) or not token:
            raise Unauthenticated("That token is not valid.", code="invalid_token")
        principal = await _resolve(self.websocket, token)
        if principal is None:
            raise Unauthenticated("That token is not valid.", code="invalid_token")
        standing = await self.room.standing(principal, self.show_id)
        if standing.banned:
            self.conn.close(CLOSE_BANNED)
            return {}
        channel = self.conn.channel
        if channel is not None:
            channel.remove(self.conn)
        self.conn.principal, self.conn.standing = principal, standing
        if channel is not None:
            channel.add(self.conn)
        self.conn.request_snapshot()  # its "you" part changed
        return {"user_id": principal.user_id}


def _int(message: dict[str, Any], key: str, *, required: bool = True) -> Any:
    value = message.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2_147_483_647:
        raise ValidationFailed(f"{key} is a whole number.", code="invalid_message",
                               details={"field": key})
    return value
