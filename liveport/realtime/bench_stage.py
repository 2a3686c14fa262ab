"""The room bench's stage: a throw-away data dir seeded with the demo night and many buyers,
the Liveport server under granian and the bare baseline server, on loopback ports.

``bench_app`` is the granian factory of the Liveport server in a bench (and in the room's
two-process tests): the normal application, with the room's Redis keys under a prefix of
the run's own (``LIVEPORT_BENCH_ROOM_PREFIX``) so that a bench never touches a real room.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from liveport.bench.loadgen import free_port

PREFIX_ENV = "LIVEPORT_BENCH_ROOM_PREFIX"
RULES_ENV = "LIVEPORT_BENCH_ROOM_RULES"  # JSON: RoomRules fields to change (tests)
SHOW_KEY = "silk-road"  # the demo night's live show


def bench_app() -> Any:
    """granian ``--factory`` target: the Liveport app, room keys under the run's prefix."""
    from liveport.app import create_app
    from liveport.context import build_context
    from liveport.core.settings import get_settings

    settings = get_settings()
    ctx = build_context(settings)
    prefix = os.environ.get(PREFIX_ENV)
    if prefix:
        ctx.extras["room_redis_prefix"] = prefix
    if rules := os.environ.get(RULES_ENV):
        from liveport.realtime.domain import RoomRules
        from liveport.realtime.lifecycle import RULES_KEY

        ctx.extras[RULES_KEY] = RoomRules(**json.loads(rules))
    return create_app(settings, context=ctx)


@dataclass
class Stage:
    data_dir: Path
    show_id: int
    host_token: str
    moderator_token: str
    lineup: list[int]
    warehouse_id: int | None
    tokens: list[str]  # signed-in viewers (buyers with verified demo identities)
    redis_prefix: str = field(default_factory=lambda: f"lp:bench:{secrets.token_hex(4)}:")

    def env(self, *, redis_url: str | None, workers: int, database_url: str | None) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "LIVEPORT_ENV": "dev", "LIVEPORT_DATA_DIR": str(self.data_dir),
            "LIVEPORT_WORKERS": str(workers), "LIVEPORT_RATE_LIMIT_ENABLED": "false",
            "LIVEPORT_MOUNT_SANDBOXES": "false", "LIVEPORT_LOG_LEVEL": "WARNING",
            "LIVEPORT_MEDIA_INGEST": "off",  # no video ingest beside the room under test
            PREFIX_ENV: self.redis_prefix, "LIVEPORT_FLASHSALE_REDIS_PREFIX": self.redis_prefix + "gate:",
        })
        for name, value in (("LIVEPORT_REDIS_URL", redis_url), ("LIVEPORT_DATABASE_URL", database_url)):
            if value:
                env[name] = value
            else:
                env.pop(name, None)
        return env


def prepare(signed_in: int, database_url: str | None = None) -> Stage:
    """Migrate and seed a fresh data dir; ``signed_in`` buyers get tokens."""
    from sqlalchemy import select

    from liveport.accounts.domain import Role
    from liveport.accounts.models import User
    from liveport.accounts.services import issue_token, provision_users
    from liveport.buyers.provisioning import demo_identity_writer
    from liveport.context import build_context
    from liveport.core.migrations import upgrade
    from liveport.core.secrets_file import init_secrets
    from liveport.core.settings import Settings
    from liveport.demo import night
    from liveport.demo.seed import seed_demo_night

    data_dir = Path(tempfile.mkdtemp(prefix="liveport-room-bench-"))
    settings = init_secrets(Settings(env="dev", data_dir=data_dir, database_url=database_url,
                                     mount_sandboxes=False, outbox_dispatcher=False))
    upgrade(settings.resolved_database_url)
    ctx = build_context(settings)
    secret = settings.secret("session_secret")
    try:
        demo = seed_demo_night(ctx, password=secrets.token_urlsafe(12))
        show_id = demo.show_ids[SHOW_KEY]
        lineup = [demo.product_ids[sku] for sku in next(s for s in night.SHOWS if s["key"] == SHOW_KEY)["lineup"]]
        with ctx.db.transaction() as session:
            tokens = {}
            for local in ("host", "moderator"):
                user_id = session.scalar(select(User.id).where(User.email == f"{local}@{night.EMAIL_DOMAIN}"))
                assert user_id is not None
                tokens[local] = issue_token(session, user_id, "api", None, secret=secret)
        made = provision_users(ctx.db, role=Role.BUYER, count=max(1, signed_in), prefix="bench",
                               on_created=demo_identity_writer(ctx.identity), secret=secret)
    finally:
        ctx.close()
    return Stage(data_dir, show_id, tokens["host"], tokens["moderator"], lineup, demo.warehouse_id,
                 [u.token for u in made])


class Servers:
    """The processes a bench started; ``close()`` stops them and removes the data dir."""

    def __init__(self, stage: Stage) -> None:
        self.stage = stage
        self.processes: list[subprocess.Popen[bytes]] = []

    def liveport(self, *, workers: int = 1, redis_url: str | None = None, database_url: str | None = None,
                 rules: dict[str, Any] | None = None,
                 runtime_threads: int = 2) -> tuple[subprocess.Popen[bytes], int]:
        port = free_port()
        command = [sys.executable, "-m", "granian", "--interface", "asgi", "--factory",
                   "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                   # Every socket is a request in flight for granian: allow far more than
                   # its default (backlog / workers) or viewers beyond it wait in the queue.
                   "--backlog", "16384", "--backpressure", "65536", "--log-level", "warning",
                   # Two I/O threads: the writes of a fan-out spread over both cores (ADR 0008).
                   "--runtime-threads", str(runtime_threads),
                   "liveport.realtime.bench_stage:bench_app"]
        env = self.stage.env(redis_url=redis_url, workers=workers, database_url=database_url)
        if rules:
            env[RULES_ENV] = json.dumps(rules)
        process = subprocess.Popen(command, env=env, cwd=self.stage.data_dir)
        self.processes.append(process)
        wait_http(f"http://127.0.0.1:{port}/healthz", process)
        return process, port

    def baseline(self) -> tuple[subprocess.Popen[bytes], int]:
        port = free_port()
        process = subprocess.Popen([sys.executable, "-m", "liveport.realtime.bench_baseline", str(port)],
                                   stdout=subprocess.PIPE, cwd=self.stage.data_dir)
        self.processes.append(process)
        assert process.stdout is not None
        if process.stdout.readline().strip() != b"ready":
            raise RuntimeError("the baseline server did not start")
        return process, port

    def close(self, redis_url: str | None = None) -> None:
        """Stop the servers, remove the data dir and (given the URL) the run's Redis keys."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(self.stage.data_dir, ignore_errors=True)
        if redis_url:
            import redis

            client = redis.Redis.from_url(redis_url)
            try:
                keys = list(client.scan_iter(match=self.stage.redis_prefix + "*", count=1000))
                if keys:
                    client.delete(*keys)  # SCAN and DEL under the run's prefix, never a FLUSH
            finally:
                client.close()


def wait_http(url: str, process: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout_s} s")
