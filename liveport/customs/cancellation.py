"""Cancelling a paid order before customs releases it (cross-border.md §5): at once when its
inventory list has not gone out, else with CEB623 (the order is cancelled when customs
accepts it, in liveport.customs.receipts)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from liveport.catalog.domain import PositiveList
from liveport.core.db import Database
from liveport.core.errors import Conflict
from liveport.customs.domain import Kind
from liveport.customs.facts import declarations_of
from liveport.customs.models import Declaration
from liveport.orders.domain import OrderStatus, check_transition
from liveport.orders.errors import OrderNotFound
from liveport.orders.models import Order
from liveport.orders.services import give_back_paid_holds, lines_in, move


class CancelNotYetPossible(Conflict):
    code = "cancel_not_yet_possible"
    message = "Customs is still numbering this order's declaration; try again in a minute."
    message_zh = "海关正在受理该订单的申报，请稍后再试。"


@dataclass(frozen=True, slots=True)
class CancelOutcome:
    order_id: int
    order_no: str
    status: str  # cancelled (refund follows) | cancelling (CEB623 sent, customs decides)


def request_cancel(db: Database, plist: PositiveList, order_no: str, buyer_user_id: int | None, reason: str,
                   now: datetime) -> CancelOutcome:
    """``buyer_user_id`` None = the operator (any order); else only that buyer's own."""
    with db.transaction() as session:
        order = session.execute(select(Order).where(Order.order_no == order_no)).scalar_one_or_none()
        if order is None or (buyer_user_id is not None and order.buyer_user_id != buyer_user_id):
            raise OrderNotFound(details={"order_no": order_no})
        check_transition(OrderStatus(order.status), OrderStatus.CANCELLED)
        have = declarations_of(session, order.id)
        inventory = have.get(Kind.INVENTORY.value)
        if inventory is None or inventory.status in ("todo", "cancelled", "failed"):
            for row in have.values():
                if row.status in ("todo", "prepared", "failed"):
                    row.status, row.updated_at = "cancelled", now
            move(session, order, OrderStatus.CANCELLED, reason[:200], now)
            give_back_paid_holds(session, order, lines_in(session, order.id), plist)
            return CancelOutcome(order.id, order.order_no, "cancelled")
        if inventory.invt_no is None or Kind.CANCEL.value in have:
            raise CancelNotYetPossible(details={"order_no": order_no})
        session.add(Declaration(order_id=order.id, kind=Kind.CANCEL.value, key="", status="todo", next_at=now,
                                note=reason[:1000]))
        return CancelOutcome(order.id, order.order_no, "cancelling")
