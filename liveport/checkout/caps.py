"""The positive list's yearly quantity caps, in the cap's own unit (cross-border.md §3). Pure.

A line counts ``qty × legal_qty`` legal units; a cap in kg counts a line declared in g as
1/1000 of that (and the other way round). Any other pair of units cannot be compared: the
line is refused rather than guessed.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from liveport.catalog.domain import PositiveList
from liveport.core.errors import ValidationFailed

KG, G = "035", "036"
_FACTORS = {(KG, KG): Decimal(1), (G, G): Decimal(1), (G, KG): Decimal("0.001"), (KG, G): Decimal(1000)}


class CapUnitMismatch(ValidationFailed):
    code = "cap_unit_mismatch"
    message = "This product's legal unit cannot be counted against its tariff line's yearly cap."
    message_zh = "该商品的法定计量单位无法折算到其税号的年度限购数量。"


def in_cap_unit(quantity: Decimal, unit: str, cap_unit: str, hs8: str) -> Decimal:
    factor = _FACTORS.get((unit, cap_unit), Decimal(1) if unit == cap_unit else None)
    if factor is None:
        raise CapUnitMismatch(details={"hs8": hs8, "unit": unit, "cap_unit": cap_unit})
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
        amount = in_cap_unit(legal_qty * qty, legal_unit, entry.yearly_cap_unit, entry.hs8)
        held = totals.get(entry.hs8, (Decimal(0), entry.yearly_cap_qty))
        totals[entry.hs8] = (held[0] + amount, entry.yearly_cap_qty)
    return [(hs8, qty, cap) for hs8, (qty, cap) in sorted(totals.items())]
