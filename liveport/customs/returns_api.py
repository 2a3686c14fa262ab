"""Return routes: the buyer requests a return; the operator or the exhibitor's merchant
records the goods back in the bonded warehouse (then the refund is issued)."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from liveport.accounts.domain import Principal, Role
from liveport.accounts.guards import get_context, require
from liveport.catalog.reference import current_positive_list
from liveport.context import AppContext
from liveport.core.clock import utcnow
from liveport.core.errors import Forbidden
from liveport.customs import returns
from liveport.payments import flows
from liveport.payments.registry import provider_for

log = logging.getLogger("liveport.customs")
router = APIRouter(prefix="/api/v1/orders", tags=["returns"])
buyer_only = require(Role.BUYER)
receivers = require(Role.OPERATOR, Role.MERCHANT)


class ReturnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=200)
    lines: list[int] | None = Field(None, min_length=1, max_length=100,
                                    description="gnums of the lines to return; omitted = all (the only kind for now)")


class ReturnOut(BaseModel):
    order_no: str
    status: str
    request_by: datetime = Field(description="requests are on time strictly before this moment (UTC)")
    arrive_by: datetime = Field(description="the goods must be back strictly before this moment (UTC)")


def _out(outcome: returns.ReturnOutcome) -> ReturnOut:
    return ReturnOut(order_no=outcome.order_no, status=outcome.status, request_by=outcome.window.request_by,
                     arrive_by=outcome.window.arrive_by)


@router.post("/{order_no}/return", response_model=ReturnOut, status_code=202)
def request_return(order_no: str, body: ReturnIn, principal: Principal = Depends(buyer_only),
                   ctx: AppContext = Depends(get_context)) -> ReturnOut:
    return _out(returns.request_return(ctx.db, order_no, principal.user_id, body.reason, body.lines, utcnow()))


@router.post("/{order_no}/return/received", response_model=ReturnOut)
async def received(order_no: str, principal: Principal = Depends(receivers),
                   ctx: AppContext = Depends(get_context)) -> ReturnOut:
    if not principal.is_operator and principal.exhibitor_id is None:
        raise Forbidden("Only the exhibitor's merchant or an operator records returned goods.",
                        code="exhibitor_required")
    now = utcnow()
    outcome = await asyncio.to_thread(returns.receive_return, ctx.db, current_positive_list(ctx.settings), order_no,
                                      None if principal.is_operator else principal.exhibitor_id, now)
    try:  # the customs loop retries a refund that fails here (same key)
        await flows.refund(ctx.db, lambda name: provider_for(ctx, name), outcome.order_id, None,
                           "returned within 45 days of release: no tax due", f"customs:{outcome.order_id}", now)
    except Exception:
        log.warning("refund of returned order %s will be retried", order_no, exc_info=True)
    return _out(outcome)
