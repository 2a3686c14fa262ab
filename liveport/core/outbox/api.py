"""Operator routes over the outbox: the dead-letter list, retrying one, and the backlog."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query

from liveport.accounts.domain import Principal
from liveport.accounts.guards import get_context, operator_only
from liveport.context import AppContext
from liveport.core.outbox import services
from liveport.core.outbox.schemas import DeliveryOut, StatsOut

router = APIRouter(prefix="/api/v1/outbox", tags=["outbox"])

# Ids are 64-bit in PostgreSQL; a larger number is bad input (422), not a database error.
MAX_ID = 2**63 - 1


@router.get("/dead-letters", response_model=list[DeliveryOut])
def dead_letters(
    limit: int = Query(100, ge=1, le=1000),
    before_id: int | None = Query(None, ge=1, le=MAX_ID),
    _: Principal = Depends(operator_only),
    ctx: AppContext = Depends(get_context),
) -> list[DeliveryOut]:
    return [
        DeliveryOut.of(v)
        for v in services.list_dead_letters(ctx.db, limit=limit, before_id=before_id)
    ]


@router.post("/dead-letters/{delivery_id}/retry", response_model=DeliveryOut)
def retry_dead_letter(
    delivery_id: int = Path(ge=1, le=MAX_ID),
    actor: Principal = Depends(operator_only),
    ctx: AppContext = Depends(get_context),
) -> DeliveryOut:
    return DeliveryOut.of(services.retry_dead_letter(ctx.db, delivery_id, actor=actor))


@router.get("/stats", response_model=StatsOut)
def stats(
    _: Principal = Depends(operator_only), ctx: AppContext = Depends(get_context)
) -> StatsOut:
    return StatsOut.of(services.outbox_stats(ctx.db))
