"""A buyer's address book: several addresses, one default, masked phones, clear refusals."""
from __future__ import annotations

ADDRESS = {"name": "王小明", "phone": "+86 138-0013-8000", "address": "上海市浦东新区世纪大道 100 号",
           "district_code": "310115"}


def test_a_buyer_keeps_several_addresses_with_one_default(client, login_as):
    buyer = login_as("buyer")
    first = client.post("/api/v1/me/consignees", headers=buyer, json=ADDRESS).json()
    second = client.post("/api/v1/me/consignees", headers=buyer,
                         json={**ADDRESS, "name": "Anna Petrova", "is_default": True}).json()
    listed = client.get("/api/v1/me/consignees", headers=buyer).json()
    assert [(c["id"], c["is_default"]) for c in listed] == [(second["id"], True), (first["id"], False)]
    assert first["phone"] == "138****8000"
    assert client.delete(f"/api/v1/me/consignees/{second['id']}", headers=buyer).status_code == 204
    assert [c["id"] for c in client.get("/api/v1/me/consignees", headers=buyer).json()] == [first["id"]]


def test_another_buyers_address_cannot_be_deleted(client, login_as):
    owner, other = login_as("buyer"), login_as("buyer")
    made = client.post("/api/v1/me/consignees", headers=owner, json=ADDRESS).json()
    answer = client.delete(f"/api/v1/me/consignees/{made['id']}", headers=other)
    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "consignee_not_found")


def test_bad_addresses_are_refused_with_their_codes(client, login_as):
    buyer = login_as("buyer")
    cases = {"invalid_district_code": {**ADDRESS, "district_code": "990115"},
             "invalid_phone": {**ADDRESS, "phone": "12345"},
             "invalid_address": {**ADDRESS, "address": "x"},
             "invalid_name": {**ADDRESS, "name": "1"}}
    for code, body in cases.items():
        answer = client.post("/api/v1/me/consignees", headers=buyer, json=body)
        assert (answer.status_code, answer.json()["error"]["code"]) == (422, code)
    assert client.get("/api/v1/me/consignees", headers=buyer).json() == []
