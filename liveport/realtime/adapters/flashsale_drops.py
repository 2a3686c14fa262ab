"""The room's view of the flash sales (``ports.DropSource``): drops from liveport.flashsale's
table, live stock from its gate (``ctx.extras["flashsale_gate"]``, put there by the
flash-sale start-up hook, which runs after the room's)."""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from liveport.core.clock import iso_z
from liveport.core.db import Database

log = logging.getLogger("liveport.realtime.drops")
GATE_KEY = "flashsale_gate"
LIVE_STATES = ("countdown", "open")


class FlashSaleDrops:
    def __init__(self, db: Database, extras: dict[str, Any]) -> None:
        self._db = db
        self._extras = extras
        self._shows: dict[int, int] = {}

    def _show_of(self, drop_id: int) -> int | None:
        from liveport.flashsale.models import Drop

        with self._db.reader() as session:
            return session.scalar(select(Drop.show_id).where(Drop.id == drop_id))

    async def show_of(self, drop_id: int) -> int | None:
        show_id = self._shows.get(drop_id)
        if show_id is None:
            try:
                show_id = await asyncio.to_thread(self._show_of, drop_id)
            except SQLAlchemyError as exc:
                log.warning("could not read drop %s: %s", drop_id, exc.__class__.__name__)
                return None
            if show_id is not None:
                self._shows[drop_id] = show_id
        return show_id

    def _live(self, show_id: int) -> list[dict[str, Any]]:
        from liveport.flashsale.models import Drop

        with self._db.reader() as session:
            drops = session.scalars(select(Drop).where(Drop.show_id == show_id,
                                                       Drop.status.in_(LIVE_STATES)).order_by(Drop.id))
            return [{"drop_id": d.id, "state": d.status, "product_id": d.product_id,
                     "price": str(d.price), "currency": d.currency, "quantity": d.quantity,
                     "per_buyer_limit": d.per_buyer_limit, "on_sale": None,
                     "sales_start_at": iso_z(d.sales_start_at) if d.sales_start_at else None,
                     "closes_at": iso_z(d.closes_at) if d.closes_at else None}
                    for d in drops]

    async def live_drops(self, show_id: int) -> list[dict[str, Any]]:
        try:
            drops = await asyncio.to_thread(self._live, show_id)
        except SQLAlchemyError as exc:
            # A room without its drops beats no room: the drop events that follow fill them in.
            log.warning("could not read the drops of show %s: %s", show_id, exc.__class__.__name__)
            return []
        gate = self._extras.get(GATE_KEY)
        if gate is not None:
            for drop in drops:
                status = await gate.status(drop["drop_id"])
                if status is not None:
                    drop["on_sale"] = status.counts.on_sale
        return drops


class NoDrops:
    """For a process without flash sales (tests, tools)."""

    async def show_of(self, drop_id: int) -> int | None:
        return None

    async def live_drops(self, show_id: int) -> list[dict[str, Any]]:
        return []
