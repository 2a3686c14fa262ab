"""A buyer's consignee addresses (cross-border.md §1): several per buyer, one default.

Deleting one hides it from the buyer's list but keeps the row: orders copied it already, and
erasure (liveport.buyers.services) removes them for good.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from liveport.buyers.domain import (
    check_district_code,
    normalise_address,
    normalise_name,
    normalise_phone,
)
from liveport.buyers.models import Consignee
from liveport.core.clock import utcnow
from liveport.core.db import Database
from liveport.core.errors import Conflict, NotFound

MAX_PER_BUYER = 20


@dataclass(frozen=True, slots=True)
class ConsigneeDraft:
    name: str
    phone: str
    address: str
    district_code: str
    is_default: bool = False


class ConsigneeNotFound(NotFound):
    code = "consignee_not_found"
    message = "That address is not in your address book."
    message_zh = "地址簿中没有这个收货地址。"


class TooManyConsignees(Conflict):
    code = "too_many_consignees"
    message = f"An address book holds at most {MAX_PER_BUYER} addresses; delete one first."
    message_zh = f"地址簿最多保存 {MAX_PER_BUYER} 个地址，请先删除一个。"


def _live(user_id: int):  # type: ignore[no-untyped-def]
    return (Consignee.user_id == user_id, Consignee.deleted_at.is_(None))


def owned_consignee(session: Session, user_id: int, consignee_id: int) -> Consignee:
    found = session.execute(select(Consignee).where(Consignee.id == consignee_id, *_live(user_id))).scalar_one_or_none()
    if found is None:
        raise ConsigneeNotFound(details={"consignee_id": consignee_id})
    return found


def add_consignee(db: Database, user_id: int, draft: ConsigneeDraft) -> Consignee:
    row = Consignee(user_id=user_id, name=normalise_name(draft.name), phone=normalise_phone(draft.phone),
                    address=normalise_address(draft.address), district_code=check_district_code(draft.district_code))
    with db.transaction() as session:
        count = session.execute(select(func.count()).select_from(Consignee).where(*_live(user_id))).scalar_one()
        if count >= MAX_PER_BUYER:
            raise TooManyConsignees()
        row.is_default = draft.is_default or count == 0
        if row.is_default:
            session.execute(update(Consignee).where(*_live(user_id)).values(is_default=False))
        session.add(row)
    return row


def list_consignees(db: Database, user_id: int) -> list[Consignee]:
    with db.reader() as session:
        return list(session.execute(
            select(Consignee).where(*_live(user_id)).order_by(Consignee.is_default.desc(), Consignee.id)
        ).scalars())


def delete_consignee(db: Database, user_id: int, consignee_id: int) -> None:
    with db.transaction() as session:
        row = owned_consignee(session, user_id, consignee_id)
        row.deleted_at = utcnow()
        row.is_default = False
