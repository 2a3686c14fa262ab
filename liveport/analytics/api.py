"""Analytics routes: the figures as JSON, what the operator dashboard and the merchant desk poll
for their live chart. A merchant gets only its own exhibitor's figures; the operator any scope."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query

from liveport.accounts.domain import Principal, Role
from liveport.accounts.guards import get_context, require
from liveport.analytics import services
from liveport.analytics.schemas import figures_json
from liveport.context import AppContext
from liveport.core.clock import as_utc
from liveport.core.errors import Forbidden

router = APIRouter(prefix="/api/v1", tags=["analytics"])
merchants = require(Role.MERCHANT, Role.OPERATOR)
MAX_ID = 2**31 - 1


def scope_of(principal: Principal, exhibitor_id: int | None) -> int | None:
    """A merchant sees its own exhibitor only (asking for another's is refused, not widened)."""
    if principal.role is Role.OPERATOR:
        return exhibitor_id
    if principal.exhibitor_id is None or exhibitor_id not in (None, principal.exhibitor_id):
        raise Forbidden("A merchant sees only its own exhibitor's figures.", code="not_your_exhibitor")
    return principal.exhibitor_id


@router.get("/analytics/figures")
def figures(show_id: int | None = Query(None, ge=1, le=MAX_ID),
            exhibitor_id: int | None = Query(None, ge=1, le=MAX_ID), since: datetime | None = None,
            until: datetime | None = None, principal: Principal = Depends(merchants),
            ctx: AppContext = Depends(get_context)) -> dict[str, Any]:
    scope = scope_of(principal, exhibitor_id)
    found = services.figures(ctx.db, show_id=show_id, exhibitor_id=scope,
                             since=as_utc(since) if since else None, until=as_utc(until) if until else None)
    return figures_json(found)
