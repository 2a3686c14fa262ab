"""The operator's side of declarations: the list (failed ones are the dead letters) and retry."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from liveport.accounts.domain import Principal
from liveport.accounts.services import record_audit
from liveport.core.db import Database
from liveport.core.errors import Conflict, NotFound
from liveport.customs.models import Declaration
from liveport.orders.domain import OrderStatus
from liveport.orders.models import Order
from liveport.orders.services import move

STATUSES = ("todo", "prepared", "sent", "accepted", "rejected", "released", "failed", "cancelled")


def _row(declaration: Declaration, order_no: str) -> dict[str, Any]:
    return {"id": declaration.id, "order_no": order_no, "kind": declaration.kind, "status": declaration.status,
            "attempts": declaration.attempts, "last_error": declaration.last_error,
            "return_status": declaration.return_status, "return_info": declaration.return_info,
            "updated_at": declaration.updated_at}


def list_declarations(db: Database, *, status: str | None, order_no: str | None, limit: int = 500) -> list[dict[str, Any]]:
    query = select(Declaration, Order.order_no).join(Order, Order.id == Declaration.order_id)
    if status is not None:
        query = query.where(Declaration.status == status)
    if order_no is not None:
        query = query.where(Order.order_no == order_no)
    with db.reader() as session:
        return [_row(d, no) for d, no in session.execute(query.order_by(Declaration.id.desc()).limit(limit))]


def retry(db: Database, actor: Principal, declaration_id: int, now: datetime) -> dict[str, Any]:
    with db.transaction() as session:
        found = session.execute(select(Declaration, Order.order_no).join(Order, Order.id == Declaration.order_id)
                                .where(Declaration.id == declaration_id)).one_or_none()
        if found is None:
            raise NotFound(code="declaration_not_found")
        row, order_no = found
        if row.status != "failed":
            raise Conflict("Only a failed declaration is retried.", code="declaration_not_failed",
                           details={"status": row.status})
        row.status = "prepared" if row.message else "todo"
        row.attempts, row.next_at, row.updated_at = 0, now, now
        record_audit(session, actor, "customs.retry", "declaration", declaration_id, {"order_no": order_no})
        return _row(row, order_no)


def mark_refunded(db: Database, order_id: int, then: OrderStatus, now: datetime) -> None:
    with db.transaction() as session:
        order = session.get(Order, order_id)
        if order is not None and order.status == OrderStatus.CUSTOMS_REJECTED.value:
            move(session, order, then, "refunded after customs rejected it", now)
