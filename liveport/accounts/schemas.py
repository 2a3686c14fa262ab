from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from liveport.accounts.domain import Role


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=256)


class SignUp(SignIn):
    display_name: str = Field(min_length=1, max_length=80)
    locale: Literal["zh", "en"] = "zh"


class NewUser(SignUp):
    role: Role
    exhibitor_id: int | None = Field(None, ge=1)


class Provision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["buyer", "host", "moderator", "operator"] = "buyer"
    count: int = Field(ge=1, le=200_000)
    prefix: str = Field("crowd", pattern=r"^[a-z0-9-]{1,20}$")


class UserOut(BaseModel):
    id: int
    email: str
    display_name: str
    role: Role
    exhibitor_id: int | None
    identity_verified: bool
    locale: str


class TokenOut(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"
    user: UserOut


class ProvisionedOut(BaseModel):
    user_id: int
    email: str
    token: str


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor_user_id: int | None
    actor_role: str
    action: str
    target_type: str
    target_id: str
    details: dict[str, Any]
