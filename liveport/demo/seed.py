"""Seed the demo expo night through the same services the API uses.

Passwords come from the caller (the CLI generates one or takes LIVEPORT_DEMO_PASSWORD); none
is written here. Seeding a database that already holds the demo changes nothing and returns
the existing demo accounts, so `liveport demo --keep` can run it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from liveport.accounts.domain import Principal, Role
from liveport.accounts.models import User
from liveport.accounts.services import create_user, principal_of
from liveport.buyers.consignees import ConsigneeDraft, add_consignee
from liveport.buyers.provisioning import write_demo_identity
from liveport.catalog import services as catalog
from liveport.catalog import venues
from liveport.catalog.domain import NetUnit, ProductDraft
from liveport.catalog.reference import current_positive_list
from liveport.context import AppContext
from liveport.core.clock import utcnow
from liveport.demo import night
from liveport.shows import services as shows
from liveport.shows.domain import HostSpec


@dataclass(frozen=True, slots=True)
class DemoAccount:
    role: str
    email: str
    label: str
    user_id: int


@dataclass(frozen=True)
class DemoAccounts:
    accounts: list[DemoAccount]
    created: bool
    pavilion_ids: dict[str, int] = field(default_factory=dict)  # by country code
    exhibitor_ids: dict[str, int] = field(default_factory=dict)  # by night.EXHIBITORS key
    product_ids: dict[str, int] = field(default_factory=dict)  # by SKU
    show_ids: dict[str, int] = field(default_factory=dict)  # by night.SHOWS key
    warehouse_id: int | None = None


def _email(local: str) -> str:
    return f"{local}@{night.EMAIL_DOMAIN}"


def _existing(ctx: AppContext) -> DemoAccounts | None:
    emails = {_email(local): (role, label) for _k, role, local, _n, label, _e in night.ACCOUNTS}
    with ctx.db.reader() as session:
        found = dict(
            session.execute(select(User.email, User.id).where(User.email.in_(emails))).all()
        )
    if _email("operator") not in found:
        return None
    accounts = [DemoAccount(emails[e][0], e, emails[e][1], found[e]) for e in emails if e in found]
    return DemoAccounts(accounts=accounts, created=False)


def _draft(item: dict) -> ProductDraft:  # type: ignore[type-arg]
    amount, unit = item["net"] if item["net"] else (None, None)
    return ProductDraft(
        sku=item["sku"],
        name_zh=item["name_zh"],
        name_en=item["name_en"],
        description=f"{item['name_zh']} · {item['name_en']}",
        hs_code=item["hs_code"],
        origin_country=item["origin"],
        trading_unit=item["unit"],
        legal_unit=item["legal_unit"],
        legal_qty=Decimal(item["legal_qty"]),
        tax_class=item["tax"],
        original_currency=item["currency"],
        original_amount=Decimal(item["amount"]),
        gross_weight_kg=Decimal(item["gross_kg"]),
        net_weight_kg=Decimal(item["net_kg"]),
        net_content=Decimal(amount) if amount else None,
        net_content_unit=NetUnit(unit) if unit else None,
        barcode=item["barcode"],
    )


def seed_demo_night(ctx: AppContext, *, password: str) -> DemoAccounts:
    if (already := _existing(ctx)) is not None:
        return already
    db, settings = ctx.db, ctx.settings
    accounts: list[DemoAccount] = []
    principals: dict[str, Principal] = {}

    def account(
        key: str, role: str, local: str, name: str, label: str, exhibitor_id: int | None
    ) -> None:
        user = create_user(
            db,
            email=_email(local),
            password=password,
            role=Role(role),
            display_name=name,
            exhibitor_id=exhibitor_id,
        )
        accounts.append(DemoAccount(role, user.email, label, user.id))
        principals[key] = principal_of(user)

    staff = [a for a in night.ACCOUNTS if a[5] is None]
    merchants = [a for a in night.ACCOUNTS if a[5] is not None]
    for key, role, local, name, label, _ in staff:
        account(key, role, local, name, label, None)
    operator = principals["operator"]

    for currency, rate in night.FX_RATES.items():
        catalog.set_fx_rate(db, operator, currency, Decimal(rate))
    warehouse = venues.create_warehouse(
        db,
        operator,
        **night.BONDED_WAREHOUSE,
        area_code=settings.customs.area_code,
        ems_no=settings.customs.ems_no,
    )
    pavilion_ids = {
        country: venues.create_pavilion(db, operator, country_code=country, hall=hall).id
        for country, hall in night.PAVILIONS
    }
    exhibitor_ids = {
        key: venues.create_exhibitor(
            db,
            operator,
            pavilion_id=pavilion_ids[country],
            name_zh=zh,
            name_en=en,
            customs_code=code,
            customs_name=customs_name,
        ).id
        for key, country, zh, en, code, customs_name in night.EXHIBITORS
    }
    country_of = {key: country for key, country, *_ in night.EXHIBITORS}
    plist = current_positive_list(settings)
    product_ids: dict[str, int] = {}
    for item in night.PRODUCTS:
        draft = _draft({**item, "origin": country_of[item["exhibitor"]]})
        product = catalog.create_product(
            db, operator, draft, positive_list=plist, exhibitor_id=exhibitor_ids[item["exhibitor"]]
        )
        catalog.set_stock(
            db, operator, product.id, warehouse.id, item["stock"], positive_list=plist
        )
        product_ids[item["sku"]] = product.id

    for key, role, local, name, label, exhibitor in merchants:
        account(key, role, local, name, label, exhibitor_ids[exhibitor])

    show_ids: dict[str, int] = {}
    now = utcnow().replace(microsecond=0)
    for spec in night.SHOWS:
        start = now + timedelta(minutes=spec["starts_in_minutes"])
        host_key, label, label_en, country = spec["main_host"]
        detail = shows.create_show(
            db,
            operator,
            title=spec["title"],
            title_en=spec["title_en"],
            description=spec["description"],
            scheduled_start=start,
            scheduled_end=start + timedelta(minutes=spec["duration_minutes"]),
            main_host=HostSpec(principals[host_key].user_id, label, label_en, country,
                               Decimal(night.MAIN_HOST_COMMISSION)),
        )
        show_id = detail.summary.id
        main_host = principals[host_key]
        for co_key, co_label, co_label_en, co_country in spec["co_hosts"]:
            shows.add_host(
                db,
                main_host,
                show_id,
                HostSpec(principals[co_key].user_id, co_label, co_label_en, co_country),
            )
        shows.set_lineup(db, main_host, show_id, [product_ids[sku] for sku in spec["lineup"]])
        if spec["live"]:
            shows.start_show(db, main_host, show_id)
        show_ids[spec["key"]] = show_id

    buyer = principals["buyer"].user_id
    with db.transaction() as session:
        write_demo_identity(session, ctx.identity, buyer, **night.DEMO_BUYER)
    add_consignee(db, buyer, ConsigneeDraft(**night.DEMO_BUYER_ADDRESS, is_default=True))

    order = [_email(local) for _k, _r, local, *_ in night.ACCOUNTS]
    accounts.sort(key=lambda a: order.index(a.email))
    return DemoAccounts(
        accounts=accounts,
        created=True,
        pavilion_ids=pavilion_ids,
        exhibitor_ids=exhibitor_ids,
        product_ids=product_ids,
        show_ids=show_ids,
        warehouse_id=warehouse.id,
    )
