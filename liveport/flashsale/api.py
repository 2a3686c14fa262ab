"""Drop routes (the broad API). The claim route is the lean one in ``claims.py``."""
from __future__ import annotations

import asyncio

from fastapi import APIRouter, Body, Depends

from liveport.accounts.domain import Principal, Role
from liveport.accounts.guards import get_context, require
from liveport.context import AppContext
from liveport.flashsale import services
from liveport.flashsale.domain import GateUnavailable
from liveport.flashsale.lifecycle import GATE_KEY, TICKER_KEY
from liveport.flashsale.models import Drop
from liveport.flashsale.ports import FlashSaleGate
from liveport.flashsale.recovery import ensure_ready
from liveport.flashsale.schemas import DropIn, DropOut, Id, OpenIn

READY_KEY = "flashsale_gate_checked"  # this process checked the gate against the database

router = APIRouter(prefix="/api/v1", tags=["flash sales"])
hosts = require(Role.HOST, Role.OPERATOR)


async def _gate(ctx: AppContext) -> FlashSaleGate:
    gate = ctx.extras.get(GATE_KEY)
    if gate is None:
        raise GateUnavailable(code="gate_not_started")
    if not ctx.extras.get(READY_KEY):
        # The first request may come before the background task's first round: make sure
        # the gate holds the database's state (a fresh Redis is rebuilt) before answering.
        await ensure_ready(ctx.db, gate)
        ctx.extras[READY_KEY] = True
    return gate


async def _out(gate: FlashSaleGate, drop: Drop) -> DropOut:
    status = await gate.status(drop.id)
    counts = status.counts if status is not None else None
    return DropOut(
        id=drop.id, show_id=drop.show_id, product_id=drop.product_id, warehouse_id=drop.warehouse_id,
        quantity=drop.quantity, price=drop.price, currency=drop.currency,
        per_buyer_limit=drop.per_buyer_limit, hold_minutes=drop.hold_s / 60, opens_at=drop.opens_at,
        closes_at=drop.closes_at, status=drop.status, sales_start_at=drop.sales_start_at,
        opened_at=drop.opened_at, closed_at=drop.closed_at, returned_qty=drop.returned_qty,
        on_sale=counts.on_sale if counts else None, reserved=counts.reserved if counts else None,
        sold=counts.sold if counts else None)


@router.post("/drops", response_model=DropOut, status_code=201)
async def create_drop(body: DropIn, actor: Principal = Depends(hosts),
                      ctx: AppContext = Depends(get_context)) -> DropOut:
    gate = await _gate(ctx)
    new = services.NewDrop(body.show_id, body.product_id, body.warehouse_id, body.quantity, body.price,
                           body.per_buyer_limit, body.opens_at, body.closes_at)
    drop = await services.create_drop(ctx.db, gate, actor, new, hold_s=ctx.settings.flashsale_hold_minutes * 60)
    return await _out(gate, drop)


@router.get("/drops/{drop_id}", response_model=DropOut)
async def get_drop(drop_id: Id, ctx: AppContext = Depends(get_context)) -> DropOut:
    drop = await asyncio.to_thread(services.get_drop, ctx.db, drop_id)
    return await _out(await _gate(ctx), drop)


@router.get("/shows/{show_id}/drops", response_model=list[DropOut])
async def list_drops(show_id: Id, ctx: AppContext = Depends(get_context)) -> list[DropOut]:
    gate = await _gate(ctx)
    return [await _out(gate, d) for d in await asyncio.to_thread(services.list_drops, ctx.db, show_id)]


@router.post("/drops/{drop_id}/open", response_model=DropOut)
async def open_drop(drop_id: Id, body: OpenIn = Body(default_factory=OpenIn),
                    actor: Principal = Depends(hosts), ctx: AppContext = Depends(get_context)) -> DropOut:
    gate = await _gate(ctx)
    drop = await services.open_drop(ctx.db, gate, actor, drop_id, countdown_s=body.countdown_s)
    out = await _out(gate, drop)
    ctx.extras[TICKER_KEY].announce(drop, out.on_sale)
    return out


@router.post("/drops/{drop_id}/close", response_model=DropOut)
async def close_drop(drop_id: Id, actor: Principal = Depends(hosts),
                     ctx: AppContext = Depends(get_context)) -> DropOut:
    gate = await _gate(ctx)
    drop = await services.close_drop(ctx.db, gate, actor, drop_id)
    ctx.extras[TICKER_KEY].announce(drop, 0)
    return await _out(gate, drop)
