"""The figures as JSON (the API, and the pages that print the same numbers): money as
two-decimal strings, as the whole API writes it; times as UTC ISO."""
from __future__ import annotations

from typing import Any

from liveport.analytics.domain import Breakdown, Figures
from liveport.core.clock import iso_z
from liveport.core.money import fen_text


def _breakdown(b: Breakdown) -> dict[str, Any]:
    return {"key": b.key, "label": b.label, "gmv": fen_text(b.gmv), "units": b.units, "orders": b.orders}


def figures_json(f: Figures, top: int = 20) -> dict[str, Any]:
    """Money as two-decimal strings (as the whole API writes it), times as UTC ISO."""
    return {
        "currency": f.currency, "gmv": fen_text(f.gmv), "units": f.units, "orders_paid": f.orders_paid,
        "by_minute": [{"minute": iso_z(p.minute), "gmv": fen_text(p.gmv), "units": p.units} for p in f.by_minute],
        "by_show": [_breakdown(b) for b in f.by_show[:top]],
        "by_country": [_breakdown(b) for b in f.by_country[:top]],
        "by_pavilion": [_breakdown(b) for b in f.by_pavilion[:top]],
        "by_product": [_breakdown(b) for b in f.by_product[:top]],
        "funnel": {"viewers": f.funnel.viewers, "claimers": f.funnel.claimers, "payers": f.funnel.payers,
                   "claim_rate": f.funnel.claim_rate, "pay_rate": f.funnel.pay_rate,
                   "conversion": f.funnel.conversion},
        "peak_viewers": f.peak_viewers, "declarations": f.declarations,
    }
