"""Start-up hook of webhooks: the outbox handler that turns order events into deliveries,
and the loop that sends the due ones."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from liveport.context import AppContext
from liveport.core.clock import utcnow
from liveport.webhooks import deliveries
from liveport.webhooks.adapters.http_sender import HttpWebhookSender
from liveport.webhooks.domain import EVENT_TYPES

log = logging.getLogger("liveport.webhooks")


def policy_of(ctx: AppContext) -> deliveries.RetryPolicy:
    s = ctx.settings
    return deliveries.RetryPolicy(s.webhooks_max_attempts, s.webhooks_retry_base_s, s.webhooks_retry_max_s)


def sender_of(ctx: AppContext) -> HttpWebhookSender:
    return HttpWebhookSender(ctx.settings.webhooks_timeout_s, production=ctx.settings.env == "production")


def register_handler(ctx: AppContext) -> None:
    for event_type in EVENT_TYPES:
        if deliveries.HANDLER_NAME not in ctx.outbox.handlers_for(event_type):
            ctx.outbox.register_handler(event_type, deliveries.HANDLER_NAME, deliveries.enqueue_order_event)


def send_due(ctx: AppContext, sender: HttpWebhookSender) -> int:
    """One round: every delivery due now, one after another; returns how many were sent."""
    now = utcnow()
    # Claimed past the POST's timeout, so a slow send is not claimed again meanwhile.
    lease_s = ctx.settings.webhooks_timeout_s * 2 + 5
    sent = 0
    for delivery_id in deliveries.due(ctx.db, now):
        if deliveries.send_one(ctx.db, ctx.identity, sender, delivery_id, utcnow(), policy_of(ctx), lease_s):
            sent += 1
    return sent


def start_webhooks(ctx: AppContext) -> Callable[[], None] | None:
    """Listed in STARTUP_HOOKS (before the outbox dispatcher starts routing)."""
    register_handler(ctx)
    if not ctx.settings.webhooks_sender:
        return None
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # a CLI command: no background work
        return None
    sender = sender_of(ctx)

    async def every() -> None:
        while True:
            try:
                await asyncio.to_thread(send_due, ctx, sender)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be away: the next round tries again
                log.exception("webhook round failed")
            await asyncio.sleep(ctx.settings.webhooks_interval_s)

    task = loop.create_task(every())
    return task.cancel
