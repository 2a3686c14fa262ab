from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from liveport.buyers.domain import IdentityView


class IdentitySubmission(BaseModel):
    """Shapes only; the rules (check digit, name, phone) are the domain's, with stable codes."""

    model_config = ConfigDict(extra="forbid")
    full_name: str = Field(min_length=1, max_length=100)
    id_number: str = Field(min_length=1, max_length=40)
    phone: str = Field(min_length=1, max_length=32)
    consent: bool = Field(
        description="The buyer agreed to the collection of their real-name identity."
    )


class IdentityOut(BaseModel):
    verified: bool = True
    full_name: str
    id_number: str = Field(description="Masked: first 4 and last 4 characters.")
    phone: str
    verified_at: datetime
    verification_method: str

    @classmethod
    def of(cls, view: IdentityView) -> IdentityOut:
        return cls(
            full_name=view.full_name,
            id_number=view.id_number_masked,
            phone=view.phone,
            verified_at=view.verified_at,
            verification_method=view.verification_method,
        )


class ConsentOut(BaseModel):
    purpose: str
    text_version: str
    given_at: datetime
    withdrawn_at: datetime | None


class ErasureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    confirm_email: str = Field(
        min_length=1,
        max_length=254,
        description="The account's e-mail address, typed again to confirm.",
    )


class ErasureOut(BaseModel):
    erased: bool
    user_id: int


PersonalData = dict[str, Any]
