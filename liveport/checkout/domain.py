"""Checkout's pure rules: tax (``tax.py``), limits and the positive list (``limits.py``),
refusals (``refusals.py``). Import them from here.

Refusals are ``ValidationFailed`` (HTTP 422) with stable codes, each with its English text in
``exc.message`` and its Chinese text in ``exc.message_zh`` (an attribute, as on every
``AppError``; ``exc.message_in(lang)`` picks one). Codes: empty_basket, invalid_quantity,
invalid_price, invalid_amount, invalid_discount (all ``InvalidBasket``), order_limit_exceeded,
annual_quota_exceeded, not_on_positive_list, bonded_only, yearly_cap_exceeded,
cap_unit_mismatch.
"""
from __future__ import annotations

from liveport.checkout.limits import (
    BONDED_WAREHOUSE,
    Split,
    check_order_limits,
    check_positive_list,
    china_year,
    remaining_quota,
    suggest_split,
)
from liveport.checkout.refusals import (
    AnnualQuotaExceeded,
    BondedOnly,
    CapUnitMismatch,
    CheckoutRefused,
    InvalidBasket,
    NotOnPositiveList,
    OrderLimitExceeded,
    YearlyCapExceeded,
)
from liveport.checkout.tax import (
    BasketLine,
    LimitBasis,
    LimitPolicy,
    LineTax,
    Regime,
    TaxProfile,
    TaxQuote,
    allocate,
    compute_tax,
)

__all__ = [
    "BONDED_WAREHOUSE",
    "AnnualQuotaExceeded",
    "BasketLine",
    "BondedOnly",
    "CapUnitMismatch",
    "CheckoutRefused",
    "InvalidBasket",
    "LimitBasis",
    "LimitPolicy",
    "LineTax",
    "NotOnPositiveList",
    "OrderLimitExceeded",
    "Regime",
    "Split",
    "TaxProfile",
    "TaxQuote",
    "YearlyCapExceeded",
    "allocate",
    "check_order_limits",
    "check_positive_list",
    "china_year",
    "compute_tax",
    "remaining_quota",
    "suggest_split",
]
