"""Basket lines for checkout's unit tests, with tax profiles taken from the catalog's classes."""
from __future__ import annotations

from decimal import Decimal

from liveport.catalog.domain import TAX_CLASSES, NetUnit
from liveport.checkout.domain import BasketLine, TaxProfile


def profile(
    tax_class: str, net_content: str | None = None, net_unit: NetUnit | None = None,
    tariff_rate: str = "0",
) -> TaxProfile:
    cls = TAX_CLASSES[tax_class]
    return TaxProfile(
        vat_rate=cls.vat_rate,
        ct_rule=cls.ct_rule,
        ct_rate=cls.ct_rate,
        ct_min_per_ml_g=cls.ct_min_per_ml_g,
        ct_min_per_sheet=cls.ct_min_per_sheet,
        net_content=Decimal(net_content) if net_content is not None else None,
        net_unit=net_unit,
        tariff_rate=Decimal(tariff_rate),
    )


GENERAL = profile("general")
AGRICULTURAL = profile("agricultural")
SERUM_30ML = profile("cosmetics", "30", NetUnit.ML)
CREAM_50G = profile("cosmetics", "50", NetUnit.G)
MASKS_10 = profile("cosmetics", "10", NetUnit.SHEET)
WINE = profile("wine", "750", NetUnit.ML)


def line(
    sku: str,
    qty: int,
    price: str,
    tax: TaxProfile = GENERAL,
    *,
    hs_code: str = "1704900000",
    legal_unit: str = "035",
    legal_qty: str = "0.5",
    name: str | None = None,
) -> BasketLine:
    return BasketLine(
        sku=sku,
        product_id=sum(map(ord, sku)),
        name=name or f"goods {sku}",
        qty=qty,
        unit_price=Decimal(price),
        tax=tax,
        hs_code=hs_code,
        legal_unit=legal_unit,
        legal_qty=Decimal(legal_qty),
    )
