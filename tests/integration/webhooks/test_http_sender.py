"""The httpx sender against a real server: 2xx is success, anything else (a redirect too) is
not, no answer is recorded as such, and production refuses addresses inside our network."""
from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from liveport.webhooks.adapters.http_sender import HttpWebhookSender
from tests.support.live_server import served

seen: list[bytes] = []


async def ok(request: Request) -> Response:
    seen.append(await request.body())
    return Response(b"ok", status_code=204)


async def moved(_request: Request) -> Response:
    return RedirectResponse("https://example.com/elsewhere", status_code=302)


APP = Starlette(routes=[Route("/ok", ok, methods=["POST"]), Route("/moved", moved, methods=["POST"])])


def test_a_2xx_is_success_and_a_redirect_is_not_followed():
    sender = HttpWebhookSender(2.0, production=False)
    with served(APP) as base:
        done = sender.send(f"{base}/ok", b'{"a":1}', {"Content-Type": "application/json"})
        redirected = sender.send(f"{base}/moved", b"{}", {})
    assert (done.ok, done.status_code, done.error) == (True, 204, None)
    assert seen[-1] == b'{"a":1}'
    assert (redirected.ok, redirected.status_code) == (False, 302)


def test_no_answer_is_a_failure_without_a_status():
    outcome = HttpWebhookSender(1.0, production=False).send("http://127.0.0.1:9/hook", b"{}", {})
    assert (outcome.ok, outcome.status_code) == (False, None)
    assert outcome.error.startswith("ConnectError")


def test_production_refuses_a_name_that_resolves_to_loopback():
    outcome = HttpWebhookSender(1.0, production=True).send("https://localhost:9/hook", b"{}", {})
    assert (outcome.ok, outcome.status_code, outcome.error) == (
        False, None, "localhost resolves to a non-public address")
