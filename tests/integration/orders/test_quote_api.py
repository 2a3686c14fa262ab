"""POST /api/v1/checkout/quote: exact amounts, every refusal with its code, nothing created."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from liveport.catalog.reference import POSITIVE_LIST_FILE
from tests.integration.catalog.catalog_support import SERUM, expo, product
from tests.integration.orders.orders_support import basket, customer, order_count, shop, stock_of


def test_an_anonymous_quote_gives_the_exact_tax_and_creates_nothing(client, database):
    s = shop(database)
    answer = client.post("/api/v1/checkout/quote", json=basket((s.candy, 2)))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    # candy ¥48.00 × 2 + freight ¥10 = base ¥106; VAT 13% × 70% = 9.646 → 9.65
    assert (body["goods_value"], body["freight"], body["tax_total"], body["actural_paid"]) == (
        "96.00", "10.00", "9.65", "115.65")
    assert body["regime"] == "cbec"
    assert body["trade_mode"] == "1210"
    assert body["remaining_quota"] is None
    assert [(ln["sku"], ln["qty"], ln["vat"], ln["consumption_tax"]) for ln in body["lines"]] == [
        ("RU-KOROVKA-500", 2, "9.65", "0.00")]
    assert stock_of(database, s.candy, s.bonded) == (100, 0)
    assert order_count(database) == 0


def test_a_verified_buyer_sees_the_quota_left_before_and_after(client, database, login_as):
    s = shop(database)
    who = customer(client, database, login_as)
    body = client.post("/api/v1/checkout/quote", headers=who.headers,
                       json=basket((s.candy, 2), consignee_id=who.consignee_id)).json()
    assert (body["remaining_quota"], body["quota_after_order"]) == ("26000.00", "25894.00")


def test_two_units_over_the_order_limit_are_refused_with_a_split(client, database):
    s = shop(database)
    answer = client.post("/api/v1/checkout/quote", json=basket((s.serum, 12)))
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "order_limit_exceeded"
    split = error["details"]["split"]
    assert sum(qty for group in split for _sku, qty in group) == 12
    assert all(len(group) >= 1 for group in split) and len(split) == 2


def test_the_refusal_is_in_chinese_when_the_buyer_reads_chinese(client, database):
    s = shop(database)
    english = client.post("/api/v1/checkout/quote", json=basket((s.serum, 12))).json()["error"]["message"]
    chinese = client.post("/api/v1/checkout/quote", json=basket((s.serum, 12)),
                          headers={"Accept-Language": "zh-CN,zh;q=0.9"}).json()["error"]["message"]
    assert english != chinese
    assert "5,000" in english or "5000" in english
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese)


def test_one_unit_above_the_limit_pays_full_tax(client, database):
    place = expo(database)
    gold = product(database, place.operator, replace(SERUM, sku="FR-GOLD-30", original_amount=Decimal(700)),
                   exhibitor_id=place.cosmetics_house)
    from liveport.catalog.services import set_stock
    from tests.integration.catalog.catalog_support import SHIPPED_LIST
    set_stock(database, place.operator, gold, place.bonded, 5, positive_list=SHIPPED_LIST)
    body = client.post("/api/v1/checkout/quote", json=basket((gold, 1))).json()
    # ¥5,460 + ¥10 freight, no relief: CT 5470×0.15/0.85 = 965.29, VAT (5470+965.29…)×13% = 836.59
    assert (body["regime"], body["tax_total"], body["actural_paid"]) == ("full_tax", "1801.88", "7271.88")
    two = client.post("/api/v1/checkout/quote", json=basket((gold, 2)))
    assert two.json()["error"]["code"] == "order_limit_exceeded"


def test_goods_no_longer_on_the_positive_list_are_refused(client, database, settings, tmp_path):
    s = shop(database)
    trimmed = tmp_path / "list.csv"
    trimmed.write_text("".join(line for line in POSITIVE_LIST_FILE.read_text(encoding="utf-8").splitlines(True)
                               if not line.startswith("17049000")), encoding="utf-8")
    client.app.state.ctx.settings = settings.model_copy(update={"positive_list_file": trimmed})
    answer = client.post("/api/v1/checkout/quote", json=basket((s.candy, 1)))
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "not_on_positive_list")


def test_goods_of_two_sellers_are_two_orders(client, database):
    s = shop(database)
    answer = client.post("/api/v1/checkout/quote", json=basket((s.candy, 1), (s.serum, 1)))
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "one_seller_per_order")


def test_bad_input_gets_a_clear_code(client, database):
    s = shop(database)
    cases = {
        "invalid_freight": basket((s.candy, 1), freight="-1"),
        "validation_error": {"items": [], "freight": "0"},
        "unknown_product": {"items": [{"sku": "NOPE", "qty": 1}], "freight": "0"},
        "out_of_stock": basket((s.candy, 101)),
    }
    for code, body in cases.items():
        answer = client.post("/api/v1/checkout/quote", json=body)
        assert answer.status_code in (409, 422), (code, answer.text)
        assert answer.json()["error"]["code"] == code
    many = client.post("/api/v1/checkout/quote", json=basket((s.candy, 1), freight="1.001"))
    assert many.json()["error"]["code"] == "invalid_freight"


def test_a_quote_with_someone_elses_address_is_refused(client, database, login_as):
    s = shop(database)
    mine, theirs = customer(client, database, login_as), customer(client, database, login_as)
    answer = client.post("/api/v1/checkout/quote", headers=mine.headers,
                         json=basket((s.candy, 1), consignee_id=theirs.consignee_id))
    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "consignee_not_found")
