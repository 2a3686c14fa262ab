"""A cast for room tests, seeded through the services: a live show with its host and a
two-product lineup, a second show with another host, staff and buyers with tokens."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import update

from liveport.accounts.domain import Principal, Role
from liveport.accounts.models import User
from liveport.accounts.services import create_user, issue_token, principal_of
from liveport.context import AppContext
from liveport.shows.domain import HostSpec
from liveport.shows.services import create_show, set_lineup, start_show
from tests.integration.catalog.catalog_support import SERUM, expo, product


@dataclass
class Member:
    principal: Principal
    token: str

    @property
    def id(self) -> int:
        return self.principal.user_id

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Cast:
    ctx: AppContext
    show_id: int
    other_show_id: int
    lineup: list[int]
    operator: Member
    host: Member
    other_host: Member
    moderator: Member
    merchant: Member
    buyer: Member
    made: list[Member] = field(default_factory=list)

    def member(self, role: Role = Role.BUYER, name: str = "", identity_hash: str | None = None) -> Member:
        return member(self.ctx, role, name or f"{role.value} {len(self.made) + 1}", identity_hash, self.made)


def member(ctx: AppContext, role: Role, name: str, identity_hash: str | None = None,
           made: list[Member] | None = None, exhibitor_id: int | None = None) -> Member:
    n = len(made or []) + int(time.time_ns() % 1_000_000_000)
    user = create_user(ctx.db, email=f"room{n}@example.test", password=None, role=role,
                       display_name=name, exhibitor_id=exhibitor_id)
    with ctx.db.transaction() as session:
        if identity_hash is not None:
            session.execute(update(User).where(User.id == user.id).values(identity_hash=identity_hash))
        token = issue_token(session, user.id, "api", None, secret=ctx.settings.secret("session_secret"))
        user = session.get(User, user.id)
        assert user is not None
        principal = principal_of(user)
    m = Member(principal, token)
    if made is not None:
        made.append(m)
    return m


def cast_of(ctx: AppContext) -> Cast:
    db = ctx.db
    stage = expo(db)
    candy = product(db, stage.operator, exhibitor_id=stage.candy_maker)
    serum = product(db, stage.operator, SERUM, exhibitor_id=stage.cosmetics_house)
    made: list[Member] = []
    operator = Member(stage.operator, _token(ctx, stage.operator.user_id))
    host = member(ctx, Role.HOST, "Lin Xiao", made=made)
    other_host = member(ctx, Role.HOST, "Other Host", made=made)
    moderator = member(ctx, Role.MODERATOR, "Room Moderator", made=made)
    merchant = member(ctx, Role.MERCHANT, "Merchant", made=made, exhibitor_id=stage.candy_maker)
    buyer = member(ctx, Role.BUYER, "王小明", "a" * 64, made=made)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    show = create_show(db, stage.operator, title="松子直播", title_en="Pine nuts, live", description="",
                       scheduled_start=start, scheduled_end=start + timedelta(hours=2),
                       main_host=HostSpec(host.id, "主播", "Host"))
    show_id = show.summary.id
    set_lineup(db, host.principal, show_id, [candy, serum])
    start_show(db, host.principal, show_id)
    other = create_show(db, stage.operator, title="另一场", title_en="Another show", description="",
                        scheduled_start=start, scheduled_end=start + timedelta(hours=2),
                        main_host=HostSpec(other_host.id, "主播", "Host"))
    return Cast(ctx, show_id, other.summary.id, [candy, serum], operator, host, other_host,
                moderator, merchant, buyer, made)


def _token(ctx: AppContext, user_id: int) -> str:
    with ctx.db.transaction() as session:
        return issue_token(session, user_id, "api", None, secret=ctx.settings.secret("session_secret"))


class Socket:
    """A TestClient WebSocket that reads room events one at a time, whatever the batching."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.pending: list[dict[str, Any]] = []

    def next(self) -> dict[str, Any]:
        while not self.pending:
            self.pending = [orjson.loads(line) for line in self.ws.receive_text().split("\n")]
        return self.pending.pop(0)

    def next_event(self, skip: tuple[str, ...] = ("viewers.count", "like.total")) -> dict[str, Any]:
        """The next event on the channel (seq not null), skipping counters by default."""
        while True:
            message = self.next()
            if message["seq"] is not None and message["type"] not in skip:
                return message

    def reply(self) -> dict[str, Any]:
        while True:
            message = self.next()
            if message["seq"] is None:
                return message["data"]

    def until(self, event_type: str) -> dict[str, Any]:
        while True:
            message = self.next()
            if message["type"] == event_type:
                return message

    def send(self, message: dict[str, Any]) -> None:
        self.ws.send_text(orjson.dumps(message).decode())
