"""Catalog rules: code tables, the positive list, tax classes, prices in CNY. Pure, no I/O.

What a later tax engine needs is stored on each product as data (rates and the consumption-tax
rule with its thresholds), so changing a rule is a data change, not a code change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from liveport.core.errors import ValidationFailed
from liveport.core.money import round_fen

HS_CODE_RE = re.compile(r"^[0-9]{10}$")
HS_LINE_RE = re.compile(r"^[0-9]{8}$")
CODE3_RE = re.compile(r"^[0-9]{3}$")
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
CUSTOMS_REG_RE = re.compile(r"^[0-9A-Z]{1,18}$")
BONDED_ONLY = "bonded_only"
CNY = "CNY"
CHINA = "142"
# Notes in the positive list are short tokens; unknown ones are kept and shown, not enforced.
NOTE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


# --- code tables ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name_zh: str
    name_en: str
    iso2: str | None
    status: str


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class CodeTables:
    countries: Mapping[str, Country]
    units: Mapping[str, Unit]

    def active_country(self, code: str) -> Country | None:
        """Legacy and historical codes stay readable but are not accepted for new data."""
        country = self.countries.get(code)
        return country if country is not None and country.status == "active" else None


def code_tables_from(data: Mapping[str, Mapping[str, Mapping[str, str | None]]]) -> CodeTables:
    countries = {
        code: Country(code, row["zh"] or "", row["en"] or "", row.get("iso2"), row["status"] or "")
        for code, row in data["countries"].items()
    }
    units = {
        code: Unit(code, row["zh"] or "", row["en"] or "") for code, row in data["units"].items()
    }
    return CodeTables(countries=countries, units=units)


# --- the positive list ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PositiveListLine:
    hs8: str
    description_zh: str
    description_en: str
    legal_unit: str
    notes: frozenset[str]
    yearly_cap_qty: Decimal | None = None
    yearly_cap_unit: str | None = None

    @property
    def bonded_only(self) -> bool:
        return BONDED_ONLY in self.notes


@dataclass(frozen=True, slots=True)
class PositiveList:
    lines: Mapping[str, PositiveListLine]

    def line_for(self, hs_code: str) -> PositiveListLine | None:
        """A 10-digit commodity code is its 8-digit tariff line plus 2 digits."""
        return self.lines.get(hs_code[:8]) if HS_CODE_RE.fullmatch(hs_code) else None


def parse_positive_list(rows: Iterable[Mapping[str, str | None]]) -> PositiveList:
    """Rows as read from the CSV (header: hs8, description_zh, description_en, legal_unit,
    notes, yearly_cap_qty, yearly_cap_unit). A bad row is an error naming its line, so an
    operator's edit that breaks the file is refused rather than half applied."""
    lines: dict[str, PositiveListLine] = {}
    for number, raw in enumerate(rows, start=2):
        row = {key: (value or "").strip() for key, value in raw.items() if key is not None}

        def cell(name: str, row: dict[str, str] = row) -> str:
            return row.get(name, "")

        hs8 = cell("hs8")
        if not HS_LINE_RE.fullmatch(hs8):
            raise ValueError(f"positive list line {number}: hs8 must be 8 digits, got {hs8!r}")
        if hs8 in lines:
            raise ValueError(f"positive list line {number}: {hs8} appears twice")
        legal_unit = cell("legal_unit")
        if not CODE3_RE.fullmatch(legal_unit):
            raise ValueError(f"positive list line {number}: legal_unit must be a 3-digit unit code")
        notes = frozenset(n.strip() for n in cell("notes").split(";") if n.strip())
        if bad := [n for n in notes if not NOTE_RE.fullmatch(n)]:
            raise ValueError(f"positive list line {number}: bad note {bad[0]!r}")
        cap_qty, cap_unit = cell("yearly_cap_qty"), cell("yearly_cap_unit")
        if bool(cap_qty) != bool(cap_unit):
            raise ValueError(
                f"positive list line {number}: a yearly cap needs both quantity and unit"
            )
        cap = None
        if cap_qty:
            try:
                cap = Decimal(cap_qty)
            except InvalidOperation:
                raise ValueError(
                    f"positive list line {number}: bad yearly_cap_qty {cap_qty!r}"
                ) from None
            if not cap.is_finite() or cap <= 0 or not CODE3_RE.fullmatch(cap_unit):
                raise ValueError(
                    f"positive list line {number}: bad yearly cap {cap_qty} {cap_unit}"
                )
        lines[hs8] = PositiveListLine(
            hs8=hs8,
            description_zh=cell("description_zh"),
            description_en=cell("description_en"),
            legal_unit=legal_unit,
            notes=notes,
            yearly_cap_qty=cap,
            yearly_cap_unit=cap_unit or None,
        )
    return PositiveList(lines)


# --- tax classes ----------------------------------------------------------------------------


class CtRule(StrEnum):
    NONE = "none"
    AD_VALOREM = "ad_valorem"  # always due at ct_rate
    COSMETICS = "cosmetics_threshold"  # due only at or above a price per ml/g or per sheet


class NetUnit(StrEnum):
    ML = "ml"
    G = "g"
    SHEET = "sheet"


@dataclass(frozen=True, slots=True)
class TaxClass:
    name: str
    vat_rate: Decimal
    ct_rule: CtRule = CtRule.NONE
    ct_rate: Decimal = Decimal(0)
    ct_min_per_ml_g: Decimal | None = None
    ct_min_per_sheet: Decimal | None = None


# Statutory rates (cross-border.md §2). Specific-duty goods (beer, spirits, tobacco) are not
# offered: their consumption tax is not a plain rate and the demo sells none.
TAX_CLASSES: Mapping[str, TaxClass] = {
    "general": TaxClass("general", Decimal("0.13")),
    "agricultural": TaxClass("agricultural", Decimal("0.09")),
    "cosmetics": TaxClass(
        "cosmetics",
        Decimal("0.13"),
        CtRule.COSMETICS,
        Decimal("0.15"),
        ct_min_per_ml_g=Decimal(10),
        ct_min_per_sheet=Decimal(15),
    ),
    "wine": TaxClass("wine", Decimal("0.13"), CtRule.AD_VALOREM, Decimal("0.10")),
}


def tax_class(name: str) -> TaxClass:
    found = TAX_CLASSES.get(name)
    if found is None:
        raise ValidationFailed(
            f"Unknown tax class {name!r}; use one of {', '.join(sorted(TAX_CLASSES))}.",
            code="unknown_tax_class",
        )
    return found


def consumption_tax_applies(
    tax: TaxClass, dutiable_price: Decimal, net_content: Decimal | None, net_unit: NetUnit | None
) -> bool:
    """Whether consumption tax is due on one item at this dutiable price (CNY)."""
    if tax.ct_rule is CtRule.NONE:
        return False
    if tax.ct_rule is CtRule.AD_VALOREM:
        return True
    if net_content is None or net_unit is None or net_content <= 0:
        # A cosmetic without its net content cannot prove it is below the threshold.
        return True
    threshold = tax.ct_min_per_sheet if net_unit is NetUnit.SHEET else tax.ct_min_per_ml_g
    return threshold is None or dutiable_price / net_content >= threshold


# --- products -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductDraft:
    """What a merchant submits; checked by ``check_product`` before anything is stored."""

    sku: str
    name_zh: str
    name_en: str
    description: str
    hs_code: str
    origin_country: str
    trading_unit: str
    legal_unit: str
    legal_qty: Decimal
    tax_class: str
    original_currency: str
    original_amount: Decimal
    gross_weight_kg: Decimal
    net_weight_kg: Decimal
    net_content: Decimal | None = None
    net_content_unit: NetUnit | None = None
    barcode: str | None = None
    image_url: str | None = None


def gtin_is_valid(code: str) -> bool:
    """GTIN-8/12/13/14 check digit (mod 10, weights 3 and 1 from the right)."""
    if not (code.isascii() and code.isdigit()) or len(code) not in (8, 12, 13, 14):
        return False
    body, check = code[:-1], int(code[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def _fail(code: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code=code)


def check_product(draft: ProductDraft, codes: CodeTables, plist: PositiveList) -> PositiveListLine:
    """Every rule a product must meet to be listed; returns its positive-list line."""
    if not HS_CODE_RE.fullmatch(draft.hs_code):
        raise _fail("invalid_hs_code", "An HS code has 10 digits (8-digit tariff line + 2).")
    line = plist.line_for(draft.hs_code)
    if line is None:
        raise ValidationFailed(
            f"Tariff line {draft.hs_code[:8]} is not on the cross-border retail positive list.",
            code="not_on_positive_list",
            details={"hs_code": draft.hs_code},
        )
    country = codes.active_country(draft.origin_country)
    if country is None or country.code == CHINA:
        raise _fail(
            "unknown_country",
            f"{draft.origin_country!r} is not a customs country code of an import origin.",
        )
    for field in ("trading_unit", "legal_unit"):
        if getattr(draft, field) not in codes.units:
            raise _fail(
                "unknown_unit", f"{field} {getattr(draft, field)!r} is not a customs unit code."
            )
    if draft.legal_unit != line.legal_unit:
        raise ValidationFailed(
            f"Tariff line {line.hs8} is declared in unit {line.legal_unit}, not {draft.legal_unit}.",
            code="legal_unit_mismatch",
            details={"expected": line.legal_unit},
        )
    if draft.legal_qty <= 0:
        raise _fail("invalid_quantity", "The legal quantity per item must be positive.")
    tax = tax_class(draft.tax_class)
    if (draft.net_content is None) != (draft.net_content_unit is None):
        raise _fail(
            "invalid_net_content", "Net content needs both an amount and a unit (ml, g or sheet)."
        )
    if draft.net_content is not None and draft.net_content <= 0:
        raise _fail("invalid_net_content", "Net content must be positive.")
    if tax.ct_rule is CtRule.COSMETICS and draft.net_content is None:
        raise _fail(
            "net_content_required",
            "A cosmetic needs its net content (ml, g or sheets) for the consumption-tax threshold.",
        )
    if draft.net_weight_kg <= 0 or draft.gross_weight_kg < draft.net_weight_kg:
        raise _fail(
            "invalid_weight",
            "Weights must be positive, and the gross weight at least the net weight.",
        )
    if not CURRENCY_RE.fullmatch(draft.original_currency):
        raise _fail("invalid_currency", "The original currency is an ISO 4217 code such as EUR.")
    if draft.original_amount <= 0:
        raise _fail("invalid_price", "The price must be positive.")
    if draft.barcode is not None and not gtin_is_valid(draft.barcode):
        raise _fail(
            "invalid_barcode", "The barcode is not a valid GTIN (EAN-8/13, UPC-A or GTIN-14)."
        )
    return line


def check_stock_placement(line: PositiveListLine | None, warehouse_kind: str) -> None:
    """Bonded-only lines may be sold only from a bonded warehouse (1210 mode)."""
    if line is not None and line.bonded_only and warehouse_kind != "bonded":
        raise ValidationFailed(
            f"Tariff line {line.hs8} may only be sold from bonded stock.", code="bonded_only"
        )


def cny_price(original_amount: Decimal, fx_rate: Decimal) -> Decimal:
    """The listed CNY price: the exhibitor's price at the FX rate used, rounded to the fen."""
    price = round_fen(original_amount * fx_rate)
    if price <= 0:
        raise _fail("invalid_price", "The price is less than one fen in CNY.")
    return price


def check_fx_rate(currency: str, rate: Decimal) -> None:
    if not CURRENCY_RE.fullmatch(currency) or currency == CNY:
        raise _fail("invalid_currency", "FX rates are set for ISO 4217 currencies other than CNY.")
    if not rate.is_finite() or rate <= 0:
        raise _fail("invalid_fx_rate", "An FX rate is a positive number of CNY per unit.")


def check_customs_registration(code: str) -> None:
    if not CUSTOMS_REG_RE.fullmatch(code):
        raise _fail(
            "invalid_customs_code",
            "A customs registration code is 1-18 upper-case letters or digits.",
        )
