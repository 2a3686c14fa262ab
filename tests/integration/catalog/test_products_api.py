from __future__ import annotations

from decimal import Decimal

from liveport.accounts.services import list_audit
from tests.integration.catalog.catalog_support import CANDY, SERUM, body, expo, product


def test_a_merchant_lists_a_product_priced_in_cny_at_the_fx_rate_in_force(
    client, login_as, app_context
):
    # given an expo with a Russian candy maker and its merchant
    place = expo(app_context.db)
    merchant = login_as("merchant", exhibitor_id=place.candy_maker)
    # when the merchant lists Korovka candies at 600 roubles
    made = client.post("/api/v1/products", headers=merchant, json=body(CANDY))
    # then the product is stored with its CNY price, the rate used and its tax data
    assert made.status_code == 201, made.text
    got = made.json()
    assert (got["exhibitor_id"], got["pavilion_id"]) == (place.candy_maker, place.russia)
    assert (got["price_cny"], got["currency"]) == ("48.00", "CNY")
    assert (got["original_currency"], got["original_amount"], got["fx_rate"]) == (
        "RUB",
        "600.0000",
        "0.08000000",
    )
    assert (got["tax_class"], got["vat_rate"], got["ct_rule"], got["ct_rate"]) == (
        "general",
        "0.1300",
        "none",
        "0.0000",
    )
    assert (got["hs_code"], got["origin_country_name_en"], got["legal_unit"], got["legal_qty"]) == (
        "1704900000",
        "Russian Federation",
        "035",
        "0.50000",
    )
    assert got["available"] == 0
    assert list_audit(app_context.db)[0].action == "product.create"


def test_a_cosmetic_stores_its_consumption_tax_thresholds(client, login_as, app_context):
    place = expo(app_context.db)
    merchant = login_as("merchant", exhibitor_id=place.cosmetics_house)
    got = client.post("/api/v1/products", headers=merchant, json=body(SERUM)).json()
    assert got["price_cny"] == "452.40"
    assert (got["tax_class"], got["ct_rule"], got["ct_rate"]) == (
        "cosmetics",
        "cosmetics_threshold",
        "0.1500",
    )
    assert (got["ct_min_per_ml_g"], got["ct_min_per_sheet"]) == ("10.00", "15.00")
    assert (got["net_content"], got["net_content_unit"]) == ("30.000", "ml")


def test_a_product_off_the_positive_list_is_refused_on_create_and_update(
    client, login_as, app_context
):
    place = expo(app_context.db)
    merchant = login_as("merchant", exhibitor_id=place.candy_maker)
    refused = client.post(
        "/api/v1/products", headers=merchant, json=body(CANDY, hs_code="9503000090")
    )
    product_id = client.post("/api/v1/products", headers=merchant, json=body(CANDY)).json()["id"]
    changed = client.put(
        f"/api/v1/products/{product_id}", headers=merchant, json=body(CANDY, hs_code="8471300000")
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "not_on_positive_list")
    assert refused.json()["error"]["details"] == {"hs_code": "9503000090"}
    assert (changed.status_code, changed.json()["error"]["code"]) == (422, "not_on_positive_list")
    assert client.get(f"/api/v1/products/{product_id}").json()["hs_code"] == "1704900000"


def test_a_merchant_cannot_touch_another_exhibitors_product(client, login_as, app_context):
    # given a French product and a Russian merchant
    place = expo(app_context.db)
    serum_id = product(app_context.db, place.operator, SERUM, exhibitor_id=place.cosmetics_house)
    russian = login_as("merchant", exhibitor_id=place.candy_maker)
    # when the Russian merchant tries the French product by its id
    update = client.put(
        f"/api/v1/products/{serum_id}", headers=russian, json=body(SERUM, name_en="Mine now")
    )
    stock = client.put(
        f"/api/v1/products/{serum_id}/stock/{place.bonded}", headers=russian, json={"on_hand": 1}
    )
    levels = client.get(f"/api/v1/products/{serum_id}/stock", headers=russian)
    # then it looks exactly like a product that does not exist (404, nothing leaks)
    missing = client.put("/api/v1/products/424242", headers=russian, json=body(SERUM))
    for answer in (update, stock, levels, missing):
        assert (answer.status_code, answer.json()["error"]["code"]) == (404, "product_not_found")
    assert client.get(f"/api/v1/products/{serum_id}").json()["name_en"] == "Serum, 30 ml"


def test_a_merchant_lists_only_for_their_own_exhibitor(client, login_as, app_context):
    place = expo(app_context.db)
    russian = login_as("merchant", exhibitor_id=place.candy_maker)
    answer = client.post(
        "/api/v1/products", headers=russian, json=body(CANDY, exhibitor_id=place.cosmetics_house)
    )
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "not_your_exhibitor")


def test_an_operator_lists_for_a_named_exhibitor(client, login_as, app_context):
    place = expo(app_context.db)
    operator = login_as("operator")
    without = client.post("/api/v1/products", headers=operator, json=body(CANDY))
    made = client.post(
        "/api/v1/products", headers=operator, json=body(CANDY, exhibitor_id=place.candy_maker)
    )
    assert (without.status_code, without.json()["error"]["code"]) == (422, "exhibitor_required")
    assert (made.status_code, made.json()["exhibitor_id"]) == (201, place.candy_maker)


def test_an_update_reprices_at_the_current_rate_and_keeps_the_sku_unique(
    client, login_as, app_context
):
    place = expo(app_context.db)
    merchant = login_as("merchant", exhibitor_id=place.candy_maker)
    operator = login_as("operator")
    first = client.post("/api/v1/products", headers=merchant, json=body(CANDY)).json()
    second = client.post("/api/v1/products", headers=merchant, json=body(CANDY, sku="RU-2")).json()
    assert (
        client.put("/api/v1/fx-rates/RUB", headers=operator, json={"rate_cny": "0.09"}).status_code
        == 200
    )
    repriced = client.put(
        f"/api/v1/products/{first['id']}", headers=merchant, json=body(CANDY, name_en="Korovka")
    )
    clash = client.put(f"/api/v1/products/{second['id']}", headers=merchant, json=body(CANDY))
    again = client.post("/api/v1/products", headers=merchant, json=body(CANDY))
    assert (
        repriced.json()["price_cny"],
        repriced.json()["fx_rate"],
        repriced.json()["name_en"],
    ) == ("54.00", "0.09000000", "Korovka")
    assert (clash.status_code, clash.json()["error"]["code"]) == (409, "sku_taken")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "sku_taken")


def test_a_price_in_a_currency_without_a_rate_is_refused(client, login_as, app_context):
    place = expo(app_context.db)
    merchant = login_as("merchant", exhibitor_id=place.candy_maker)
    answer = client.post(
        "/api/v1/products", headers=merchant, json=body(CANDY, original_currency="USD")
    )
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "fx_rate_missing")
    assert answer.json()["error"]["details"] == {"currency": "USD"}


def test_products_filter_by_pavilion_country_and_show_lineup(client, login_as, app_context):
    place = expo(app_context.db)
    candy = product(app_context.db, place.operator, CANDY, exhibitor_id=place.candy_maker)
    serum = product(app_context.db, place.operator, SERUM, exhibitor_id=place.cosmetics_house)
    other = product(
        app_context.db, place.operator, CANDY, exhibitor_id=place.candy_maker, sku="RU-2"
    )
    host = login_as("host")
    host_id = int(host["X-User-Id"])
    show = client.post(
        "/api/v1/shows",
        headers=login_as("operator"),
        json={
            "title": "糖果之夜",
            "title_en": "Candy night",
            "scheduled_start": "2026-11-05T12:00:00Z",
            "scheduled_end": "2026-11-05T14:00:00Z",
            "main_host": {"user_id": host_id, "role_label": "主播", "role_label_en": "Host"},
        },
    ).json()
    client.put(
        f"/api/v1/shows/{show['id']}/lineup", headers=host, json={"product_ids": [serum, candy]}
    )

    def ids(query: str) -> list[int]:
        return [p["id"] for p in client.get(f"/api/v1/products{query}").json()]

    assert ids("") == [candy, other, serum]
    assert ids(f"?pavilion_id={place.france}") == [serum]
    assert ids("?country=344") == [candy, other]
    assert ids(f"?exhibitor_id={place.candy_maker}&limit=1&offset=1") == [other]
    assert ids(f"?show_id={show['id']}") == [serum, candy]
    assert ids(f"?show_id={show['id']}&country=344") == [candy]
    assert client.get("/api/v1/products?show_id=999").json()["error"]["code"] == "show_not_found"


def test_public_lists_need_no_account_and_changes_need_the_right_role(
    client, login_as, app_context
):
    expo(app_context.db)
    pavilions = client.get("/api/v1/pavilions").json()
    assert [(p["country_code"], p["name_en"], p["country_name_zh"]) for p in pavilions] == [
        ("344", "Russian Federation Pavilion", "俄罗斯联邦"),
        ("305", "France Pavilion", "法国"),
    ]
    assert [e["name_en"] for e in client.get("/api/v1/exhibitors?country=305").json()] == [
        "Maison Lumiere"
    ]
    assert [(r["currency"], r["rate_cny"]) for r in client.get("/api/v1/fx-rates").json()] == [
        ("EUR", "7.80000000"),
        ("RUB", "0.08000000"),
    ]
    assert client.get("/api/v1/warehouses").status_code == 401
    assert (
        client.post(
            "/api/v1/pavilions",
            headers=login_as("merchant", exhibitor_id=1),
            json={"country_code": "116"},
        ).status_code
        == 403
    )
    assert (
        client.post("/api/v1/products", headers=login_as("buyer"), json=body(CANDY)).status_code
        == 403
    )


def test_an_operator_sets_up_pavilions_exhibitors_and_warehouses(client, login_as):
    operator = login_as("operator")
    japan = client.post(
        "/api/v1/pavilions", headers=operator, json={"country_code": "116", "hall": "Hall 2"}
    )
    twice = client.post("/api/v1/pavilions", headers=operator, json={"country_code": "116"})
    china = client.post("/api/v1/pavilions", headers=operator, json={"country_code": "142"})
    maker = client.post(
        "/api/v1/exhibitors",
        headers=operator,
        json={
            "pavilion_id": japan.json()["id"],
            "name_zh": "樱花肌研",
            "name_en": "Sakura Skin Lab",
            "customs_code": "3101960J01",
            "customs_name": "樱花肌研贸易(上海)有限公司",
            "country_code": "116",
        },
    )
    elsewhere = client.post(
        "/api/v1/exhibitors",
        headers=operator,
        json={
            "pavilion_id": japan.json()["id"],
            "name_zh": "x",
            "name_en": "x",
            "customs_code": "X1",
            "customs_name": "x",
            "country_code": "133",
        },
    )
    bonded_abroad = client.post(
        "/api/v1/warehouses",
        headers=operator,
        json={
            "code": "B-2",
            "name_zh": "仓",
            "name_en": "W",
            "kind": "bonded",
            "country_code": "116",
        },
    )
    assert (japan.status_code, japan.json()["name_zh"], japan.json()["hall"]) == (
        201,
        "日本馆",
        "Hall 2",
    )
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "pavilion_exists")
    assert (china.status_code, china.json()["error"]["code"]) == (422, "unknown_country")
    assert (maker.status_code, maker.json()["country_code"], maker.json()["customs_code"]) == (
        201,
        "116",
        "3101960J01",
    )
    assert (elsewhere.status_code, elsewhere.json()["error"]["code"]) == (422, "country_mismatch")
    assert (bonded_abroad.status_code, bonded_abroad.json()["error"]["code"]) == (
        422,
        "country_mismatch",
    )
    actions = [e["action"] for e in client.get("/api/v1/audit", headers=operator).json()]
    assert actions == ["exhibitor.create", "pavilion.create"]


def test_catalog_text_with_control_characters_is_a_validation_error(client, login_as, app_context):
    place = expo(app_context.db)
    merchant = login_as("merchant", exhibitor_id=place.candy_maker)
    answer = client.post(
        "/api/v1/products", headers=merchant, json=body(CANDY, name_en="Toffee\x00")
    )
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "validation_error")


def test_fx_rates_keep_their_history_and_list_the_newest(client, login_as, app_context):
    operator = login_as("operator")
    client.put("/api/v1/fx-rates/USD", headers=operator, json={"rate_cny": "7.1"})
    client.put("/api/v1/fx-rates/USD", headers=operator, json={"rate_cny": "7.12345678"})
    cny = client.put("/api/v1/fx-rates/CNY", headers=operator, json={"rate_cny": "1"})
    assert [
        (r["currency"], Decimal(r["rate_cny"])) for r in client.get("/api/v1/fx-rates").json()
    ] == [("USD", Decimal("7.12345678"))]
    assert (cny.status_code, cny.json()["error"]["code"]) == (422, "invalid_currency")
