"""Catalog use cases of the expo's floor: country pavilions, exhibitors and warehouses
(bonded or overseas). Operators create them; each change is audited."""

from __future__ import annotations

from sqlalchemy import select

from liveport.accounts.domain import Principal
from liveport.accounts.services import record_audit
from liveport.catalog.domain import (
    CHINA,
    check_customs_registration,
)
from liveport.catalog.models import Exhibitor, Pavilion, Warehouse
from liveport.catalog.reference import code_tables
from liveport.core.db import Database
from liveport.core.errors import Conflict, ValidationFailed

WAREHOUSE_KINDS = ("bonded", "overseas")


def _import_country(code: str) -> str:
    country = code_tables().active_country(code)
    if country is None or country.code == CHINA:
        raise ValidationFailed(
            f"{code!r} is not a customs country code of an import origin.", code="unknown_country"
        )
    return country.code


def create_pavilion(
    db: Database,
    actor: Principal,
    *,
    country_code: str,
    name_zh: str | None = None,
    name_en: str | None = None,
    hall: str | None = None,
) -> Pavilion:
    country = code_tables().countries[_import_country(country_code)]
    with db.transaction() as session:
        if session.scalar(select(Pavilion.id).where(Pavilion.country_code == country.code)):
            raise Conflict(
                f"The {country.name_en} pavilion exists already.", code="pavilion_exists"
            )
        pavilion = Pavilion(
            country_code=country.code,
            name_zh=name_zh or f"{country.name_zh}馆",
            name_en=name_en or f"{country.name_en} Pavilion",
            hall=hall,
        )
        session.add(pavilion)
        session.flush()
        record_audit(
            session, actor, "pavilion.create", "pavilion", pavilion.id, {"country": country.code}
        )
        return pavilion


def list_pavilions(db: Database) -> list[Pavilion]:
    with db.reader() as session:
        return list(session.scalars(select(Pavilion).order_by(Pavilion.id)))


def create_exhibitor(
    db: Database,
    actor: Principal,
    *,
    pavilion_id: int,
    name_zh: str,
    name_en: str,
    customs_code: str,
    customs_name: str,
    country_code: str | None = None,
) -> Exhibitor:
    check_customs_registration(customs_code)
    with db.transaction() as session:
        pavilion = session.get(Pavilion, pavilion_id)
        if pavilion is None:
            raise ValidationFailed("No such pavilion.", code="unknown_pavilion")
        if country_code is not None and country_code != pavilion.country_code:
            raise ValidationFailed(
                "An exhibitor's country is its pavilion's country.", code="country_mismatch"
            )
        exhibitor = Exhibitor(
            pavilion_id=pavilion.id,
            name_zh=name_zh,
            name_en=name_en,
            country_code=pavilion.country_code,
            customs_code=customs_code,
            customs_name=customs_name,
        )
        session.add(exhibitor)
        session.flush()
        record_audit(
            session,
            actor,
            "exhibitor.create",
            "exhibitor",
            exhibitor.id,
            {"pavilion_id": pavilion.id},
        )
        return exhibitor


def list_exhibitors(
    db: Database, *, pavilion_id: int | None = None, country_code: str | None = None
) -> list[Exhibitor]:
    query = select(Exhibitor).order_by(Exhibitor.id)
    if pavilion_id is not None:
        query = query.where(Exhibitor.pavilion_id == pavilion_id)
    if country_code is not None:
        query = query.where(Exhibitor.country_code == country_code)
    with db.reader() as session:
        return list(session.scalars(query))


def create_warehouse(
    db: Database,
    actor: Principal,
    *,
    code: str,
    name_zh: str,
    name_en: str,
    kind: str,
    country_code: str,
    area_code: str | None = None,
    ems_no: str | None = None,
) -> Warehouse:
    if kind not in WAREHOUSE_KINDS:
        raise ValidationFailed("A warehouse is bonded or overseas.", code="invalid_warehouse_kind")
    if kind == "bonded" and country_code != CHINA:
        raise ValidationFailed(
            "A bonded warehouse is in a Chinese bonded zone (country 142).", code="country_mismatch"
        )
    if kind == "overseas":
        _import_country(country_code)
    with db.transaction() as session:
        if session.scalar(select(Warehouse.id).where(Warehouse.code == code)):
            raise Conflict("That warehouse code is taken.", code="warehouse_exists")
        warehouse = Warehouse(
            code=code,
            name_zh=name_zh,
            name_en=name_en,
            kind=kind,
            country_code=country_code,
            area_code=area_code,
            ems_no=ems_no,
        )
        session.add(warehouse)
        session.flush()
        record_audit(session, actor, "warehouse.create", "warehouse", warehouse.id, {"kind": kind})
        return warehouse


def list_warehouses(db: Database) -> list[Warehouse]:
    with db.reader() as session:
        return list(session.scalars(select(Warehouse).order_by(Warehouse.id)))
