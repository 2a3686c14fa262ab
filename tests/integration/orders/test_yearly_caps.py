"""The positive list's yearly quantity caps, per person per China year (sugar ≤ 2 kg)."""
from __future__ import annotations

from liveport.catalog.reference import POSITIVE_LIST_FILE
from tests.integration.orders.orders_support import basket, customer, place, shop


def _candy_capped_at_2_kg(tmp_path):
    lines = POSITIVE_LIST_FILE.read_text(encoding="utf-8").splitlines(True)
    capped = [line.replace("035,,,", "035,,2,035") if line.startswith("17049000") else line for line in lines]
    path = tmp_path / "capped.csv"
    path.write_text("".join(capped), encoding="utf-8")
    return path


def test_a_person_may_buy_up_to_the_cap_and_not_a_bag_more(client, database, login_as, settings, tmp_path):
    s = shop(database)
    client.app.state.ctx.settings = settings.model_copy(update={"positive_list_file": _candy_capped_at_2_kg(tmp_path)})
    who = customer(client, database, login_as)
    # 4 bags × 0.5 kg = exactly 2 kg
    assert place(client, who, basket((s.candy, 4))).status_code == 201
    # the same person on another account is still the same person
    again = customer(client, database, login_as, id_hash=who.id_hash)
    refused = client.post("/api/v1/checkout/quote", headers=again.headers, json=basket((s.candy, 1)))
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "yearly_cap_exceeded")
    placed = place(client, again, basket((s.candy, 1)))
    assert placed.json()["error"]["code"] == "yearly_cap_exceeded"
    # someone else is not affected
    other = customer(client, database, login_as)
    assert place(client, other, basket((s.candy, 4))).status_code == 201
