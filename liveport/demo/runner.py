"""`liveport demo`: a fresh embedded expo night, seeded and served in one command."""
from __future__ import annotations

import os
import secrets
import shutil

from liveport.context import build_context
from liveport.core.migrations import upgrade
from liveport.core.secrets_file import init_secrets
from liveport.core.settings import Settings
from liveport.demo import night
from liveport.demo.sandboxes import start_sandboxes, stop_sandboxes
from liveport.demo.studio import start_studio, stop_studio
from liveport.serving import serve

DB_FILES = ("liveport.sqlite3", "liveport.sqlite3-wal", "liveport.sqlite3-shm")


def reset_embedded_data(settings: Settings) -> None:
    """A fresh demo: the embedded database, the sandboxes' stores and the recordings go;
    secrets stay."""
    for name in DB_FILES:
        (settings.data_dir / name).unlink(missing_ok=True)
    shutil.rmtree(settings.data_dir / "sandbox", ignore_errors=True)
    shutil.rmtree(settings.data_dir / "media" / "hls", ignore_errors=True)  # recordings


def prepare_demo(settings: Settings, *, fresh: bool, password: str) -> list[tuple[str, str, str]]:
    """Migrate and seed; returns (role, e-mail, label) rows of the demo accounts."""
    from liveport.demo.seed import seed_demo_night

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if fresh and settings.is_sqlite:
        reset_embedded_data(settings)
    upgrade(settings.resolved_database_url)
    ctx = build_context(settings)
    try:
        made = seed_demo_night(ctx, password=password)
    finally:
        ctx.close()
    return [(a.role, a.email, a.label) for a in made.accounts]


def run_demo(settings: Settings, *, fresh: bool = True) -> None:
    settings = init_secrets(settings)
    password = settings.demo_password.get_secret_value() if settings.demo_password else secrets.token_urlsafe(9)
    accounts = prepare_demo(settings, fresh=fresh, password=password)
    url = settings.base_url
    print(f"\nLiveport demo night — {url}\n")
    print(f"  data dir  {settings.data_dir.resolve()}")
    print(f"  API docs  {url}/docs\n")
    print(f"  Demo accounts (password for all: {password})")
    for role, email, label in accounts:
        print(f"    {role:<10} {email:<40} {label}")
    wallet, pin = night.DEMO_WALLET
    print(f"  The buyer pays at the e-CNY sandbox cashier with wallet {wallet}, PIN {pin}.")
    # The demo's identity sandbox knows nobody yet: let it register people on first sight.
    os.environ.setdefault("LIVEPORT_SANDBOX_IDENTITY_OPEN_REGISTRATION", "1")
    # A demo night's orders reach the door while people watch: the sandbox carrier's clock
    # runs an hour a second, and released orders are packed by themselves (settings
    # sandbox_clock_speed, fulfilment_auto_pack; the environment may still say otherwise).
    os.environ.setdefault("LIVEPORT_SANDBOX_CLOCK_SPEED", "3600")
    os.environ.setdefault("LIVEPORT_FULFILMENT_AUTO_PACK", "1")
    sandboxes = camera = None
    try:
        if settings.mount_sandboxes:
            sandboxes, base = start_sandboxes(settings)
            settings = settings.model_copy(update={"mount_sandboxes": False, "sandbox_base_url": base})
            print(f"  Sandboxes {base}/sandbox/{{identity,ecny,card,customs,carrier}} (their own process)")
        # The camera reconnects until the server's ingest (started with it) takes its stream.
        camera, video = start_studio(settings)
        print(f"\n{video}")
        print("\n  Ctrl-C stops the server.\n", flush=True)
        serve(settings)
    finally:
        stop_studio(camera)
        stop_sandboxes(sandboxes)
