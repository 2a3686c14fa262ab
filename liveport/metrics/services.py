"""What the database says at scrape time: orders, payments and declarations by state
(three ``GROUP BY`` counts on indexed columns), and the night's sales as the analytics model
computes them from the ledger — the same figures as the dashboard and the post-show report."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from liveport.analytics.services import figures
from liveport.core.db import Database
from liveport.customs.models import Declaration
from liveport.metrics.domain import GaugeFamily
from liveport.orders.models import Order
from liveport.payments.models import Payment


def _grouped(session: Any, *columns: Any) -> dict[tuple[str, ...], float]:
    rows = session.execute(select(*columns, func.count()).group_by(*columns)).all()
    return {tuple(str(v) for v in row[:-1]): float(row[-1]) for row in rows}


def state_gauges(db: Database) -> list[GaugeFamily]:
    with db.reader() as session:
        orders = _grouped(session, Order.status)
        payments = _grouped(session, Payment.provider, Payment.status)
        declarations = _grouped(session, Declaration.kind, Declaration.status)
    return [
        GaugeFamily("liveport_orders", "Orders by status (database).", ("status",), orders),
        GaugeFamily("liveport_payments", "Payments by provider and status (database).", ("provider", "status"),
                    payments),
        GaugeFamily("liveport_declarations", "Customs declarations by message kind and status (database).",
                    ("kind", "status"), declarations),
        *sales_gauges(db),
    ]


def sales_gauges(db: Database) -> list[GaugeFamily]:
    night = figures(db)
    return [
        GaugeFamily("liveport_gmv", "GMV from the ledger (analytics model), in the currency's units.", ("currency",),
                    {(night.currency,): float(night.gmv)}),
        GaugeFamily("liveport_units_sold", "Units of paid orders (analytics model).", (), {(): float(night.units)}),
        GaugeFamily("liveport_orders_paid", "Orders paid and not refunded in full (analytics model).", (),
                    {(): float(night.orders_paid)}),
        GaugeFamily("liveport_peak_viewers", "Peak concurrent viewers across shows (analytics model).", (),
                    {(): float(night.peak_viewers)}),
    ]
