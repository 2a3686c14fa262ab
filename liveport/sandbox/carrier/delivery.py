"""Handovers and deliveries: once a merchant hands a packed parcel over, the carrier picks it
up and delivers it, and records each step as a tracking event.

The steps happen on the carrier's own clock: ``speed`` sandbox seconds pass per real second
(``clock_speed`` of create_app, else ``LIVEPORT_SANDBOX_CLOCK_SPEED``, default 1 = real
time), so a demo or a test can run a day of logistics in seconds. Events are written when
someone looks (catching up whatever fell due), so no thread is needed and a restart loses
nothing: the schedule follows from the handover time alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from liveport.protocols.payment_wire import WireError, utc_text
from liveport.sandbox.carrier.store import WaybillStore

SPEED_ENV = "LIVEPORT_SANDBOX_CLOCK_SPEED"
SCHEMA = """
CREATE TABLE IF NOT EXISTS handovers (
    logistics_no TEXT PRIMARY KEY REFERENCES waybills (logistics_no),
    handed_over_at REAL NOT NULL,
    weight TEXT NOT NULL
);
"""
# Hours after the handover (carrier time) at which each step happens.
SCHEDULE_H: tuple[tuple[str, float, str], ...] = (
    ("picked_up", 1.0, "已揽件 picked up at the bonded warehouse"),
    ("in_transit", 3.0, "运输中 in transit"),
    ("out_for_delivery", 18.0, "派送中 out for delivery"),
    ("delivered", 22.0, "已签收 delivered to the consignee"),
)


def resolve_speed(given: float | None) -> float:
    speed = given if given is not None else float(os.environ.get(SPEED_ENV, "") or 1)
    if not 0 < speed <= 1_000_000:
        raise ValueError(f"the sandbox clock speed must be in (0, 1000000], not {speed}")
    return speed


def due_steps(handed_over_at: float, now: float, speed: float) -> list[tuple[str, float, str]]:
    """The steps due by ``now`` (real seconds), each with the real time it happened."""
    return [(event, handed_over_at + hours * 3600 / speed, text) for event, hours, text in SCHEDULE_H
            if handed_over_at + hours * 3600 / speed <= now]


class Deliveries:
    def __init__(self, store: WaybillStore, speed: float, clock: Callable[[], float]) -> None:
        self.store = store
        self.speed = speed
        self.clock = clock
        with store.connection() as conn:
            conn.executescript(SCHEMA)

    def hand_over(self, fields: dict[str, str]) -> dict[str, Any]:
        """Records the handover (the first one stands); the answer's fields."""
        with self.store.transaction() as conn:
            waybill = conn.execute("SELECT mch_id FROM waybills WHERE logistics_no = ?",
                                   (fields["logistics_no"],)).fetchone()
            if waybill is None or waybill["mch_id"] != fields["mch_id"]:
                raise WireError("waybill_not_found", status=404)
            conn.execute("INSERT INTO handovers (logistics_no, handed_over_at, weight) VALUES (?, ?, ?)"
                         " ON CONFLICT DO NOTHING", (fields["logistics_no"], self.clock(), fields["weight"]))
            at = conn.execute("SELECT handed_over_at FROM handovers WHERE logistics_no = ?",
                              (fields["logistics_no"],)).fetchone()[0]
        return {"logistics_no": fields["logistics_no"], "handed_over_at": utc_text(datetime.fromtimestamp(at, UTC))}

    def catch_up(self, logistics_no: str) -> None:
        """Writes the steps that fell due since the last look, in order, each once."""
        with self.store.transaction() as conn:
            row = conn.execute("SELECT handed_over_at FROM handovers WHERE logistics_no = ?",
                               (logistics_no,)).fetchone()
            if row is None:
                return
            have = {r[0] for r in conn.execute("SELECT event FROM events WHERE logistics_no = ?", (logistics_no,))}
            for event, at, text in due_steps(row[0], self.clock(), self.speed):
                if event not in have:
                    conn.execute("INSERT INTO events (logistics_no, event, at, description) VALUES (?, ?, ?, ?)",
                                 (logistics_no, event, utc_text(datetime.fromtimestamp(at, UTC)), text))
