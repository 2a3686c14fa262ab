"""Fulfilment routes: a warehouse's pick list and an order's pack confirmation, for the
operator or a merchant (their own exhibitor's orders only)."""
from __future__ import annotations

import asyncio
import dataclasses
import logging

from fastapi import APIRouter, Depends, Response

from liveport.accounts.domain import Principal, Role
from liveport.accounts.guards import get_context, require
from liveport.context import AppContext
from liveport.core.clock import utcnow
from liveport.core.errors import AppError
from liveport.fulfilment import services
from liveport.fulfilment.lifecycle import hand_over
from liveport.fulfilment.schemas import PackIn, ParcelOut, PickListOut, PickOrderOut

log = logging.getLogger("liveport.fulfilment")
router = APIRouter(prefix="/api/v1", tags=["fulfilment"])
packers = require(Role.MERCHANT, Role.OPERATOR)


@router.get("/warehouses/{warehouse_id}/pick-list", response_model=PickListOut)
def pick_list(warehouse_id: int, principal: Principal = Depends(packers),
              ctx: AppContext = Depends(get_context)) -> PickListOut:
    orders = services.pick_list(ctx.db, principal, warehouse_id)
    return PickListOut(warehouse_id=warehouse_id,
                       orders=[PickOrderOut.model_validate(dataclasses.asdict(o)) for o in orders])


@router.post("/orders/{order_no}/pack", response_model=ParcelOut, status_code=201)
async def pack(order_no: str, body: PackIn, response: Response, principal: Principal = Depends(packers),
               ctx: AppContext = Depends(get_context)) -> ParcelOut:
    packed = await asyncio.to_thread(services.pack, ctx.db, principal, order_no, body.weight_kg, utcnow())
    if packed.replayed:
        response.status_code = 200
    elif packed.handed_over_at is None:
        try:  # tell the carrier now; should it be down, the fulfilment loop tries again
            at = await asyncio.to_thread(hand_over, ctx, packed.parcel_id, packed.logistics_no, packed.weight_kg)
            packed = dataclasses.replace(packed, handed_over_at=at)
        except AppError:
            log.warning("handover of %s will be retried", packed.logistics_no, exc_info=True)
    return ParcelOut(**dataclasses.asdict(packed))
