"""The room's checkout quotes a flash-sale unit at the drop's price, from its warehouse."""
from __future__ import annotations

from tests.integration.flashsale.drops_support import drop_body, verified_buyer, world


def test_a_quote_for_a_drop_uses_the_drops_price(flash_client, database, login_as):
    w = world(database, login_as, on_hand=100)
    drop = flash_client.post("/api/v1/drops", headers=w.host, json=drop_body(w, price="39.00")).json()
    buyer = verified_buyer(database, login_as)
    # when the buyer asks for a quote of one unit of the drop, and one at the list price
    at_drop = flash_client.post("/api/v1/checkout/quote", headers=buyer, json={
        "items": [{"product_id": w.product_id, "qty": 1}], "drop_id": drop["id"]})
    listed = flash_client.post("/api/v1/checkout/quote", headers=buyer, json={
        "items": [{"product_id": w.product_id, "qty": 1}]})
    # then the drop's quote is priced at 39.00 from the drop's warehouse, the other is not
    assert at_drop.status_code == 200, at_drop.text
    assert (at_drop.json()["goods_value"], at_drop.json()["lines"][0]["unit_price"],
            at_drop.json()["warehouse_kind"]) == ("39.00", "39.00", "bonded")
    assert listed.json()["goods_value"] != "39.00"


def test_a_drop_quote_names_only_the_drops_product(flash_client, database, login_as):
    w = world(database, login_as, on_hand=100)
    drop = flash_client.post("/api/v1/drops", headers=w.host, json=drop_body(w)).json()
    two = flash_client.post("/api/v1/checkout/quote", json={
        "items": [{"product_id": w.product_id, "qty": 1}, {"sku": "OTHER", "qty": 1}], "drop_id": drop["id"]})
    missing = flash_client.post("/api/v1/checkout/quote", json={
        "items": [{"product_id": w.product_id, "qty": 1}], "drop_id": 999_999})
    assert (two.status_code, two.json()["error"]["code"]) == (422, "drop_item_mismatch")
    assert missing.status_code == 404
