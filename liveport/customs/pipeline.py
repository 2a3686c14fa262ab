"""The declaration pipeline: a paid order's 411 (asked of the payment company), 511 (the
carrier's), 311 and 621 (ours), then a cancellation's 623.

The outbox handler only writes the order's declarations as ``todo`` rows, in the event's own
transaction (exactly once). A background loop then advances each due row with its own
units of work around the outside calls: the signed message is stored before it is sent
(so a retry resends the same message, same guid), and a failed step is retried with
back-off until ``failed``, where it waits in the operator's dead-letter list.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from liveport.buyers.protection import IdentityProtector
from liveport.core.clock import utcnow
from liveport.core.db import Database
from liveport.core.settings import Settings
from liveport.customs import domain
from liveport.customs.credentials import party_credentials
from liveport.customs.domain import Kind
from liveport.customs.facts import agent, declarations_of, order_facts, platform
from liveport.customs.models import Declaration
from liveport.customs.ports import Carrier, CustomsGateway, WaybillRequest
from liveport.orders.models import Order
from liveport.payments.domain import CustomsDeclaration
from liveport.payments.models import Payment
from liveport.payments.ports import PaymentProvider
from liveport.protocols import customs as ceb

log = logging.getLogger("liveport.customs")
FIRST_WAVE = (Kind.PAYMENT, Kind.WAYBILL, Kind.ORDER, Kind.INVENTORY)
WAITING = frozenset({"todo", "prepared"})
OUT = frozenset({"sent", "accepted", "released"})


class NotReady(Exception):
    """An earlier declaration of the order has not gone out yet: try again later."""


@dataclass(frozen=True)
class Pipeline:
    db: Database
    settings: Settings
    protector: IdentityProtector
    gateway: CustomsGateway
    carrier: Carrier
    provider_for: Callable[[str], PaymentProvider]

    def credentials(self, kind: Kind) -> ceb.PartyCredentials:
        party = platform(self.settings) if kind is Kind.ORDER else agent(self.settings)
        return party_credentials(self.settings, "platform" if kind is Kind.ORDER else "agent", party.name, party.code)


def start_declaration(session: Session, order_id: int, kinds: tuple[Kind, ...] = FIRST_WAVE) -> None:
    """Inside the caller's unit of work: the order's declarations to make, as ``todo``."""
    have = declarations_of(session, order_id)
    now = utcnow()
    for kind in kinds:
        if kind.value not in have:
            session.add(Declaration(order_id=order_id, kind=kind.value, key="", status="todo", next_at=now))


def due(db: Database, now: datetime, limit: int = 200) -> list[tuple[int, int]]:
    """(declaration id, order id) of the declarations due, longest due first: a row that is
    not ready yet moves its ``next_at`` on, so it cannot keep newer rows out of the batch."""
    with db.reader() as session:
        return [(row_id, order_id) for row_id, order_id in session.execute(
            select(Declaration.id, Declaration.order_id)
            .where(Declaration.status.in_(WAITING), Declaration.next_at <= now)
            .order_by(Declaration.next_at, Declaration.id).limit(limit))]


def advance(pipe: Pipeline, declaration_id: int, now: datetime | None = None) -> str:
    """One step of one declaration; returns its status afterwards."""
    now = now or utcnow()
    with pipe.db.reader() as session:
        row = session.get(Declaration, declaration_id)
        if row is None or row.status not in WAITING:
            return row.status if row is not None else "missing"
        order = session.get(Order, row.order_id)
        assert order is not None
        kind = Kind(row.kind)
        # A return (625) is filed for a delivered order whose return was requested.
        live_states = ("return_requested",) if kind is Kind.RETURN else ("paid", "declared")
        if order.status not in live_states:
            _set(pipe.db, row.id, status="cancelled", last_error=f"order is {order.status}")
            return "cancelled"
    try:
        if row.status == "prepared":
            _send(pipe, row.id, pipe.protector.decrypt_text(row.message or ""))
        elif kind is Kind.PAYMENT:
            _declare_payment(pipe, order)
        elif kind is Kind.WAYBILL:
            _order_waybill(pipe, order)
        else:
            _prepare_and_send(pipe, order, kind, now)
    except NotReady:
        _set(pipe.db, declaration_id, next_at=now + timedelta(seconds=pipe.settings.customs_interval_s))
        return "todo"
    except Exception as exc:  # the outside world failed or refused: retry, then dead letter
        return _failed(pipe, declaration_id, exc, now)
    with pipe.db.reader() as session:
        return session.get(Declaration, declaration_id).status  # type: ignore[union-attr]


def _set(db: Database, declaration_id: int, **values: object) -> None:
    with db.transaction() as session:
        session.execute(update(Declaration).where(Declaration.id == declaration_id)
                        .values(updated_at=utcnow(), **values).execution_options(synchronize_session=False))


def _failed(pipe: Pipeline, declaration_id: int, exc: Exception, now: datetime) -> str:
    with pipe.db.transaction() as session:
        row = session.get(Declaration, declaration_id)
        assert row is not None
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if row.attempts >= pipe.settings.customs_max_attempts:
            row.status = "failed"
            log.error("customs declaration %s of order %s failed for good: %s", row.kind, row.order_id, row.last_error)
        else:
            row.next_at = now + timedelta(seconds=pipe.settings.customs_retry_base_s * 2 ** (row.attempts - 1))
            log.warning("customs declaration %s of order %s will be retried: %s", row.kind, row.order_id, row.last_error)
        row.updated_at = now
        return row.status


def _declare_payment(pipe: Pipeline, order: Order) -> None:
    with pipe.db.reader() as session:
        payment = session.execute(select(Payment).where(Payment.order_id == order.id, Payment.status != "pending")
                                  .order_by(Payment.id)).scalars().first()
    if payment is None or payment.transaction_id is None:
        raise NotReady()
    provider = pipe.provider_for(payment.provider)
    custom = pipe.settings.customs
    receipt = provider.declare_to_customs(CustomsDeclaration(
        out_trade_no=payment.out_trade_no, order_no=order.order_no, ebp_code=custom.ebp_code,
        ebp_name=custom.ebp_name, customs_code=custom.customs_code))
    name = pipe.settings.ecny_company_name if payment.provider == "ecny" else pipe.settings.card_company_name
    _set(pipe.db, _row_id(pipe.db, order.id, Kind.PAYMENT), status="sent", key=payment.transaction_id,
         party_code=receipt.pay_code, party_name=name)


def _order_waybill(pipe: Pipeline, order: Order) -> None:
    with pipe.db.reader() as session:
        facts = order_facts(session, pipe.settings, pipe.protector, order)
    gross = sum((line.gross_kg * line.qty for line in facts.lines), domain.ZERO)
    waybill = pipe.carrier.create_waybill(WaybillRequest(
        order_no=order.order_no, ebp_code=facts.ebp.code, ebp_name=facts.ebp.name, consignee=facts.consignee,
        consignee_telephone=facts.consignee_phone, consignee_address=facts.consignee_address,
        freight=facts.freight, weight_kg=gross, goods_info=", ".join(f"{ln.name}×{ln.qty}" for ln in facts.lines)[:200],
        trade_mode=order.trade_mode))
    transport = waybill.transport
    _set(pipe.db, _row_id(pipe.db, order.id, Kind.WAYBILL), status="sent", key=waybill.logistics_no,
         party_code=waybill.logistics_code, party_name=waybill.logistics_name,
         note=None if transport is None else json.dumps([transport.traf_mode, transport.traf_no,
                                                         transport.voyage_no, transport.bill_no]))


def _prepare_and_send(pipe: Pipeline, order: Order, kind: Kind, now: datetime) -> None:
    with pipe.db.reader() as session:
        have = declarations_of(session, order.id)
        needs = {Kind.ORDER: (Kind.PAYMENT,), Kind.INVENTORY: (Kind.PAYMENT, Kind.WAYBILL, Kind.ORDER),
                 Kind.CANCEL: (Kind.INVENTORY,), Kind.RETURN: (Kind.INVENTORY,)}[kind]
        if any(have.get(k.value) is None or have[k.value].status not in OUT for k in needs):
            raise NotReady()
        facts = order_facts(session, pipe.settings, pipe.protector, order)
    dxp_id = pipe.settings.customs_dxp_id
    if kind is Kind.ORDER:
        message, key = domain.order_message(facts, now, dxp_id), order.order_no
    elif kind is Kind.INVENTORY:
        message, key = domain.inventory_message(facts, now, dxp_id), facts.cop_no
    elif kind is Kind.RETURN:
        reason, gnums = _return_request(pipe.db, order.id)
        lines = [line for line in facts.lines if not gnums or line.gnum in gnums]
        message, key = domain.return_message(facts, lines, reason, now, dxp_id), facts.cop_no
    else:
        message, key = domain.cancel_message(facts, _cancel_reason(pipe.db, order.id), now, dxp_id), facts.cop_no
    signed = ceb.seal(message, pipe.credentials(kind), pipe.settings.customs_xsd_dir)
    guid = message.guid
    # The envelope's CopMsgId is the message's guid: a schema-failure receipt names it.
    envelope = ceb.wrap(signed, sender_id=dxp_id, receiver_ids=(pipe.settings.customs_receiver_id,),
                        cop_msg_id=guid)
    row_id = _row_id(pipe.db, order.id, kind)
    # Kept to resend the very same bytes; it carries the buyer's ID number, so encrypted.
    _set(pipe.db, row_id, status="prepared", key=key, guid=guid,
         message=pipe.protector.encrypt_text(envelope.decode("utf-8")))
    _send(pipe, row_id, envelope.decode("utf-8"))


def _send(pipe: Pipeline, row_id: int, envelope: str) -> None:
    pipe.gateway.submit(envelope.encode("utf-8"))
    _set(pipe.db, row_id, status="sent")


def _row_id(db: Database, order_id: int, kind: Kind) -> int:
    with db.reader() as session:
        return session.execute(select(Declaration.id).where(
            Declaration.order_id == order_id, Declaration.kind == kind.value)).scalar_one()


def _cancel_reason(db: Database, order_id: int) -> str:
    with db.reader() as session:
        row = session.execute(select(Declaration.note).where(
            Declaration.order_id == order_id, Declaration.kind == Kind.CANCEL.value)).scalar_one_or_none()
    return row or "cancelled at the buyer's request"


def _return_request(db: Database, order_id: int) -> tuple[str, set[int]]:
    """The return's reason and line numbers (none: all), as the request stored them in the
    625 row's note (JSON)."""
    with db.reader() as session:
        note = session.execute(select(Declaration.note).where(
            Declaration.order_id == order_id, Declaration.kind == Kind.RETURN.value)).scalar_one_or_none()
    stored = json.loads(note) if note else {}
    return stored.get("reason") or "returned by the buyer", set(stored.get("gnums") or ())
