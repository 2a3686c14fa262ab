"""Cross-border returns (cross-border.md §5; the clock is liveport.orders.returns).

1. ``request_return``: the buyer asks within 30 days of release → ``return_requested`` and a
   CEB625 row (``todo``) in the same unit of work; the customs loop files it
   (liveport.customs.pipeline) and its 626 receipt is recorded on that row
   (liveport.customs.receipts).
2. ``receive_return``: the goods are back in the bonded warehouse. Only after customs
   accepted the 625 (626 ``120``) and within 45 days of release: ``returned``, the annual
   quota and tariff-line caps come back, the units go back on hand. The money goes back
   afterwards (``customs:<order id>`` refund key, the same the customs loop retries with),
   in full: no tax is due on a return in time, so the tax the buyer paid goes back too.
   Arriving later: the order stays ``return_requested`` with "late arrival" in its trail (tax
   is due, no quota back); nothing is refunded automatically — the operator decides.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveport.buyers import quota
from liveport.catalog.domain import PositiveList
from liveport.catalog.stock import restock_returned
from liveport.checkout.caps import capped_quantities
from liveport.core.db import Database
from liveport.core.errors import Conflict, ValidationFailed
from liveport.customs.domain import ACCEPTED, Kind
from liveport.customs.facts import declarations_of
from liveport.customs.models import Declaration
from liveport.orders.domain import OrderStatus, check_transition
from liveport.orders.errors import OrderNotFound
from liveport.orders.models import Order, OrderEvent, OrderLine
from liveport.orders.returns import (
    NotReleased,
    ReturnArrivalLate,
    ReturnNotAccepted,
    ReturnWindow,
    ReturnWindowClosed,
    UnknownReturnLine,
    return_window,
)
from liveport.orders.services import lines_in, move

LATE_ARRIVAL = "late arrival: tax due, no quota back; the operator decides"


class PartialReturnUnsupported(ValidationFailed):
    code = "partial_return_unsupported"
    message = "Return every line of the order: returning only some lines is not supported yet."
    message_zh = "暂不支持部分退货，请退回订单中的全部商品。"


class InventoryNotNumbered(Conflict):
    code = "inventory_not_numbered"
    message = "Customs has not numbered this order's inventory list, so a return cannot be declared."
    message_zh = "海关尚未给本订单的清单编号，暂不能申报退货。"


class StockRowMissing(Conflict):
    code = "stock_row_missing"
    message = "The warehouse keeps no stock of a returned product; count it in first."
    message_zh = "退货商品在该仓库没有库存记录，请先盘点录入。"


@dataclass(frozen=True, slots=True)
class ReturnOutcome:
    order_id: int
    order_no: str
    status: str  # return_requested | returned
    window: ReturnWindow


def _order(session: Session, order_no: str) -> Order:
    order = session.execute(select(Order).where(Order.order_no == order_no)).scalar_one_or_none()
    if order is None:
        raise OrderNotFound(details={"order_no": order_no})
    return order


def released_at(session: Session, order_id: int) -> datetime | None:
    """When customs released the order: its trail's ``released`` event."""
    return session.execute(select(OrderEvent.at).where(
        OrderEvent.order_id == order_id, OrderEvent.status == OrderStatus.RELEASED.value)
        .order_by(OrderEvent.at)).scalars().first()


def _window(session: Session, order: Order) -> ReturnWindow:
    at = released_at(session, order.id)
    if at is None:
        raise NotReleased(details={"order_no": order.order_no})
    return return_window(at)


def _check_lines(lines: Sequence[OrderLine], gnums: Sequence[int] | None) -> None:
    have = {line.gnum for line in lines}
    if gnums is None:
        return
    if unknown := sorted(set(gnums) - have):
        raise UnknownReturnLine(details={"gnums": unknown})
    if set(gnums) != have:
        raise PartialReturnUnsupported(details={"order_lines": sorted(have)})


def request_return(db: Database, order_no: str, buyer_user_id: int, reason: str, gnums: Sequence[int] | None,
                   now: datetime) -> ReturnOutcome:
    """The buyer's own delivered order → ``return_requested`` with a CEB625 to file."""
    with db.transaction() as session:
        order = _order(session, order_no)
        if order.buyer_user_id != buyer_user_id:
            raise OrderNotFound(details={"order_no": order_no})
        check_transition(OrderStatus(order.status), OrderStatus.RETURN_REQUESTED)
        window = _window(session, order)
        if not window.request_on_time(now):
            raise ReturnWindowClosed(details={"order_no": order_no, "request_by": window.request_by.isoformat()})
        _check_lines(lines_in(session, order.id), gnums)
        inventory = declarations_of(session, order.id).get(Kind.INVENTORY.value)
        if inventory is None or inventory.invt_no is None:
            raise InventoryNotNumbered(details={"order_no": order_no})
        if not move(session, order, OrderStatus.RETURN_REQUESTED, f"return requested: {reason}", now):
            raise Conflict("The order changed meanwhile; reload it.", code="order_changed")
        session.add(Declaration(order_id=order.id, kind=Kind.RETURN.value, key="", status="todo", next_at=now,
                                note=json.dumps({"reason": reason[:1000], "gnums": sorted(gnums or ())},
                                                ensure_ascii=False)))
        return ReturnOutcome(order.id, order.order_no, order.status, window)


def receive_return(db: Database, plist: PositiveList, order_no: str, exhibitor_id: int | None,
                   now: datetime) -> ReturnOutcome:
    """The goods are back in the bonded warehouse (``exhibitor_id`` None = the operator;
    else only that exhibitor's orders). Raises ReturnArrivalLate after 45 days — having
    first written the late arrival into the order's trail."""
    with db.transaction() as session:
        order = _order(session, order_no)
        if exhibitor_id is not None and order.exhibitor_id != exhibitor_id:
            raise OrderNotFound(details={"order_no": order_no})
        check_transition(OrderStatus(order.status), OrderStatus.RETURNED)
        filed = declarations_of(session, order.id).get(Kind.RETURN.value)
        if filed is None or filed.status != "accepted" or filed.return_status != ACCEPTED:
            raise ReturnNotAccepted(details={"order_no": order_no, "declaration": filed.status if filed else None})
        window = _window(session, order)
        late = not window.arrival_on_time(now)
        if late:
            _note_late_arrival(session, order, now)
        elif move(session, order, OrderStatus.RETURNED, "goods back in the bonded warehouse: no tax due, "
                  "refunded in full", now):
            _give_back(session, order, lines_in(session, order.id), plist)
    if late:
        raise ReturnArrivalLate(details={"order_no": order_no, "arrive_by": window.arrive_by.isoformat()})
    return ReturnOutcome(order.id, order.order_no, OrderStatus.RETURNED.value, window)


def _note_late_arrival(session: Session, order: Order, now: datetime) -> None:
    noted = session.execute(select(OrderEvent.id).where(
        OrderEvent.order_id == order.id, OrderEvent.reason == LATE_ARRIVAL)).first()
    if noted is None:
        session.add(OrderEvent(order_id=order.id, status=order.status, reason=LATE_ARRIVAL, at=now))


def _give_back(session: Session, order: Order, lines: Sequence[OrderLine], plist: PositiveList) -> None:
    quota.give_back_quota(session, order.id_hash, order.quota_year, order.quota_amount)
    for hs8, qty, _cap in capped_quantities(((l.hs_code, l.qty, l.legal_qty, l.legal_unit) for l in lines), plist):
        quota.give_back_tariff_line(session, order.id_hash, order.quota_year, hs8, qty)
    for line in lines:
        if not restock_returned(session, line.product_id, order.warehouse_id, line.qty):
            raise StockRowMissing(details={"sku": line.sku})
