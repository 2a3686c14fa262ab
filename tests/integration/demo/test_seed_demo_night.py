from __future__ import annotations

from collections import Counter
from decimal import Decimal

from sqlalchemy import func, select

from liveport.accounts.services import sign_in
from liveport.catalog.domain import (
    TAX_CLASSES,
    NetUnit,
    ProductDraft,
    check_product,
    consumption_tax_applies,
)
from liveport.catalog.models import Exhibitor, Pavilion, Product, Stock, Warehouse
from liveport.catalog.reference import code_tables, current_positive_list
from liveport.demo.seed import seed_demo_night
from liveport.shows.models import Show
from liveport.shows.services import list_shows

PASSWORD = "expo-night-2026"


def count(db, model) -> int:
    with db.reader() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_the_demo_night_seeds_an_empty_database(app_context):
    db = app_context.db
    # when the night is seeded into an empty database
    made = seed_demo_night(app_context, password=PASSWORD)
    # then it holds the pavilions, exhibitors, products, stock and shows of the night
    assert made.created is True
    assert (count(db, Pavilion), count(db, Exhibitor), count(db, Product), count(db, Show)) == (
        11,
        13,
        39,
        2,
    )
    assert {"344", "101", "138", "116", "305", "601", "133", "307", "304", "609", "136"} == set(
        made.pavilion_ids
    )
    with db.reader() as session:
        stock = session.execute(
            select(Stock.on_hand, Stock.reserved, Warehouse.kind).join(
                Warehouse, Warehouse.id == Stock.warehouse_id
            )
        ).all()
        pine_nuts = session.scalar(
            select(Stock.on_hand).where(Stock.product_id == made.product_ids["AF-PINENUT-CAN-500"])
        )
    assert len(stock) == 39
    assert {kind for _, _, kind in stock} == {"bonded"}
    assert all(on_hand > 0 and reserved == 0 for on_hand, reserved, _ in stock)
    assert pine_nuts == 120_000
    # and the live show comes first, with the ambassador as co-host
    shows = list_shows(db)
    assert [(s.id, s.status.value) for s in shows] == [
        (made.show_ids["silk-road"], "live"),
        (made.show_ids["beauty-wine"], "scheduled"),
    ]
    live, later = shows
    assert [(h.role_label_en, h.is_main, h.country_code) for h in live.hosts] == [
        ("Host", True, None),
        ("Ambassador of Afghanistan", False, "101"),
    ]
    assert live.hosts[1].role_label == "阿富汗驻华大使"
    assert (live.product_count, later.product_count) == (11, 10)
    assert live.started_at is not None
    assert later.scheduled_start > live.scheduled_start
    # and every role has an account that signs in with the given password
    assert [(a.role, a.email) for a in made.accounts] == [
        ("operator", "operator@demo.liveport.test"),
        ("host", "host@demo.liveport.test"),
        ("host", "ambassador.af@demo.liveport.test"),
        ("moderator", "moderator@demo.liveport.test"),
        ("merchant", "merchant.ru@demo.liveport.test"),
        ("merchant", "merchant.af@demo.liveport.test"),
        ("merchant", "merchant.fr@demo.liveport.test"),
        ("buyer", "buyer@demo.liveport.test"),
    ]
    _, merchant = sign_in(
        db, email="merchant.af@demo.liveport.test", password=PASSWORD, kind="api", ttl=None,
        secret="any-secret-for-this-check",
    )
    assert merchant.exhibitor_id == made.exhibitor_ids["af-nuts"]


def draft_of(p: Product) -> ProductDraft:
    return ProductDraft(
        sku=p.sku,
        name_zh=p.name_zh,
        name_en=p.name_en,
        description=p.description,
        hs_code=p.hs_code,
        origin_country=p.origin_country,
        trading_unit=p.trading_unit,
        legal_unit=p.legal_unit,
        legal_qty=p.legal_qty,
        tax_class=p.tax_class,
        original_currency=p.original_currency,
        original_amount=p.original_amount,
        gross_weight_kg=p.gross_weight_kg,
        net_weight_kg=p.net_weight_kg,
        net_content=p.net_content,
        net_content_unit=NetUnit(p.net_content_unit) if p.net_content_unit else None,
        barcode=p.barcode,
        image_url=p.image_url,
    )


def test_every_demo_product_passes_the_positive_list_and_tax_rules(app_context):
    seed_demo_night(app_context, password=PASSWORD)
    plist = current_positive_list(app_context.settings)
    with app_context.db.reader() as session:
        by_sku = {p.sku: p for p in session.scalars(select(Product))}
    lines = {sku: check_product(draft_of(p), code_tables(), plist).hs8 for sku, p in by_sku.items()}
    assert lines["AF-PINENUT-CAN-500"] == "08029100"
    assert lines["NZ-KIWI-1000"] == "08105000"
    assert len(lines) == 39

    def taxed(sku: str) -> bool:
        p = by_sku[sku]
        return consumption_tax_applies(
            TAX_CLASSES[p.tax_class], p.price_cny, p.net_content, NetUnit(p.net_content_unit)
        )

    assert {
        sku: taxed(sku)
        for sku in (
            "FR-SERUM-30",
            "FR-EDP-50",
            "FR-LIPSTICK-35",
            "FR-CREAM-50",
            "FR-MICELLAR-400",
            "JP-MASK-PREMIUM-5",
            "JP-MASK-DAILY-30",
        )
    } == {
        "FR-SERUM-30": True,
        "FR-EDP-50": True,
        "FR-LIPSTICK-35": True,
        "FR-CREAM-50": False,
        "FR-MICELLAR-400": False,
        "JP-MASK-PREMIUM-5": True,
        "JP-MASK-DAILY-30": False,
    }
    assert by_sku["JP-MASK-PREMIUM-5"].net_content_unit == "sheet"
    assert (by_sku["AF-PINENUT-CAN-500"].trading_unit, by_sku["AF-PINENUT-CAN-500"].price_cny) == (
        "122",
        Decimal("127.80"),
    )
    assert Counter(p.tax_class for p in by_sku.values()) == {
        "general": 18,
        "agricultural": 9,
        "cosmetics": 10,
        "wine": 2,
    }


def test_seeding_again_changes_nothing_and_returns_the_accounts(app_context):
    first = seed_demo_night(app_context, password=PASSWORD)
    again = seed_demo_night(app_context, password="another-password-1")
    assert again.created is False
    assert [(a.role, a.email, a.user_id) for a in again.accounts] == [
        (a.role, a.email, a.user_id) for a in first.accounts
    ]
    assert (count(app_context.db, Product), count(app_context.db, Show)) == (39, 2)


def test_the_api_lists_the_seeded_night(client, app_context):
    seed_demo_night(app_context, password=PASSWORD)
    shows = client.get("/api/v1/shows").json()
    products = client.get("/api/v1/products?limit=500").json()
    afghan = client.get("/api/v1/products?country=101").json()
    assert [s["status"] for s in shows] == ["live", "scheduled"]
    assert len(products) == 39
    assert [p["sku"] for p in afghan] == [
        "AF-PINENUT-CAN-500",
        "AF-PINENUT-KERNEL-250",
        "AF-RAISIN-GREEN-500",
        "AF-SAFFRON-2G",
    ]
    assert [
        p["sku"] for p in client.get(f"/api/v1/products?show_id={shows[0]['id']}&limit=3").json()
    ] == ["AF-PINENUT-CAN-500", "RU-CHOC-GIFT-1000", "RU-KOROVKA-500"]


def test_the_demo_buyer_is_ready_to_order_and_pay(app_context, client):
    from liveport.buyers.services import identity_for_declaration
    from liveport.demo import night

    made = seed_demo_night(app_context, password=PASSWORD)
    buyer = next(a for a in made.accounts if a.role == "buyer")
    person = identity_for_declaration(app_context.db, app_context.identity, buyer.user_id)
    assert (person.full_name, person.id_number) == (night.DEMO_BUYER["full_name"], night.DEMO_BUYER["id_number"])
    login = client.post("/api/v1/auth/login", json={"email": buyer.email, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    address = client.get("/api/v1/me/consignees", headers=headers).json()
    assert [a["district_code"] for a in address] == ["310104"]
    sku = night.PRODUCTS[0]["sku"]
    quote = client.post("/api/v1/checkout/quote", headers=headers,
                        json={"items": [{"sku": sku, "qty": 1}], "freight": "0", "consignee_id": address[0]["id"]})
    assert quote.status_code == 200, quote.text
    assert quote.json()["remaining_quota"] == "26000.00"
