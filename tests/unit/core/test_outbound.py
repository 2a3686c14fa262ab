"""One pooled client per adapter: made once, shared by threads, made afresh after close."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from liveport.core.outbound import OutboundClient


def _answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, text=request.url.path)


def test_every_thread_gets_the_one_client_and_its_timeout():
    outbound = OutboundClient(2.5, httpx.MockTransport(_answer))
    with ThreadPoolExecutor(8) as pool:
        clients = list(pool.map(lambda _: outbound.get(), range(64)))
    assert len({id(c) for c in clients}) == 1
    assert clients[0].timeout == httpx.Timeout(2.5)
    assert clients[0].get("http://party.test/v1/ping").text == "/v1/ping"


def test_a_closed_client_is_made_afresh_on_next_use():
    outbound = OutboundClient(1.0, httpx.MockTransport(_answer))
    first = outbound.get()
    outbound.close()
    second = outbound.get()
    assert first.is_closed and not second.is_closed and second is not first
