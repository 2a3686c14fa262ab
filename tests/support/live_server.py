"""Serve an ASGI app with uvicorn in a thread on a free loopback port, for browser tests."""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


@contextmanager
def served(app: Any, port: int = 0, **config: Any) -> Iterator[str]:
    """``config`` goes to uvicorn.Config (default: warnings only, lifespan on); ``port`` 0
    takes a free one (give one when the app must know its own port before it starts)."""
    config = {"log_level": "warning", "lifespan": "on", **config}
    # Bind first and hand the socket over: no window in which another process takes the port.
    sock = socket.socket()
    sock.bind(("127.0.0.1", port))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, **config))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
