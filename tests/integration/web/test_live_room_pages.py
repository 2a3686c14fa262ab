"""The viewer room's product bag and the host console, as the server renders them: each
product's provenance (flag, exhibitor, pavilion, bonded or direct mail, HS line) in the
room, and the line-up and drops with their controls in the console, in both languages."""
from __future__ import annotations

import pytest

from liveport.catalog.services import set_stock
from tests.integration.catalog.catalog_support import SHIPPED_LIST
from tests.integration.media.media_support import Stage, bearer, stage


@pytest.fixture
def cast(app_context) -> Stage:
    return stage(app_context.db)


def test_the_room_shows_each_products_provenance(client, app_context, cast):
    set_stock(app_context.db, cast.operator, cast.candy, cast.bonded, 12, positive_list=SHIPPED_LIST)
    en = client.get(f"/shows/{cast.show_id}/room?lang=en").text
    zh = client.get(f"/shows/{cast.show_id}/room?lang=zh").text
    candy = en[en.index(f'id="bag-{cast.candy}"'):en.index(f'id="bag-{cast.serum}"')]
    serum = en[en.index(f'id="bag-{cast.serum}"'):]
    assert 'data-available="12"' in candy and "12 available" in candy
    assert "\U0001F1F7\U0001F1FA" in candy and "Russian Federation" in candy
    assert "From the bonded warehouse (1210)" in candy and "1704900000" in candy
    assert "Out of stock" in serum and "\U0001F1EB\U0001F1F7" in serum
    assert "保税仓发货（1210）" in zh and "本场商品袋" in zh
    assert '<script src="/static/js/room_shop.js" defer></script>' in en


def test_the_console_lists_the_lineup_and_the_drops_controls(client, app_context, cast):
    headers = bearer(app_context.db, app_context.settings, cast.host)
    page = client.get(f"/shows/{cast.show_id}/host?lang=en", headers=headers)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert f'id="lineup-{cast.candy}"' in page.text and f'id="lineup-{cast.serum}"' in page.text
    assert 'aria-label="Pin Serum, 30 ml"' in page.text
    assert "No flash sales set up for this show yet." in page.text
    assert "主播控制台" in client.get(f"/shows/{cast.show_id}/host?lang=zh", headers=headers).text
