from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, Response

from liveport.accounts import services
from liveport.accounts.domain import Principal, Role
from liveport.accounts.guards import (
    SESSION_COOKIE,
    any_user,
    bearer_token,
    get_context,
    operator_only,
    rate_limited,
)
from liveport.accounts.models import User
from liveport.accounts.schemas import (
    AuditOut,
    NewUser,
    Provision,
    ProvisionedOut,
    SignIn,
    SignUp,
    TokenOut,
    UserOut,
)
from liveport.buyers.provisioning import demo_identity_writer
from liveport.context import AppContext

router = APIRouter(prefix="/api/v1", tags=["accounts"])


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=Role(user.role),
        exhibitor_id=user.exhibitor_id,
        identity_verified=user.identity_hash is not None,
        locale=user.locale,
    )


@router.post("/auth/register", response_model=TokenOut, status_code=201,
             dependencies=[Depends(rate_limited("register"))])
def register(body: SignUp, ctx: AppContext = Depends(get_context)) -> TokenOut:
    services.create_user(ctx.db, email=body.email, password=body.password, role=Role.BUYER,
                         display_name=body.display_name)
    token, user = services.sign_in(ctx.db, email=body.email, password=body.password, kind="api", ttl=None,
                                  secret=ctx.settings.secret("session_secret"))
    return TokenOut(token=token, user=user_out(user))


@router.post("/auth/login", response_model=TokenOut, dependencies=[Depends(rate_limited("login"))])
def login(body: SignIn, ctx: AppContext = Depends(get_context)) -> TokenOut:
    token, user = services.sign_in(ctx.db, email=body.email, password=body.password, kind="api", ttl=None,
                                  secret=ctx.settings.secret("session_secret"))
    return TokenOut(token=token, user=user_out(user))


@router.post("/auth/logout", status_code=204)
def logout(request: Request, _: Principal = Depends(any_user),
           ctx: AppContext = Depends(get_context)) -> Response:
    token = bearer_token(request) or request.cookies.get(SESSION_COOKIE)
    if token:
        services.revoke_token(ctx.db, token)
        ctx.tokens.forget(token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/me", response_model=UserOut)
def me(principal: Principal = Depends(any_user), ctx: AppContext = Depends(get_context)) -> UserOut:
    with ctx.db.reader() as session:
        user = session.get(User, principal.user_id)
        assert user is not None
        return user_out(user)


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: NewUser, actor: Principal = Depends(operator_only),
                ctx: AppContext = Depends(get_context)) -> UserOut:
    user = services.create_user(ctx.db, email=body.email, password=body.password, role=body.role,
                                display_name=body.display_name, exhibitor_id=body.exhibitor_id,
                                actor=actor)
    return user_out(user)


@router.post("/users/provision", response_model=list[ProvisionedOut], status_code=201)
def provision(body: Provision, actor: Principal = Depends(operator_only),
              ctx: AppContext = Depends(get_context)) -> list[ProvisionedOut]:
    role = Role(body.role)
    # Provisioned buyers get synthetic verified identities so they can buy at once.
    writer = demo_identity_writer(ctx.identity) if role is Role.BUYER else None
    created = services.provision_users(ctx.db, role=role, count=body.count,
                                       prefix=body.prefix, actor=actor, on_created=writer,
                                       secret=ctx.settings.secret("session_secret"))
    return [ProvisionedOut(user_id=u.user_id, email=u.email, token=u.token) for u in created]


@router.get("/audit", response_model=list[AuditOut])
def audit_log(limit: int = Query(100, ge=1, le=1000), before_id: int | None = Query(None, ge=1),
              _: Principal = Depends(operator_only), ctx: AppContext = Depends(get_context)) -> list[AuditOut]:
    return [AuditOut.model_validate(e, from_attributes=True)
            for e in services.list_audit(ctx.db, limit=limit, before_id=before_id)]

