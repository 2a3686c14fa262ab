"""The cross-border limits (cross-border.md §2) and the positive list's notes (§3). Pure.

- Per order: the counted value (``LimitPolicy.counted_value``: the dutiable value by default)
  may be at most ``per_order_limit``, exactly the limit included. Above it only one unit of one
  SKU may pass (the single-item exception, quoted under ``Regime.FULL_TAX``); anything else is
  refused with a suggested split.
- Per year: the counted value may be at most the remaining annual quota, exactly included;
  ``None`` for the remaining quota means an anonymous quote and skips this check.
- Positive list: every line's tariff line must be listed; bonded-only lines must ship from a
  bonded warehouse; yearly quantity caps are summed per tariff line over the basket, in the
  cap's unit, and added to what the identity already bought this China year.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from liveport.catalog.domain import PositiveList, PositiveListLine
from liveport.checkout.refusals import (
    AnnualQuotaExceeded,
    BondedOnly,
    CapUnitMismatch,
    NotOnPositiveList,
    OrderLimitExceeded,
    YearlyCapExceeded,
)
from liveport.checkout.tax import (
    ZERO,
    BasketLine,
    LimitBasis,
    LimitPolicy,
    Regime,
    TaxQuote,
    check_amount,
    check_lines,
)
from liveport.core import clock

BONDED_WAREHOUSE = "bonded"  # catalog Warehouse.kind of a bonded (1210) warehouse
# Factor from a line's legal unit to a cap's unit, for the units customs converts plainly.
UNIT_FACTORS: Mapping[tuple[str, str], Decimal] = {
    ("035", "036"): Decimal(1000),  # kg -> g
    ("036", "035"): Decimal("0.001"),
    ("095", "096"): Decimal(1000),  # L -> ml
    ("096", "095"): Decimal("0.001"),
}

Split = list[list[tuple[str, int]]]


def remaining_quota(annual_quota: Decimal, used: Decimal, held: Decimal) -> Decimal:
    """What is left of the year's quota after what was used and what open orders hold."""
    return max(ZERO, annual_quota - used - held)


def china_year(at: datetime) -> int:
    """The calendar year in Asia/Shanghai of a UTC instant (a naive one is read as UTC)."""
    return clock.china_year(at)


def check_order_limits(
    quote: TaxQuote,
    lines: Sequence[BasketLine],
    policy: LimitPolicy,
    remaining_quota: Decimal | None,
) -> None:
    """Raise ``OrderLimitExceeded`` or ``AnnualQuotaExceeded``; ``lines`` are the quote's."""
    value = policy.counted_value(quote)
    if value > policy.per_order_limit:
        if quote.units != 1:
            split = suggest_split(lines, quote.freight, policy, insurance=quote.insurance)
            raise OrderLimitExceeded(policy.per_order_limit, value, split)
        if quote.regime is not Regime.FULL_TAX:
            raise ValueError("the quote was computed under another limit policy")
    if remaining_quota is not None and value > remaining_quota:
        raise AnnualQuotaExceeded(remaining_quota, value)


def suggest_split(
    lines: Sequence[BasketLine],
    freight: Decimal,
    policy: LimitPolicy,
    insurance: Decimal = ZERO,
) -> Split:
    """Groups of (sku, qty) covering every unit, each a compliant order on its own.

    Each suggested order is assumed to carry the same freight and insurance as the whole
    basket (each parcel pays its own shipping) and no discount, so its counted value is its
    goods value plus that overhead (goods only with the goods-value basis), at most the limit.
    A unit that does not fit even alone gets a group of its own: one unit of one SKU is the
    single-item exception. Grouping is first-fit decreasing over units (dearest first, then
    by sku, then by input position); the same basket always gives the same groups.
    """
    check_lines(lines)
    overhead = check_amount(freight, "freight") + check_amount(insurance, "insurance")
    if policy.basis is LimitBasis.GOODS_VALUE:
        overhead = ZERO
    capacity = policy.per_order_limit - overhead
    groups: list[dict[str, int]] = []
    room: list[Decimal] = []
    ordered = sorted(enumerate(lines), key=lambda item: (-item[1].unit_price, item[1].sku, item[0]))
    for _, line in ordered:
        price, left = line.unit_price, line.qty
        if price > capacity:
            groups.extend({line.sku: 1} for _ in range(left))
            room.extend(ZERO for _ in range(left))
            continue
        # Identical units go first-fit one by one; placing as many as fit per group at once
        # gives the same groups without walking unit by unit.
        for g in range(len(groups)):
            if left == 0:
                break
            fit = min(left, int(room[g] // price))
            if fit > 0:
                groups[g][line.sku] = groups[g].get(line.sku, 0) + fit
                room[g] -= fit * price
                left -= fit
        while left > 0:
            fit = min(left, int(capacity // price))
            groups.append({line.sku: fit})
            room.append(capacity - fit * price)
            left -= fit
    return [list(group.items()) for group in groups]


def _cap_factor(line: BasketLine, listed: PositiveListLine) -> Decimal:
    cap_unit = listed.yearly_cap_unit or listed.legal_unit
    if line.legal_unit == cap_unit:
        return Decimal(1)
    factor = UNIT_FACTORS.get((line.legal_unit, cap_unit))
    if factor is None:
        raise CapUnitMismatch(line.sku, line.name, line.legal_unit, cap_unit)
    return factor


def check_positive_list(
    lines: Sequence[BasketLine],
    plist: PositiveList,
    warehouse_kind_by_sku: Mapping[str, str],
    used_this_year: Mapping[str, Decimal],
) -> None:
    """Raise the first broken rule: not listed (any line), then bonded-only, then yearly caps
    by tariff line in ascending order. ``used_this_year`` maps hs8 to the quantity the
    identity already bought this China year, in the cap's unit (missing: nothing bought)."""
    listed: list[PositiveListLine] = []
    for line in lines:
        found = plist.line_for(line.hs_code)
        if found is None:
            raise NotOnPositiveList(line.sku, line.name, line.hs_code)
        listed.append(found)
    for line, found in zip(lines, listed, strict=True):
        if found.bonded_only and warehouse_kind_by_sku.get(line.sku) != BONDED_WAREHOUSE:
            raise BondedOnly(line.sku, line.name, found.hs8)
    asked: dict[str, Decimal] = {}
    capped: dict[str, PositiveListLine] = {}
    for line, found in zip(lines, listed, strict=True):
        if found.yearly_cap_qty is None:
            continue
        quantity = line.qty * line.legal_qty * _cap_factor(line, found)
        asked[found.hs8] = asked.get(found.hs8, ZERO) + quantity
        capped[found.hs8] = found
    for hs8 in sorted(asked):
        cap_line = capped[hs8]
        cap = cap_line.yearly_cap_qty
        assert cap is not None
        used = used_this_year.get(hs8, ZERO)
        if used + asked[hs8] > cap:
            raise YearlyCapExceeded(
                hs8,
                (cap_line.description_en, cap_line.description_zh),
                cap,
                cap_line.yearly_cap_unit or cap_line.legal_unit,
                used,
                asked[hs8],
            )
