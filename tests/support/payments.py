"""The payment sandboxes served over real HTTP, a merchant's notification receiver, and the
buyer's side of paying (the e-CNY cashier, the hosted card page) — for contract tests and
for later tests that need paid orders.

    with running_ecny(tmp_path) as ecny, NotificationReceiver() as receiver:
        link = ecny.adapter().pre_order(PreOrder(..., notify_url=receiver.url))
        assert pay_at_cashier(link.cashier_url, WALLET_ZHANG) == (200, "paid", None)
        body = receiver.wait_for(1)[0]
        notice = ecny.adapter().parse_notification(body)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from liveport.payments.adapters.card import CardAcquirerClient
from liveport.payments.adapters.ecny import EcnyOperator
from liveport.protocols import ecny, sm2sign, trade_messages
from liveport.protocols.payment_wire import encode, seal
from liveport.sandbox.card.app import create_app as create_card_app
from liveport.sandbox.ecny.app import create_app as create_ecny_app
from tests.support.live_server import served

# Wallets of the e-CNY sandbox's default configuration (default_wallets.json).
ZHANG = ("张伟", "11010519491231002X")
WANG = ("王芳", "310104198506173217")
WALLET_ZHANG = ("0021000000000001", "123456")  # category 2, ¥50,000
WALLET_ZHANG_SUB = ("0021000000000011", "123456")  # sub-wallet: ¥500 per payment, ¥1,000 a day
WALLET_WANG = ("0021000000000002", "654321")  # category 3, ¥3,000
WALLET_ANONYMOUS = ("0021000000000004", "000000")  # category 4, ¥1,000
FAST_BACKOFF_S = (0, 0.2, 0.2, 0.2, 0.2)


@dataclass
class RunningProvider:
    kind: str  # "ecny" | "card"
    url: str
    mch_id: str
    merchant: sm2sign.KeyPair
    app: Any

    @property
    def provider_public_key(self) -> str:
        return self.app.state.sandbox.keypair.public_key

    @property
    def store(self) -> Any:
        """The sandbox's own store (for checks a merchant could not make, e.g. balances)."""
        return self.app.state.store

    def adapter(self, timeout_s: float = 5.0, **kwargs: Any) -> Any:
        cls = EcnyOperator if self.kind == "ecny" else CardAcquirerClient
        return cls(self.url, self.mch_id, self.merchant.private_key, self.provider_public_key, timeout_s, **kwargs)

    def post_signed(self, path: str, fields: dict[str, Any], key: str | None = None) -> httpx.Response:
        message = seal({"mch_id": self.mch_id, **fields}, key or self.merchant.private_key)
        return httpx.post(self.url + path, content=encode(message), timeout=10,
                          headers={"content-type": "application/json"})

    def add_wallets(self, wallets: list[dict[str, Any]]) -> None:
        """e-CNY only: wallets as in the sandbox's configuration (amounts in yuan, as text)."""
        answer = self.post_signed(ecny.SANDBOX_WALLETS_PATH, {"wallets": wallets})
        assert answer.status_code == 200, answer.text


@contextmanager
def _running(kind: str, data_dir: Path, **options: Any) -> Iterator[RunningProvider]:
    merchant = sm2sign.generate_keypair()
    mch_id = "TEST-" + kind.upper()
    factory = create_ecny_app if kind == "ecny" else create_card_app
    options.setdefault("notify_backoff_s", FAST_BACKOFF_S)
    options.setdefault("notify_timeout_s", 2.0)
    app = factory(data_dir, merchants={mch_id: merchant.public_key}, **options)
    with served(app, log_config=None, access_log=False) as url:
        yield RunningProvider(kind, url, mch_id, merchant, app)


def running_ecny(data_dir: Path, **options: Any) -> Any:
    return _running("ecny", data_dir, **options)


def running_card(data_dir: Path, **options: Any) -> Any:
    """``slow_card_delay_s`` (default here 3 s) is how long the slow test card holds."""
    options.setdefault("slow_card_delay_s", 3.0)
    return _running("card", data_dir, **options)


def pay_at_cashier(cashier_url: str, wallet: tuple[str, str]) -> tuple[int, str, dict[str, Any]]:
    """The wallet owner confirms at the e-CNY cashier: (HTTP status, result, the answer)."""
    wallet_no, pin = wallet
    answer = httpx.post(cashier_url, data={"wallet_no": wallet_no, "pin": pin},
                        headers={"accept": "application/json"}, timeout=10)
    body = answer.json()
    return answer.status_code, body["result"], body


def pay_by_card(cashier_url: str, card_no: str, *, holder_id_no: str | None = None,
                holder_name: str | None = None, timeout_s: float = 10) -> tuple[int, str, dict[str, Any]]:
    form = {"card_no": card_no, "card_expiry": "1240", "card_cvv": "123"}
    if holder_id_no:
        form["holder_id_no"] = holder_id_no
    if holder_name:
        form["holder_name"] = holder_name
    answer = httpx.post(cashier_url, data=form, headers={"accept": "application/json"}, timeout=timeout_s)
    body = answer.json()
    return answer.status_code, body["result"], body


@dataclass
class NotificationReceiver:
    """A merchant's notify_url: records every body; refuses the first ``fail_first``."""

    fail_first: int = 0
    bodies: list[bytes] = field(default_factory=list)
    url: str = ""
    _seen: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _cm: Any = None

    async def _receive(self, request: Request) -> Response:
        body = await request.body()
        with self._lock:
            self._seen += 1
            refuse = self._seen <= self.fail_first
            self.bodies.append(body)
        if refuse:
            return Response(b'{"code":"FAIL"}', 500, media_type="application/json")
        return Response(trade_messages.NOTIFICATION_ACK, 200, media_type="application/json")

    def __enter__(self) -> Self:
        app = Starlette(routes=[Route("/notify", self._receive, methods=["POST"])])
        self._cm = served(app, lifespan="off", log_config=None, access_log=False)
        self.url = self._cm.__enter__() + "/notify"
        return self

    def __exit__(self, *exc: object) -> None:
        self._cm.__exit__(*exc)

    def wait_for(self, count: int, timeout_s: float = 10.0) -> list[bytes]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.bodies) >= count:
                    return list(self.bodies)
            time.sleep(0.02)
        raise AssertionError(f"{len(self.bodies)} notifications after {timeout_s}s, expected {count}")
