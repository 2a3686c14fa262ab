"""Who may act on a room: the object-level half of the route guards.

Hosts act on the shows they host; moderators (platform staff) and operators on every show.
Rules that span every room (platform-wide bans and blocked words) belong to moderators
and operators only.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveport.accounts.domain import Principal, Role
from liveport.core.errors import Forbidden, NotFound
from liveport.shows.models import Show, ShowHost

PLATFORM_MODERATORS = frozenset({Role.MODERATOR, Role.OPERATOR})


def load_show(session: Session, show_id: int) -> Show:
    show = session.get(Show, show_id)
    if show is None:
        raise NotFound("No such show.", code="show_not_found")
    return show


def _hosts(session: Session, actor: Principal, show_id: int) -> bool:
    return session.scalar(select(ShowHost.id).where(
        ShowHost.show_id == show_id, ShowHost.user_id == actor.user_id)) is not None


def check_host(session: Session, actor: Principal, show_id: int) -> None:
    """A host of this show, or an operator."""
    if actor.role is Role.OPERATOR:
        return
    if actor.role is not Role.HOST or not _hosts(session, actor, show_id):
        raise Forbidden("Only the show's hosts or an operator may do that.",
                        code="not_a_host_of_this_show")


def check_moderator(session: Session, actor: Principal, show_id: int) -> None:
    """A host of this show, a moderator or an operator."""
    if actor.role in PLATFORM_MODERATORS:
        return
    if actor.role is not Role.HOST or not _hosts(session, actor, show_id):
        raise Forbidden("Only the show's hosts, a moderator or an operator may do that.",
                        code="not_a_moderator_of_this_show")


def check_platform_moderator(actor: Principal) -> None:
    if actor.role not in PLATFORM_MODERATORS:
        raise Forbidden("Only a moderator or an operator may act on every room.",
                        code="not_a_platform_moderator")
