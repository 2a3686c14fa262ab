"""A real HTTP receiver that answers from a script and checks each signature, and helpers
that make an order of the candy maker move (so an ``order.<status>`` event is emitted)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from liveport.catalog.reference import current_positive_list
from liveport.core.clock import utcnow
from liveport.orders import services as orders
from liveport.orders.models import Order
from liveport.webhooks.signature import ID_HEADER, SIGNATURE_HEADER, SignatureInvalid, verify
from tests.integration.orders.orders_support import basket, customer, place, shop


@dataclass
class Receiver:
    """Answers ``script`` in turn (then ``then``); records (delivery id, verified, body)."""
    script: list[int] = field(default_factory=list)
    then: int = 200
    secret: str = ""
    calls: list[tuple[str, bool, bytes]] = field(default_factory=list)

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            body = await request.body()
            try:
                verify(self.secret, body, request.headers.get(SIGNATURE_HEADER), now=int(time.time()))
                verified = True
            except SignatureInvalid:
                verified = False
            self.calls.append((request.headers.get(ID_HEADER, ""), verified, body))
            status = self.script.pop(0) if self.script else self.then
            return Response(b"ok" if status < 300 else b"try later", status_code=status)

        return Starlette(routes=[Route("/hook", hook, methods=["POST"])])


def placed_candy_order(client, database, login_as) -> tuple[int, str, int]:
    """(order id, order no, exhibitor id) of an unpaid candy order."""
    s = shop(database)
    who = customer(client, database, login_as)
    made = place(client, who, basket((s.candy, 1)))
    assert made.status_code == 201, made.text
    order_no = made.json()["order_no"]
    with database.reader() as session:
        order_id = session.query(Order.id).filter(Order.order_no == order_no).scalar()
    return order_id, order_no, s.candy_maker


def pay(database, settings, order_id: int) -> None:
    with database.transaction() as session:
        order = session.get(Order, order_id)
        assert orders.mark_paid(session, order, current_positive_list(settings), "test payment", utcnow())
