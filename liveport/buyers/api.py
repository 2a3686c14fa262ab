"""Routes of a person's own data: real-name identity, consents, export, erasure.

Every answer shows the ID number masked; the clear number exists only on its way in.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from liveport.accounts.domain import Principal, Role
from liveport.accounts.guards import (
    SESSION_COOKIE,
    any_user,
    bearer_token,
    get_context,
    rate_limited,
    require,
)
from liveport.buyers import services
from liveport.buyers.adapters.http_verifier import HttpIdentityVerifier
from liveport.buyers.ports import IdentityVerifier
from liveport.buyers.schemas import (
    ConsentOut,
    ErasureOut,
    ErasureRequest,
    IdentityOut,
    IdentitySubmission,
)
from liveport.context import AppContext

router = APIRouter(prefix="/api/v1/me", tags=["buyers"])
buyer_only = require(Role.BUYER)
# A process may put another verifier here (a real provider's adapter, a test double).
VERIFIER_EXTRA = "buyers.identity_verifier"


def identity_verifier(ctx: AppContext = Depends(get_context)) -> IdentityVerifier:
    verifier = ctx.extras.get(VERIFIER_EXTRA)
    return verifier if verifier is not None else HttpIdentityVerifier.from_settings(ctx.settings)


def _reread_callers_token(request: Request, ctx: AppContext) -> None:
    """The resolver may hold this buyer as unverified: make it read the identity again."""
    token = bearer_token(request) or request.cookies.get(SESSION_COOKIE)
    if token:
        ctx.tokens.reread(token)


@router.post(
    "/identity",
    response_model=IdentityOut,
    status_code=201,
    dependencies=[Depends(rate_limited("identity"))],
)
def submit_identity(
    body: IdentitySubmission,
    request: Request,
    principal: Principal = Depends(buyer_only),
    verifier: IdentityVerifier = Depends(identity_verifier),
    ctx: AppContext = Depends(get_context),
) -> IdentityOut:
    view = services.submit_identity(
        ctx.db,
        verifier,
        ctx.identity,
        principal,
        full_name=body.full_name,
        id_number=body.id_number,
        phone=body.phone,
        consent=body.consent,
    )
    _reread_callers_token(request, ctx)
    return IdentityOut.of(view)


@router.get("/identity", response_model=IdentityOut)
def get_identity(
    principal: Principal = Depends(buyer_only), ctx: AppContext = Depends(get_context)
) -> IdentityOut:
    return IdentityOut.of(services.get_identity_view(ctx.db, principal.user_id))


@router.get("/consents", response_model=list[ConsentOut])
def consents(
    principal: Principal = Depends(any_user), ctx: AppContext = Depends(get_context)
) -> list[ConsentOut]:
    return [
        ConsentOut.model_validate(c, from_attributes=True)
        for c in services.list_consents(ctx.db, principal.user_id)
    ]


@router.get("/export")
def export(
    principal: Principal = Depends(any_user), ctx: AppContext = Depends(get_context)
) -> Response:
    data: dict[str, Any] = services.export_personal_data(ctx.db, principal.user_id)
    filename = f"liveport-personal-data-{principal.user_id}.json"
    return JSONResponse(
        data,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/erase", response_model=ErasureOut)
def erase(
    body: ErasureRequest,
    request: Request,
    response: Response,
    principal: Principal = Depends(any_user),
    ctx: AppContext = Depends(get_context),
) -> ErasureOut:
    services.erase_personal_data(
        ctx.db, principal, principal.user_id, confirm_email=body.confirm_email
    )
    token = bearer_token(request) or request.cookies.get(SESSION_COOKIE)
    if token:
        ctx.tokens.forget(token)  # erased: every token was revoked; refuse this one here at once
    response.delete_cookie(SESSION_COOKIE)
    return ErasureOut(erased=True, user_id=principal.user_id)
