"""Seeding for the page tests: accounts with passwords, and shows through the shows service."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from liveport.accounts.domain import Principal, Role
from liveport.accounts.models import User
from liveport.accounts.services import create_user, principal_of
from liveport.core.db import Database
from liveport.shows.domain import HostSpec
from liveport.shows.services import ShowDetail, create_show, end_show, start_show

PASSWORD = "pine-nuts-2026"


def account(db: Database, email: str, *, role: Role = Role.BUYER, display_name: str = "Li Wei",
            locale: str | None = None) -> Principal:
    user = create_user(db, email=email, password=PASSWORD, role=role, display_name=display_name)
    if locale is not None:
        with db.transaction() as session:
            session.execute(update(User).where(User.id == user.id).values(locale=locale))
    return principal_of(user)


def show(db: Database, operator: Principal, host: Principal, *, title: str, title_en: str,
         starts_in: timedelta, live: bool = False, role_label: str = "主播",
         role_label_en: str = "Host") -> ShowDetail:
    start = datetime.now(UTC).replace(microsecond=0) + starts_in
    made = create_show(
        db, operator, title=title, title_en=title_en, description="",
        scheduled_start=start, scheduled_end=start + timedelta(hours=2),
        main_host=HostSpec(host.user_id, role_label, role_label_en),
    )
    return start_show(db, host, made.summary.id) if live else made


def expo_night(db: Database) -> dict[str, ShowDetail]:
    """An ended show, a show coming up soon and one that went live later: the live one leads."""
    operator = account(db, "ops@example.cn", role=Role.OPERATOR, display_name="Operator")
    host = account(db, "host@example.cn", role=Role.HOST, display_name="Anna Petrova")
    ambassador = account(db, "amb@example.cn", role=Role.HOST, display_name="Ahmad Karimi")
    ended = show(db, operator, host, title="昨日回放", title_en="Yesterday's replay",
                 starts_in=timedelta(hours=-30), live=True)
    end_show(db, host, ended.summary.id)
    soon = show(db, operator, host, title="俄罗斯糖果专场", title_en="Russian candy night",
                starts_in=timedelta(hours=1))
    live = show(db, operator, ambassador, title="阿富汗松子直播", title_en="Afghan pine nuts, live",
                starts_in=timedelta(hours=3), live=True, role_label="阿富汗驻华大使",
                role_label_en="Ambassador of Afghanistan")
    return {"ended": ended, "soon": soon, "live": live}
