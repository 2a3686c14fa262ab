"""Customs routes: the single window's receipts, cancelling an order, the operator's list of
declarations (dead letters included) with a retry."""
from __future__ import annotations

import asyncio
import hmac
import logging
from datetime import datetime

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from liveport.accounts.domain import Principal, Role
from liveport.accounts.guards import get_context, require
from liveport.catalog.reference import current_positive_list
from liveport.context import AppContext
from liveport.core.clock import utcnow
from liveport.core.errors import AppError, NotFound, ValidationFailed
from liveport.customs import cancellation, operations
from liveport.customs.lifecycle import receipt_token
from liveport.customs.receipts import apply_envelope
from liveport.payments import flows
from liveport.payments.registry import provider_for

log = logging.getLogger("liveport.customs")
router = APIRouter(prefix="/api/v1", tags=["customs"])
operator_only = require(Role.OPERATOR)
cancellers = require(Role.BUYER, Role.OPERATOR)
MAX_ENVELOPE = 512 * 1024


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=200)


class CancelOut(BaseModel):
    order_no: str
    status: str = Field(description="cancelled (money on its way back) or cancelling (customs decides)")


class DeclarationOut(BaseModel):
    id: int
    order_no: str
    kind: str
    status: str
    attempts: int
    last_error: str | None
    return_status: str | None
    return_info: str | None
    updated_at: datetime


# Deliberately public: the single window posts here; the secret token in the path (given
# only to the window, with our certificate) is what proves it.
@router.post("/customs/receipts/{token}", include_in_schema=False)
async def receipts(token: str, request: Request, ctx: AppContext = Depends(get_context)) -> Response:
    if not hmac.compare_digest(token.encode(), receipt_token(ctx).encode()):
        raise NotFound("Unknown receipt address.", code="unknown_receipt_address")
    body = await request.body()
    if len(body) > MAX_ENVELOPE:
        raise ValidationFailed("The envelope is too large.", code="payload_too_large")
    now = utcnow()
    try:
        await asyncio.to_thread(apply_envelope, ctx.db, current_positive_list(ctx.settings), body, now)
    except ValueError as exc:  # not a DXP envelope / not XML: the window sent garbage
        raise ValidationFailed("Not a DXP envelope.", code="invalid_envelope", details={"reason": str(exc)[:200]}) from exc
    return Response(b"OK", media_type="text/plain")


@router.post("/orders/{order_no}/cancel", response_model=CancelOut, status_code=202)
async def cancel(order_no: str, body: CancelIn, principal: Principal = Depends(cancellers),
                 ctx: AppContext = Depends(get_context)) -> CancelOut:
    now = utcnow()
    outcome = await asyncio.to_thread(
        cancellation.request_cancel, ctx.db, current_positive_list(ctx.settings), order_no,
        None if principal.is_operator else principal.user_id, body.reason, now)
    if outcome.status == "cancelled":  # at once; should the provider be down, the customs loop retries
        try:
            await flows.refund(ctx.db, lambda name: provider_for(ctx, name), outcome.order_id, None, body.reason,
                               f"customs:{outcome.order_id}", now)
        except AppError:
            log.warning("refund of cancelled order %s will be retried", order_no)
    return CancelOut(order_no=outcome.order_no, status=outcome.status)


@router.get("/customs/declarations", response_model=list[DeclarationOut])
def declarations(status: str | None = None, order_no: str | None = None, _p: Principal = Depends(operator_only),
                 ctx: AppContext = Depends(get_context)) -> list[DeclarationOut]:
    return [DeclarationOut(**row) for row in operations.list_declarations(ctx.db, status=status, order_no=order_no)]


@router.post("/customs/declarations/{declaration_id}/retry", response_model=DeclarationOut)
def retry(declaration_id: int, principal: Principal = Depends(operator_only),
          ctx: AppContext = Depends(get_context)) -> DeclarationOut:
    return DeclarationOut(**operations.retry(ctx.db, principal, declaration_id, utcnow()))
