"""Import tax on a cross-border basket (cross-border.md §2). Pure: no I/O.

How a quote is made, line by line:

1. ``goods = qty × unit_price``. Freight, insurance and the discount are shared out across the
   lines in proportion to their goods value by the largest-remainder method, in whole fen:
   each line gets the floor of its exact share, and the fen left over go one each to the lines
   with the largest remainders. The shares sum exactly to the amount shared, none is negative,
   each is within one fen of the exact proportion, and a line's share depends only on its own
   goods value and the totals. Ties in remainder go by the canonical order (sku, unit price,
   qty, then input position; input position only separates identical lines, which are
   interchangeable), so the result per SKU never depends on the order of the lines. This
   replaces "the last line takes the remainder", which can go negative (¥0.05 over goods
   1, 1, 1 and 0.01 gives 0.02 + 0.02 + 0.02 − 0.01).
2. ``base = goods + freight share + insurance share`` (minus the discount share only when
   ``LimitPolicy.discount_reduces_base``; by default a discount the buyer paid no cash for
   does not lower the dutiable value). The discount share is reported either way.
3. Consumption tax applies per ``catalog.domain.consumption_tax_applies`` at the dutiable price
   per item ``base / qty``. ``ct_full = base × c / (1 − c)``, ``vat_full = (base + ct_full) × v``.
4. Regime CBEC: each tax is ``round_fen(relief × full)``. Regime FULL_TAX (one unit of one
   SKU above the order limit): ``tariff = round_fen(base × tariff_rate)`` and CT and VAT in full,
   computed on ``base + tariff``, no relief.

Totals: ``dutiable_value`` is the sum of the line bases; ``tax_total`` the sum of the line taxes;
``actural_paid = goods + freight + insurance + tax_total − discount``. With insurance 0 (the
default) this is the three-document equality of cross-border.md §6. The order message (CEB311)
has no insurance field, so a non-zero insurance would have to be declared within ``freight``
there to keep that equality; keep it 0 unless that is settled.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from liveport.catalog.domain import CtRule, NetUnit, TaxClass, consumption_tax_applies
from liveport.checkout import refusals
from liveport.core.money import FEN, round_fen

ZERO = Decimal(0)


class Regime(StrEnum):
    CBEC = "cbec"  # within the limits: no tariff, 70 % of VAT and consumption tax
    FULL_TAX = "full_tax"  # the single-item exception: full tariff, VAT and consumption tax


class LimitBasis(StrEnum):
    DUTIABLE_VALUE = "dutiable_value"  # goods + freight + insurance (cross-border.md §2)
    GOODS_VALUE = "goods_value"


@dataclass(frozen=True, slots=True)
class TaxProfile:
    """A product's tax data, copied from its row when the basket is priced."""

    vat_rate: Decimal
    ct_rule: CtRule
    ct_rate: Decimal
    ct_min_per_ml_g: Decimal | None
    ct_min_per_sheet: Decimal | None
    net_content: Decimal | None
    net_unit: NetUnit | None
    tariff_rate: Decimal = ZERO  # MFN tariff; due only under the full-tax regime

    def __post_init__(self) -> None:
        if not (ZERO <= self.vat_rate < 1 and ZERO <= self.ct_rate < 1 and self.tariff_rate >= 0):
            raise ValueError(f"tax rates out of range: {self}")

    def tax_class(self) -> TaxClass:
        return TaxClass(
            "product",
            self.vat_rate,
            self.ct_rule,
            self.ct_rate,
            self.ct_min_per_ml_g,
            self.ct_min_per_sheet,
        )


@dataclass(frozen=True, slots=True)
class BasketLine:
    sku: str
    product_id: int
    name: str
    qty: int
    unit_price: Decimal  # CNY, whole fen
    tax: TaxProfile
    hs_code: str  # 10 digits
    legal_unit: str  # customs unit code of legal_qty
    legal_qty: Decimal  # legal units per item

    @property
    def goods_value(self) -> Decimal:
        return self.unit_price * self.qty


@dataclass(frozen=True, slots=True)
class LimitPolicy:
    """Limits and tax policy, built from settings (cross-border.md marks them configurable)."""

    per_order_limit: Decimal = Decimal(5000)
    annual_quota: Decimal = Decimal(26000)
    relief: Decimal = Decimal("0.7")  # share of VAT and consumption tax due within the limits
    discount_reduces_base: bool = False
    basis: LimitBasis = LimitBasis.DUTIABLE_VALUE  # what both limits compare

    def __post_init__(self) -> None:
        object.__setattr__(self, "basis", LimitBasis(self.basis))
        if self.per_order_limit <= 0 or self.annual_quota <= 0 or not ZERO < self.relief <= 1:
            raise ValueError(f"limit policy out of range: {self}")

    def counted_value(self, quote: TaxQuote) -> Decimal:
        """The amount both limits compare and the annual quota is charged with."""
        if self.basis is LimitBasis.GOODS_VALUE:
            return quote.goods_value
        return quote.dutiable_value


@dataclass(frozen=True, slots=True)
class LineTax:
    sku: str
    qty: int
    unit_price: Decimal
    goods_value: Decimal
    freight_share: Decimal
    insurance_share: Decimal
    discount_share: Decimal
    dutiable_value: Decimal
    consumption_tax: Decimal
    vat: Decimal
    tax_total: Decimal  # tariff + consumption tax + VAT
    ct_applies: bool
    tariff: Decimal = ZERO  # non-zero only under the full-tax regime


@dataclass(frozen=True, slots=True)
class TaxQuote:
    lines: tuple[LineTax, ...]  # in the order of the basket lines given
    goods_value: Decimal
    freight: Decimal
    insurance: Decimal
    discount: Decimal
    dutiable_value: Decimal
    tax_total: Decimal
    actural_paid: Decimal  # customs spells it so (CEB311 acturalPaid)
    regime: Regime

    @property
    def units(self) -> int:
        return sum(line.qty for line in self.lines)

    @property
    def consumption_tax(self) -> Decimal:
        return sum((line.consumption_tax for line in self.lines), ZERO)

    @property
    def vat(self) -> Decimal:
        return sum((line.vat for line in self.lines), ZERO)


def check_amount(value: Decimal | int, field: str) -> Decimal:
    """An order-level amount: a finite, non-negative number of whole fen."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{field} must be a Decimal, not {type(value).__name__}")
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0 or amount != round_fen(amount):
        raise refusals.invalid_amount(field)
    return round_fen(amount)  # exact here; only gives every amount two places


def check_lines(lines: Sequence[BasketLine]) -> None:
    if not lines:
        raise refusals.empty_basket()
    for line in lines:
        if isinstance(line.qty, bool) or not isinstance(line.qty, int) or line.qty < 1:
            raise refusals.invalid_quantity(line.sku)
        price = line.unit_price
        if not price.is_finite() or price <= 0 or price != round_fen(price):
            raise refusals.invalid_price(line.sku)


def canonical_ranks(lines: Sequence[BasketLine]) -> list[int]:
    """Each line's position in the canonical order (sku, unit price, qty, input position)."""
    order = sorted(
        range(len(lines)), key=lambda i: (lines[i].sku, lines[i].unit_price, lines[i].qty, i)
    )
    ranks = [0] * len(lines)
    for rank, index in enumerate(order):
        ranks[index] = rank
    return ranks


def allocate(total: Decimal, weights: Sequence[Decimal], ranks: Sequence[int]) -> list[Decimal]:
    """``total`` (whole fen) shared in proportion to ``weights`` by the largest remainder."""
    total_fen = int(total / FEN)
    weight_fen = [int(w / FEN) for w in weights]
    whole = sum(weight_fen)
    if whole <= 0:
        raise ValueError("cannot share an amount over lines worth nothing")
    fen = [total_fen * w // whole for w in weight_fen]
    remainders = [total_fen * w % whole for w in weight_fen]
    left = total_fen - sum(fen)
    for i in sorted(range(len(fen)), key=lambda i: (-remainders[i], ranks[i]))[:left]:
        fen[i] += 1
    return [Decimal(f) * FEN for f in fen]


def _line_tax(
    line: BasketLine, shares: tuple[Decimal, Decimal, Decimal], base: Decimal, regime: Regime,
    relief: Decimal,
) -> LineTax:
    freight_share, insurance_share, discount_share = shares
    tax = line.tax
    ct_applies = consumption_tax_applies(
        tax.tax_class(), base / line.qty, tax.net_content, tax.net_unit
    )
    # Within the limits there is no tariff and each tax is the relief share of its statutory
    # amount; under the full-tax regime the exact tariff joins the base of CT and VAT.
    tariff_full = base * tax.tariff_rate if regime is Regime.FULL_TAX else ZERO
    ct_full = (base + tariff_full) * tax.ct_rate / (1 - tax.ct_rate) if ct_applies else ZERO
    vat_full = (base + tariff_full + ct_full) * tax.vat_rate
    tariff = round_fen(tariff_full)
    consumption_tax, vat = round_fen(relief * ct_full), round_fen(relief * vat_full)
    return LineTax(
        sku=line.sku,
        qty=line.qty,
        unit_price=line.unit_price,
        goods_value=line.goods_value,
        freight_share=freight_share,
        insurance_share=insurance_share,
        discount_share=discount_share,
        dutiable_value=base,
        consumption_tax=consumption_tax,
        vat=vat,
        tax_total=tariff + consumption_tax + vat,
        ct_applies=ct_applies,
        tariff=tariff,
    )


def compute_tax(
    lines: Sequence[BasketLine],
    freight: Decimal,
    insurance: Decimal = ZERO,
    discount: Decimal = ZERO,
    policy: LimitPolicy = LimitPolicy(),  # frozen, so one shared default is safe
) -> TaxQuote:
    """The tax quote of a basket. Does not enforce the limits: ``check_order_limits`` does
    (an over-limit basket of several units is quoted under CBEC and refused there)."""
    lines = tuple(lines)
    check_lines(lines)
    freight = check_amount(freight, "freight")
    insurance = check_amount(insurance, "insurance")
    discount = check_amount(discount, "discount")
    goods = [line.goods_value for line in lines]
    goods_value = sum(goods, ZERO)
    if discount > goods_value:
        raise refusals.invalid_discount(discount, goods_value)
    ranks = canonical_ranks(lines)
    freights = allocate(freight, goods, ranks)
    insurances = allocate(insurance, goods, ranks)
    discounts = allocate(discount, goods, ranks)
    bases = [
        g + f + i - (d if policy.discount_reduces_base else ZERO)
        for g, f, i, d in zip(goods, freights, insurances, discounts, strict=True)
    ]
    dutiable_value = sum(bases, ZERO)
    counted = goods_value if policy.basis is LimitBasis.GOODS_VALUE else dutiable_value
    units = sum(line.qty for line in lines)
    regime = Regime.FULL_TAX if counted > policy.per_order_limit and units == 1 else Regime.CBEC
    relief = policy.relief if regime is Regime.CBEC else Decimal(1)
    taxed = tuple(
        _line_tax(line, (f, i, d), base, regime, relief)
        for line, f, i, d, base in zip(lines, freights, insurances, discounts, bases, strict=True)
    )
    tax_total = sum((line.tax_total for line in taxed), ZERO)
    return TaxQuote(
        lines=taxed,
        goods_value=goods_value,
        freight=freight,
        insurance=insurance,
        discount=discount,
        dutiable_value=dutiable_value,
        tax_total=tax_total,
        actural_paid=goods_value + freight + insurance + tax_total - discount,
        regime=regime,
    )
