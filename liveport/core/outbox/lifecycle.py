"""Start-up hook: run the outbox dispatcher in a background thread of this process."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from liveport.core.outbox.dispatch import OutboxDispatcher

if TYPE_CHECKING:
    from liveport.context import AppContext

EXTRAS_KEY = "outbox_dispatcher"


def build_dispatcher(ctx: AppContext) -> OutboxDispatcher:
    settings = ctx.settings
    return OutboxDispatcher(
        ctx.db,
        ctx.outbox,
        poll_s=settings.outbox_poll_s,
        max_attempts=settings.outbox_max_attempts,
        backoff_base_s=settings.outbox_backoff_base_s,
    )


def start_dispatcher(ctx: AppContext) -> Callable[[], None] | None:
    """Listed in STARTUP_HOOKS; returns the stop callable, or None when switched off.

    The thread must not route events before every later start-up hook has registered its
    handlers (an event routed too early would miss them for good). The hooks run one after
    another without yielding to the event loop, so inside the application's lifespan the
    start is queued on the loop and happens only once all hooks are done. Called outside an
    event loop (a CLI command, a worker process), it starts at once: register first.
    """
    if not ctx.settings.outbox_dispatcher:
        return None
    dispatcher = build_dispatcher(ctx)
    ctx.extras[EXTRAS_KEY] = dispatcher
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        dispatcher.start()
    else:
        loop.call_soon(dispatcher.start)
    return dispatcher.stop
