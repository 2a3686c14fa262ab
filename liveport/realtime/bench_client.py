"""The room bench's load generator: one OS process holding many viewer WebSockets.

Written for a low cost per received message, so that the client processes leave the CPU
to the servers they measure: a single ``epoll`` loop over non-blocking sockets, the
handshake written by hand, frames parsed straight from ``recv`` (no asyncio task, queue
or future per connection or message). Each text frame is read as a room event (DESIGN.md
§7): ``seq`` gaps count as lost events (and the client asks for a snapshot, as a real one
would), and the delivery latency is the client's wall clock minus the event's server
timestamp ``ts`` (same machine, same clock), kept as a histogram of 0.1 ms buckets that
the parent merges across processes.

The parent drives a process through a pipe with small command tuples (``_Client.command``).
"""
from __future__ import annotations

import errno
import random
import resource
import select
import socket
import time
from array import array
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any
from urllib.parse import urlsplit

import orjson

from liveport.realtime.bench_wire import client_frame, raise_open_file_limit, upgrade_request

BUCKET_MS = 0.1
BUCKETS = 200_000  # 20 s; slower deliveries land in the last bucket
CONNECT_TIMEOUT_S = 30.0
IN, OUT, ERR = select.EPOLLIN, select.EPOLLOUT, select.EPOLLERR | select.EPOLLHUP


class Stats:
    def __init__(self) -> None:
        self.measuring = False
        self.delivered = 0
        self.lost = 0
        self.duplicates = 0
        self.snapshots = 0
        self.hist = array("L", bytes(array("L").itemsize * BUCKETS))
        self.max_seq = 0
        self.failed = 0
        self.closed = 0
        self.cpu_at_start = 0.0
        self.cpu_in_window = 0.0
        self.close_codes: dict[int, int] = {}
        self._ts_text = ""
        self._ts_value = 0.0

    def ts_epoch(self, text: str) -> float:
        # One broadcast carries one timestamp: parse each distinct one once.
        if text != self._ts_text:
            self._ts_text = text
            self._ts_value = datetime.fromisoformat(text).timestamp()
        return self._ts_value


class Viewer:
    """One viewer's socket: connecting → handshaking → open → closed."""

    __slots__ = (
        "buffer",
        "fd",
        "fragments",
        "last_seq",
        "pending",
        "request",
        "sock",
        "speaks",
        "started",
        "state",
    )

    def __init__(self, sock: socket.socket, request: bytes, speaks: bool) -> None:
        self.sock = sock
        self.fd = sock.fileno()
        self.request = request
        self.state = "connecting"
        self.buffer = b""
        self.fragments: list[bytes] = []
        self.last_seq = 0
        self.pending = b""  # bytes the kernel did not take yet
        self.started = time.monotonic()
        self.speaks = speaks


class _Client:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.epoll = select.epoll()
        self.epoll.register(conn.fileno(), IN)
        self.stats = Stats()
        self.viewers: dict[int, Viewer] = {}
        self.open: list[Viewer] = []
        self.speakers: list[Viewer] = []
        self.waiting: list[tuple[str, int, str, str | None]] = []  # connections not started yet
        self.connecting = 0
        self.connect_reply_due = False
        self.connect_started = 0.0
        self.drive: tuple[float, float, int, int] | None = None
        self.chat_due = self.like_due = 0.0
        self.chat_i = self.like_i = self.chat_sent = self.likes_sent = 0
        self.running = True

    # ---- sockets -------------------------------------------------------------------------

    def _start_one(self, host: str, port: int, path: str, token: str | None) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        full = path + (f"?token={token}" if token else "")
        viewer = Viewer(sock, upgrade_request(host, port, full, f"http://{host}:{port}"), bool(token))
        code = sock.connect_ex((host, port))
        if code not in (0, errno.EINPROGRESS):
            sock.close()
            self.stats.failed += 1
            return
        self.viewers[viewer.fd] = viewer
        self.connecting += 1
        self.epoll.register(viewer.fd, OUT | ERR)

    def _fail(self, viewer: Viewer) -> None:
        if viewer.state in ("connecting", "handshaking"):
            self.connecting -= 1
            self.stats.failed += 1
        elif viewer.state == "open":
            self.stats.closed += 1
        viewer.state = "closed"
        self.viewers.pop(viewer.fd, None)
        try:
            self.epoll.unregister(viewer.fd)
        except (OSError, ValueError):
            pass
        viewer.sock.close()

    def _write(self, viewer: Viewer, data: bytes) -> None:
        if viewer.state != "open" and viewer.state != "handshaking":
            return
        if viewer.pending:
            viewer.pending += data
            return
        try:
            sent = viewer.sock.send(data)
        except BlockingIOError:
            sent = 0
        except OSError:
            self._fail(viewer)
            return
        if sent < len(data):
            viewer.pending = data[sent:]
            self.epoll.modify(viewer.fd, IN | OUT | ERR)

    def _writable(self, viewer: Viewer) -> None:
        if viewer.state == "connecting":
            if viewer.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                self._fail(viewer)
                return
            viewer.state = "handshaking"
            self.epoll.modify(viewer.fd, IN | ERR)
            self._write(viewer, viewer.request)
            return
        data, viewer.pending = viewer.pending, b""
        self.epoll.modify(viewer.fd, IN | ERR)
        self._write(viewer, data)

    def _readable(self, viewer: Viewer) -> None:
        try:
            data = viewer.sock.recv(262144)
        except BlockingIOError:
            return
        except OSError:
            self._fail(viewer)
            return
        if not data:
            self._fail(viewer)
            return
        buf = viewer.buffer + data if viewer.buffer else data
        if viewer.state == "handshaking":
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                viewer.buffer = buf
                return
            if b" 101 " not in buf[: buf.find(b"\r\n")]:
                self._fail(viewer)
                return
            viewer.state = "open"
            self.connecting -= 1
            self.open.append(viewer)
            if viewer.speaks:
                self.speakers.append(viewer)
            buf = buf[end + 4:]
        viewer.buffer = self._frames(viewer, buf)

    def _frames(self, viewer: Viewer, buf: bytes) -> bytes:
        now = time.time()
        i, n = 0, len(buf)
        while n - i >= 2:
            b0, b1 = buf[i], buf[i + 1]
            size, head = b1 & 0x7F, 2
            if size == 126:
                if n - i < 4:
                    break
                size, head = int.from_bytes(buf[i + 2:i + 4], "big"), 4
            elif size == 127:
                if n - i < 10:
                    break
                size, head = int.from_bytes(buf[i + 2:i + 10], "big"), 10
            if n - i < head + size:
                break
            payload = buf[i + head:i + head + size]
            i += head + size
            opcode = b0 & 0x0F
            if opcode == 0x0 or not b0 & 0x80:  # a fragmented message
                viewer.fragments.append(payload)
                if not b0 & 0x80:
                    continue
                payload, viewer.fragments = b"".join(viewer.fragments), []
                opcode = 0x1
            if opcode == 0x1:
                if b"\n" in payload:  # a server catching up sends several events per message
                    for line in payload.split(b"\n"):
                        self._event(viewer, line, now)
                else:
                    self._event(viewer, payload, now)
            elif opcode == 0x9:  # ping → pong
                self._write(viewer, client_frame(payload, 0xA))
            elif opcode == 0x8:
                code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
                self.stats.close_codes[code] = self.stats.close_codes.get(code, 0) + 1
                self._fail(viewer)
                return b""
        return buf[i:] if i < n else b""

    def _event(self, viewer: Viewer, payload: bytes, now: float) -> None:
        event = orjson.loads(payload)
        seq = event["seq"]
        if seq is None:  # a reply to this connection, outside the sequence
            return
        stats = self.stats
        stats.max_seq = max(stats.max_seq, seq)
        if event["type"] == "snapshot":
            stats.snapshots += 1
            viewer.last_seq = seq
            return
        last = viewer.last_seq
        if last and seq != last + 1:
            if seq <= last:
                stats.duplicates += 1
                return
            if stats.measuring:
                stats.lost += seq - last - 1
            self._write(viewer, client_frame(b'{"type":"snapshot"}'))
        viewer.last_seq = seq
        if stats.measuring:
            stats.delivered += 1
            bucket = int((now - stats.ts_epoch(event["ts"])) * 1000 / BUCKET_MS)
            stats.hist[min(max(bucket, 0), BUCKETS - 1)] += 1

    # ---- load ----------------------------------------------------------------------------

    def _tick(self, dt: float) -> None:
        if self.drive is None:
            return
        chat_per_s, likes_every_s, like_taps, likers = self.drive
        speakers = self.speakers
        if not speakers:
            return
        self.chat_due += chat_per_s * dt
        if likes_every_s > 0:
            self.like_due += min(likers, len(speakers)) * dt / likes_every_s
        while self.chat_due >= 1:
            self.chat_due -= 1
            viewer = speakers[self.chat_i % len(speakers)]
            self.chat_i += 1
            text = f"好物! nice {self.chat_i} {random.randint(1, 9999)}"
            self._write(viewer, client_frame(orjson.dumps({"type": "chat", "text": text})))
            self.chat_sent += 1
        like = client_frame(orjson.dumps({"type": "like", "count": like_taps}))
        while self.like_due >= 1:
            self.like_due -= 1
            self._write(speakers[self.like_i % min(likers, len(speakers))], like)
            self.like_i += 1
            self.likes_sent += like_taps

    def _connect_more(self, concurrency: int = 128) -> None:
        while self.waiting and self.connecting < concurrency:
            self._start_one(*self.waiting.pop())
        if self.connect_reply_due and not self.waiting and self.connecting == 0:
            self.connect_reply_due = False
            self.conn.send({"open": len(self.open), "failed": self.stats.failed,
                            "connect_s": round(time.monotonic() - self.connect_started, 3)})

    def _expire_connects(self) -> None:
        now = time.monotonic()
        for viewer in [v for v in self.viewers.values() if v.state in ("connecting", "handshaking")]:
            if now - viewer.started > CONNECT_TIMEOUT_S:
                self._fail(viewer)

    def report(self, final_seq: int) -> dict[str, Any]:
        alive = [v for v in self.open if v.state == "open"]
        behind = sum(max(0, final_seq - v.last_seq) for v in alive) if final_seq else 0
        usage = resource.getrusage(resource.RUSAGE_SELF)
        hist = self.stats.hist
        return {"delivered": self.stats.delivered, "lost": self.stats.lost, "behind": behind,
                "duplicates": self.stats.duplicates, "snapshots": self.stats.snapshots,
                "open": len(alive), "closed": self.stats.closed, "failed": self.stats.failed,
                "close_codes": self.stats.close_codes, "max_seq": self.stats.max_seq,
                "chat_sent": self.chat_sent, "likes_sent": self.likes_sent,
                "cpu_s": usage.ru_utime + usage.ru_stime, "window_cpu_s": self.stats.cpu_in_window,
                "hist": {i: c for i, c in enumerate(hist) if c}}

    def command(self, message: tuple[Any, ...]) -> None:
        name, *args = message
        if name == "connect":  # (url, tokens)
            url, tokens = args
            parts = urlsplit(url)
            host, port = parts.hostname or "127.0.0.1", parts.port or 80
            self.waiting.extend((host, port, parts.path, t) for t in reversed(tokens))
            self.connect_reply_due, self.connect_started = True, time.monotonic()
            self._connect_more()
            return
        if name == "measure":
            self.stats.measuring = bool(args[0])
            usage = resource.getrusage(resource.RUSAGE_SELF)
            cpu = usage.ru_utime + usage.ru_stime
            if self.stats.measuring:
                self.stats.cpu_at_start = cpu
            else:
                self.stats.cpu_in_window += cpu - self.stats.cpu_at_start
        elif name == "drive":  # (chat_per_s, likes_every_s, like_taps, likers)
            self.drive = tuple(args)  # type: ignore[assignment]
        elif name == "quiet":
            self.drive = None
        elif name == "max_seq":
            self.conn.send(self.stats.max_seq)
            return
        elif name == "report":
            self.conn.send(self.report(*args))
            return
        elif name in ("reset", "exit"):
            for viewer in list(self.viewers.values()):
                if viewer.state == "open":
                    try:
                        viewer.sock.send(client_frame(b"\x03\xe8", 0x8))
                    except OSError:
                        pass
                self._fail(viewer)
            self.open, self.speakers, self.stats = [], [], Stats()
            self.chat_sent = self.likes_sent = 0
            self.drive = None
            self.running = name != "exit"
        self.conn.send(True)

    def run(self) -> None:
        control = self.conn.fileno()
        last = time.monotonic()
        housekeeping = last
        while self.running:
            for fd, mask in self.epoll.poll(0.02):
                if fd == control:
                    self.command(self.conn.recv())
                    continue
                viewer = self.viewers.get(fd)
                if viewer is None:
                    continue
                if mask & IN:
                    self._readable(viewer)
                if mask & OUT and viewer.state != "closed":
                    self._writable(viewer)
                elif mask & ERR and not mask & IN and viewer.state != "closed":
                    self._fail(viewer)
            now = time.monotonic()
            if now - last >= 0.02:
                self._tick(now - last)
                last = now
            if self.waiting or self.connect_reply_due:
                self._connect_more()
            if now - housekeeping >= 1.0:
                housekeeping = now
                self._expire_connects()
                self.open = [v for v in self.open if v.state == "open"]
                self.speakers = [v for v in self.speakers if v.state == "open"]
        self.epoll.close()


def client_process(conn: Connection) -> None:
    """Entry point of a client process (a multiprocessing target)."""
    raise_open_file_limit()
    _Client(conn).run()
