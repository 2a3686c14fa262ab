"""Show routes. Listing and reading shows is deliberately public; an operator schedules
shows; start/end need one of the show's hosts or an operator; hosts and lineup need the
main host or an operator (the object-level part is checked in the services)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Path

from liveport.accounts.domain import Principal, Role
from liveport.accounts.guards import get_context, operator_only, require
from liveport.context import AppContext
from liveport.shows import services
from liveport.shows.schemas import HostIn, LineupIn, ShowIn, ShowOut, ShowSummaryOut

router = APIRouter(prefix="/api/v1", tags=["shows"])
host_or_operator = require(Role.HOST, Role.OPERATOR)
ShowId = Annotated[int, Path(ge=1, le=2_147_483_647)]


def summary_out(summary: services.ShowSummary) -> ShowSummaryOut:
    return ShowSummaryOut.model_validate(asdict(summary))


def show_out(detail: services.ShowDetail) -> ShowOut:
    return ShowOut.model_validate(
        {
            **asdict(detail.summary),
            "description": detail.description,
            "lineup": [asdict(item) for item in detail.lineup],
        }
    )


@router.get("/shows", response_model=list[ShowSummaryOut])
def list_shows(ctx: AppContext = Depends(get_context)) -> list[ShowSummaryOut]:
    return [summary_out(s) for s in services.list_shows(ctx.db)]


@router.get("/shows/{show_id}", response_model=ShowOut)
def get_show(show_id: ShowId, ctx: AppContext = Depends(get_context)) -> ShowOut:
    return show_out(services.get_show(ctx.db, show_id))


@router.post("/shows", response_model=ShowOut, status_code=201)
def create_show(
    body: ShowIn, actor: Principal = Depends(operator_only), ctx: AppContext = Depends(get_context)
) -> ShowOut:
    detail = services.create_show(
        ctx.db,
        actor,
        title=body.title,
        title_en=body.title_en,
        description=body.description,
        scheduled_start=body.scheduled_start,
        scheduled_end=body.scheduled_end,
        main_host=body.main_host.spec(),
    )
    return show_out(detail)


@router.post("/shows/{show_id}/start", response_model=ShowOut)
def start_show(
    show_id: ShowId,
    actor: Principal = Depends(host_or_operator),
    ctx: AppContext = Depends(get_context),
) -> ShowOut:
    return show_out(services.start_show(ctx.db, actor, show_id))


@router.post("/shows/{show_id}/end", response_model=ShowOut)
def end_show(
    show_id: ShowId,
    actor: Principal = Depends(host_or_operator),
    ctx: AppContext = Depends(get_context),
) -> ShowOut:
    return show_out(services.end_show(ctx.db, actor, show_id))


@router.put("/shows/{show_id}/lineup", response_model=ShowOut)
def set_lineup(
    body: LineupIn,
    show_id: ShowId,
    actor: Principal = Depends(host_or_operator),
    ctx: AppContext = Depends(get_context),
) -> ShowOut:
    return show_out(services.set_lineup(ctx.db, actor, show_id, body.product_ids))


@router.post("/shows/{show_id}/hosts", response_model=ShowOut, status_code=201)
def add_host(
    body: HostIn,
    show_id: ShowId,
    actor: Principal = Depends(host_or_operator),
    ctx: AppContext = Depends(get_context),
) -> ShowOut:
    return show_out(services.add_host(ctx.db, actor, show_id, body.spec()))
