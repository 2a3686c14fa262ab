"""The positive list's yearly quantity caps, in the cap's own unit (cross-border.md §3). Pure.

The ledger's side of liveport.checkout.limits.check_positive_list: the quantities an order
holds against each capped tariff line, with the same unit conversions and the same refusal.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from liveport.catalog.domain import PositiveList
from liveport.checkout.limits import UNIT_FACTORS
from liveport.checkout.refusals import CapUnitMismatch


def in_cap_unit(quantity: Decimal, unit: str, cap_unit: str, hs_code: str) -> Decimal:
    factor = Decimal(1) if unit == cap_unit else UNIT_FACTORS.get((unit, cap_unit))
    if factor is None:
        raise CapUnitMismatch(hs_code, hs_code, unit, cap_unit)
    return quantity * factor


def capped_quantities(
    lines: Iterable[tuple[str, int, Decimal, str]], plist: PositiveList
) -> list[tuple[str, Decimal, Decimal]]:
    """(hs8, quantity in the cap's unit, cap) per capped tariff line, lines of the same
    tariff line added up; ``lines`` are (hs_code, qty, legal_qty per item, legal_unit)."""
    totals: dict[str, tuple[Decimal, Decimal]] = {}
    for hs_code, qty, legal_qty, legal_unit in lines:
        entry = plist.line_for(hs_code)
        if entry is None or entry.yearly_cap_qty is None or entry.yearly_cap_unit is None:
            continue
        amount = in_cap_unit(legal_qty * qty, legal_unit, entry.yearly_cap_unit, hs_code)
        held = totals.get(entry.hs8, (Decimal(0), entry.yearly_cap_qty))
        totals[entry.hs8] = (held[0] + amount, entry.yearly_cap_qty)
    return [(hs8, qty, cap) for hs8, (qty, cap) in sorted(totals.items())]
