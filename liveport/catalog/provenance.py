"""Where a show's products come from, as a viewer sees it beside the video: origin country,
exhibitor, pavilion, and whether units ship from the bonded warehouse (1210) or by direct
mail from overseas (9610). Read only; public facts (no stock figures beyond "has units")."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from liveport.catalog.models import Exhibitor, Pavilion, Product, Stock, Warehouse
from liveport.core.db import Database


@dataclass(frozen=True)
class Provenance:
    product_id: int
    exhibitor_zh: str
    exhibitor_en: str
    pavilion_zh: str
    pavilion_en: str
    hall: str | None
    # "bonded" when any bonded warehouse holds units (checkout prefers it), else "overseas"
    # when only an overseas one does, else None (nothing in stock anywhere).
    ships_from: str | None


def provenance_of(db: Database, product_ids: Sequence[int]) -> dict[int, Provenance]:
    if not product_ids:
        return {}
    with db.reader() as session:
        rows = session.execute(
            select(Product.id, Exhibitor.name_zh, Exhibitor.name_en, Pavilion.name_zh, Pavilion.name_en,
                   Pavilion.hall)
            .join(Exhibitor, Exhibitor.id == Product.exhibitor_id)
            .join(Pavilion, Pavilion.id == Exhibitor.pavilion_id)
            .where(Product.id.in_(list(product_ids)))).all()
        stocked = session.execute(
            select(Stock.product_id, Warehouse.kind)
            .join(Warehouse, Warehouse.id == Stock.warehouse_id)
            .where(Stock.product_id.in_(list(product_ids)), Stock.on_hand > Stock.reserved)).all()
    kinds: dict[int, set[str]] = {}
    for product_id, kind in stocked:
        kinds.setdefault(product_id, set()).add(kind)
    found = {}
    for product_id, ex_zh, ex_en, pav_zh, pav_en, hall in rows:
        held = kinds.get(product_id, set())
        ships_from = "bonded" if "bonded" in held else ("overseas" if held else None)
        found[product_id] = Provenance(product_id, ex_zh, ex_en, pav_zh, pav_en, hall, ships_from)
    return found


def flag_of(country_code: str | None) -> str:
    """The flag emoji of an ISO 3166 alpha-2 code (regional indicator letters); customs'
    three-digit codes and unknown codes get none."""
    code = (country_code or "").upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        return ""
    return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in code)
