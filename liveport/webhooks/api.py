"""Webhook routes of an exhibitor: endpoints (the secret answered only when made or rotated)
and deliveries (failed ones can be retried). Merchants of that exhibitor and the operator."""
from __future__ import annotations

import asyncio
from dataclasses import asdict

from fastapi import APIRouter, Depends, Response

from liveport.accounts.domain import Principal, Role
from liveport.accounts.guards import get_context, require
from liveport.context import AppContext
from liveport.core.clock import utcnow
from liveport.webhooks import services
from liveport.webhooks.domain import DeliveryStatus
from liveport.webhooks.schemas import DeliveryOut, EndpointIn, EndpointOut, EndpointWithSecretOut

router = APIRouter(prefix="/api/v1/exhibitors/{exhibitor_id}/webhooks", tags=["webhooks"])
merchants = require(Role.MERCHANT, Role.OPERATOR)
MERCHANT = Depends(merchants)
CONTEXT = Depends(get_context)


def _endpoint(view: services.EndpointView) -> EndpointOut:
    return EndpointOut(**{**asdict(view), "events": list(view.events)})


def _with_secret(made: services.WithSecret) -> EndpointWithSecretOut:
    return EndpointWithSecretOut(**_endpoint(made.endpoint).model_dump(), secret=made.secret)


@router.post("", response_model=EndpointWithSecretOut, status_code=201)
async def register(exhibitor_id: int, body: EndpointIn, principal: Principal = MERCHANT,
                   ctx: AppContext = CONTEXT) -> EndpointWithSecretOut:
    made = await asyncio.to_thread(services.register, ctx.db, ctx.identity, principal, exhibitor_id, body.url,
                                   body.events, production=ctx.settings.env == "production", now=utcnow())
    return _with_secret(made)


@router.get("", response_model=list[EndpointOut])
def endpoints(exhibitor_id: int, principal: Principal = MERCHANT,
              ctx: AppContext = CONTEXT) -> list[EndpointOut]:
    return [_endpoint(v) for v in services.list_endpoints(ctx.db, principal, exhibitor_id)]


@router.get("/deliveries", response_model=list[DeliveryOut])
def deliveries(exhibitor_id: int, status: DeliveryStatus | None = None, principal: Principal = MERCHANT,
               ctx: AppContext = CONTEXT) -> list[DeliveryOut]:
    return [DeliveryOut(**asdict(v)) for v in services.list_deliveries(ctx.db, principal, exhibitor_id, status)]


@router.post("/deliveries/{delivery_id}/retry", response_model=DeliveryOut)
def retry(exhibitor_id: int, delivery_id: int, principal: Principal = MERCHANT,
          ctx: AppContext = CONTEXT) -> DeliveryOut:
    return DeliveryOut(**asdict(services.retry(ctx.db, principal, exhibitor_id, delivery_id, utcnow())))


@router.delete("/{endpoint_id}", status_code=204)
def remove(exhibitor_id: int, endpoint_id: int, principal: Principal = MERCHANT,
           ctx: AppContext = CONTEXT) -> Response:
    services.remove(ctx.db, principal, exhibitor_id, endpoint_id, utcnow())
    return Response(status_code=204)


@router.post("/{endpoint_id}/rotate-secret", response_model=EndpointWithSecretOut)
def rotate_secret(exhibitor_id: int, endpoint_id: int, principal: Principal = MERCHANT,
                  ctx: AppContext = CONTEXT) -> EndpointWithSecretOut:
    return _with_secret(services.rotate_secret(ctx.db, ctx.identity, principal, exhibitor_id, endpoint_id,
                                               utcnow()))
