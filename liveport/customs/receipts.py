"""Receipts from the single window move declarations and orders (cross-border.md §6):

- 622 with anything but 100: the list is with customs → the order is ``declared``;
  800 → ``released``.
- 100 on the order, payment, waybill or list → ``customs_rejected`` (the reason shown to the
  operator and the buyer); its quota and units come back, and the money is refunded.
- 624 accepting a cancellation → ``cancelled``; quota, units and money back.
- 626 on a return (625): 120 is recorded on the declaration (the goods may then be received
  back, liveport.customs.returns); 100 leaves the order ``return_requested`` — the state
  machine has no "return refused" — with customs' reason in its trail for the buyer and
  the operator. Either way a trail line says what customs answered.
One unit of work per envelope. The money goes back afterwards, by the customs loop
(liveport.customs.refunds), which retries until the provider has refunded it.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveport.catalog.domain import PositiveList
from liveport.core.db import Database
from liveport.customs.domain import (
    ACCEPTED,
    RECEIPT_KIND,
    REJECTED,
    RELEASED,
    SCHEMA_FAILURE,
    Kind,
    ReceiptFacts,
    receipt_facts,
)
from liveport.customs.models import CustomsReceipt, Declaration
from liveport.logging_setup import mask_id_numbers
from liveport.orders.domain import OrderStatus
from liveport.orders.models import Order, OrderEvent
from liveport.orders.services import give_back_paid_holds, lines_in, move
from liveport.protocols import customs as ceb

log = logging.getLogger("liveport.customs")


def read_envelope(envelope: bytes) -> tuple[str, object | None]:
    """(message type, parsed message or None when it is not one we can read)."""
    data = ceb.unwrap(envelope).data
    kind = ceb.message_type(data)
    try:
        return kind, ceb.from_bytes(data)
    except ceb.CustomsWireError:
        return kind, None


def apply_envelope(db: Database, plist: PositiveList, envelope: bytes, now: datetime) -> None:
    kind, message = read_envelope(envelope)
    if message is None:  # one we cannot read: keep it for the operator
        log.error("customs sent a %s we cannot read", kind)
        with db.transaction() as session:
            session.add(CustomsReceipt(msg_type=kind[:16], key="", return_status="-1",
                                       return_info=mask_id_numbers(envelope.decode("utf-8", "replace"))[:1000],
                                       received_at=now))
        return
    with db.transaction() as session:
        for facts in receipt_facts(message):
            _apply(session, plist, facts, now)


def _declaration(session: Session, facts: ReceiptFacts) -> Declaration | None:
    if facts.msg_type == SCHEMA_FAILURE:  # we send each message with its guid as CopMsgId
        return session.execute(select(Declaration).where(Declaration.guid == facts.key)).scalars().first()
    kind = RECEIPT_KIND[facts.msg_type]
    return session.execute(select(Declaration).where(Declaration.kind == kind.value, Declaration.key == facts.key)
                           ).scalars().first()


def _apply(session: Session, plist: PositiveList, facts: ReceiptFacts, now: datetime) -> None:
    row = _declaration(session, facts)
    info = mask_id_numbers(facts.info)  # a schema failure quotes our message back, buyer's ID included
    session.add(CustomsReceipt(declaration_id=row.id if row else None, msg_type=facts.msg_type, key=facts.key[:60],
                               return_status=facts.status, return_info=info[:1000], return_time=facts.at,
                               received_at=now))
    if row is None:
        log.warning("customs receipt %s for unknown %s", facts.msg_type, facts.key)
        return
    row.return_status, row.return_info, row.updated_at = facts.status, info[:1000], now
    if facts.msg_type == SCHEMA_FAILURE:  # our message broke the standard: the operator's dead letters
        row.status, row.last_error = "failed", f"customs could not read it: {info}"[:500]
        log.error("customs could not read declaration %s of order %s: %s", row.kind, row.order_id, info[:300])
        return
    row.pre_no = facts.pre_no or row.pre_no
    row.invt_no = facts.invt_no or row.invt_no
    if facts.status == REJECTED:
        row.status = "rejected"
    elif facts.status == RELEASED:
        row.status = "released"
    elif facts.status == ACCEPTED or row.status == "sent":
        row.status = "accepted"
    order = session.get(Order, row.order_id)
    assert order is not None
    _order_effect(session, plist, order, Kind(row.kind), facts, now)


def _ensure_declared(session: Session, order: Order, now: datetime) -> bool:
    if order.status == OrderStatus.PAID.value:
        return move(session, order, OrderStatus.DECLARED, "inventory list lodged with customs", now)
    return order.status == OrderStatus.DECLARED.value


def _order_effect(session: Session, plist: PositiveList, order: Order, kind: Kind, facts: ReceiptFacts,
                  now: datetime) -> None:
    if kind is Kind.CANCEL:
        if facts.status != REJECTED and _ensure_declared(session, order, now) and move(
                session, order, OrderStatus.CANCELLED, "cancellation accepted by customs", now):
            give_back_paid_holds(session, order, lines_in(session, order.id), plist)
        return
    if kind is Kind.RETURN:
        _return_effect(session, order, facts, now)
        return
    if facts.status == REJECTED:
        reason = f"customs rejected the {kind.name.lower()} ({kind.value}): {mask_id_numbers(facts.info)}"[:200]
        if _ensure_declared(session, order, now) and move(session, order, OrderStatus.CUSTOMS_REJECTED, reason, now):
            give_back_paid_holds(session, order, lines_in(session, order.id), plist)
            for other in session.execute(select(Declaration).where(
                    Declaration.order_id == order.id, Declaration.status.in_(["todo", "prepared"]))).scalars():
                other.status, other.updated_at = "cancelled", now
        return
    if kind is Kind.INVENTORY and _ensure_declared(session, order, now) and facts.status == RELEASED:
        move(session, order, OrderStatus.RELEASED, "released by customs", now)


def _return_effect(session: Session, order: Order, facts: ReceiptFacts, now: datetime) -> None:
    if order.status != OrderStatus.RETURN_REQUESTED.value:
        return
    if facts.status == REJECTED:
        reason = f"customs refused the return (CEB626 100): {mask_id_numbers(facts.info)}"
    elif facts.status == ACCEPTED:
        reason = "return accepted by customs (CEB626 120): send the goods back to the bonded warehouse"
    else:
        return
    session.add(OrderEvent(order_id=order.id, status=order.status, reason=reason[:200], at=now))
