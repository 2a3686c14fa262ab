"""Routes of a buyer's address book: ``/api/v1/me/consignees``."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field

from liveport.accounts.domain import Principal, Role
from liveport.accounts.guards import get_context, require
from liveport.buyers import consignees
from liveport.buyers.domain import mask_phone
from liveport.buyers.models import Consignee
from liveport.context import AppContext

router = APIRouter(prefix="/api/v1/me/consignees", tags=["buyers"])
buyer_only = require(Role.BUYER)


class ConsigneeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field(min_length=1, max_length=32)
    address: str = Field(min_length=1, max_length=400)
    district_code: str = Field(min_length=1, max_length=12)
    is_default: bool = False


class ConsigneeOut(BaseModel):
    id: int
    name: str
    phone: str = Field(description="Masked: 138****1234.")
    address: str
    district_code: str
    is_default: bool

    @classmethod
    def of(cls, row: Consignee) -> ConsigneeOut:
        return cls(id=row.id, name=row.name, phone=mask_phone(row.phone), address=row.address,
                   district_code=row.district_code, is_default=row.is_default)


@router.get("", response_model=list[ConsigneeOut])
def list_mine(principal: Principal = Depends(buyer_only), ctx: AppContext = Depends(get_context)) -> list[ConsigneeOut]:
    return [ConsigneeOut.of(c) for c in consignees.list_consignees(ctx.db, principal.user_id)]


@router.post("", response_model=ConsigneeOut, status_code=201)
def add(body: ConsigneeIn, principal: Principal = Depends(buyer_only),
        ctx: AppContext = Depends(get_context)) -> ConsigneeOut:
    draft = consignees.ConsigneeDraft(**body.model_dump())
    return ConsigneeOut.of(consignees.add_consignee(ctx.db, principal.user_id, draft))


@router.delete("/{consignee_id}", status_code=204)
def delete(consignee_id: int, principal: Principal = Depends(buyer_only),
           ctx: AppContext = Depends(get_context)) -> Response:
    consignees.delete_consignee(ctx.db, principal.user_id, consignee_id)
    return Response(status_code=204)
