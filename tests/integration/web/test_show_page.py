from __future__ import annotations

from liveport.demo.seed import seed_demo_night
from liveport.shows.services import get_show, list_shows


def test_show_page_lists_hosts_and_lineup_with_origin_and_price(client, app_context):
    # given the demo night
    seed_demo_night(app_context, password="demo-password-1")
    live = list_shows(app_context.db)[0]
    detail = get_show(app_context.db, live.id)
    first = detail.lineup[0]
    # when a viewer opens the live show's page in English
    page = client.get(f"/shows/{live.id}?lang=en")
    # then the hosts and every product of the lineup are there, in lineup order
    assert page.status_code == 200
    html = page.text
    assert live.title_en in html
    assert "Ambassador of Afghanistan" in html
    positions = [html.index(f'id="product-{item.product_id}"') for item in detail.lineup]
    assert positions == sorted(positions)
    assert len(positions) == live.product_count
    assert first.name_en in html


def test_show_page_in_chinese_names_the_origin_country_in_chinese(client, app_context):
    seed_demo_night(app_context, password="demo-password-1")
    live = list_shows(app_context.db)[0]
    html = client.get(f"/shows/{live.id}?lang=zh").text
    assert "原产地" in html
    assert "阿富汗" in html


def test_unknown_show_is_404(client):
    answer = client.get("/shows/424242")
    assert answer.status_code == 404
