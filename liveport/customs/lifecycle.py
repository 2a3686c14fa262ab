"""Start-up hook of the customs domain: the outbox handler that opens a paid order's
declarations, the loop that advances them, and filing our certificates with the window."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.orm import Session

from liveport.context import AppContext
from liveport.core.clock import utcnow
from liveport.core.outbox.domain import OutboxMessage
from liveport.customs import pipeline, refunds
from liveport.customs.adapters.http_carrier import HttpCarrier
from liveport.customs.adapters.http_gateway import HttpSingleWindow
from liveport.customs.domain import Kind
from liveport.customs.facts import agent, platform
from liveport.customs.ports import CustomsGateway
from liveport.payments.registry import provider_for

log = logging.getLogger("liveport.customs")
PIPELINE_KEY = "customs.pipeline"


def receipt_token(ctx: AppContext) -> str:
    """The secret part of our receipt URL: only the window we gave it to can post receipts."""
    secret = ctx.settings.secret("session_secret").encode()
    return hmac.new(secret, b"liveport customs receipts", hashlib.sha256).hexdigest()[:40]


def receipt_url(ctx: AppContext) -> str:
    return f"{ctx.settings.base_url}/api/v1/customs/receipts/{receipt_token(ctx)}"


def gateway_of(ctx: AppContext) -> CustomsGateway:
    url = ctx.settings.customs_gateway_url or ctx.settings.sandbox_url("customs")
    return HttpSingleWindow(url, ctx.settings.outbound_timeout_s)


def build_pipeline(ctx: AppContext) -> pipeline.Pipeline:
    made = ctx.extras.get(PIPELINE_KEY)
    if made is None:
        made = pipeline.Pipeline(db=ctx.db, settings=ctx.settings, protector=ctx.identity, gateway=gateway_of(ctx),
                                 carrier=HttpCarrier.from_settings(ctx.settings),
                                 provider_for=lambda name: provider_for(ctx, name))
        ctx.extras[PIPELINE_KEY] = made
    return made


def file_certificates(ctx: AppContext, pipe: pipeline.Pipeline) -> None:
    """Our two signing parties, filed with the single window with our receipt URL."""
    for kind, party in ((Kind.ORDER, platform(ctx.settings)), (Kind.INVENTORY, agent(ctx.settings))):
        creds = pipe.credentials(kind)
        pipe.gateway.register(dxp_id=ctx.settings.customs_dxp_id, customs_code=party.code, name=party.name,
                              certificate=creds.certificate, receipt_url=receipt_url(ctx))


async def advance_due(ctx: AppContext, pipe: pipeline.Pipeline, lanes: ThreadPoolExecutor) -> int:
    """Advance every declaration due: one order's declarations one after another (their
    steps depend on each other), as many orders at once as ``lanes`` has threads. The lanes
    are the loop's own: on the event loop's default executor (six threads on two cores) they
    would queue behind every other ``to_thread`` of the server, and it behind them."""
    loop = asyncio.get_running_loop()
    by_order: dict[int, list[int]] = {}
    for declaration_id, order_id in await loop.run_in_executor(lanes, pipeline.due, ctx.db, utcnow()):
        by_order.setdefault(order_id, []).append(declaration_id)

    def one_order(declaration_ids: list[int]) -> None:
        for declaration_id in declaration_ids:
            pipeline.advance(pipe, declaration_id)

    failures = 0
    for failed in await asyncio.gather(*(loop.run_in_executor(lanes, one_order, ids) for ids in by_order.values()),
                                       return_exceptions=True):
        if isinstance(failed, Exception):  # the database hiccuped: the rows stay due for the next round
            log.error("advancing declarations failed: %r", failed)
            failures += 1
    # Rows that failed are still due: report no progress, so the loop waits before trying again.
    return 0 if failures else sum(len(ids) for ids in by_order.values())


def on_paid(session: Session, message: OutboxMessage) -> None:
    """Outbox handler of ``order.paid``: the order's declarations, to be made."""
    if message.aggregate_id is not None:
        pipeline.start_declaration(session, int(message.aggregate_id))


def start_customs(ctx: AppContext) -> Callable[[], None] | None:
    """Listed in STARTUP_HOOKS (before the outbox dispatcher starts routing)."""
    if "customs.declare_paid_order" not in ctx.outbox.handlers_for("order.paid"):
        ctx.outbox.register_handler("order.paid", "customs.declare_paid_order", on_paid)
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # a CLI command: no background work
        return None
    pipe = build_pipeline(ctx)
    lanes = ThreadPoolExecutor(ctx.settings.customs_concurrency, thread_name_prefix="customs-lane")

    async def every() -> None:
        filed = False
        while True:
            advanced = 0
            try:
                if not filed:
                    await asyncio.to_thread(file_certificates, ctx, pipe)
                    filed = True
                advanced = await advance_due(ctx, pipe, lanes)
                await refunds.settle(ctx.db, pipe.provider_for, utcnow())
            except asyncio.CancelledError:
                raise
            except Exception:  # the window may not be up yet: the next round tries again
                log.exception("customs round failed")
            # A busy night goes straight on to the next round; a quiet one looks twice a second.
            await asyncio.sleep(0 if advanced else ctx.settings.customs_interval_s)

    task = loop.create_task(every())

    def stop() -> None:
        task.cancel()
        lanes.shutdown(wait=False, cancel_futures=True)

    return stop
