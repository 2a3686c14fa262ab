"""The minimal room page: rendered for anyone, scripts only from /static, text escaped."""
from __future__ import annotations

from tests.integration.realtime.room_support import Cast


def test_the_room_page_is_public_and_loads_its_script_from_static(client, cast: Cast):
    page = client.get(f"/shows/{cast.show_id}/room")
    english = client.get(f"/shows/{cast.show_id}/room?lang=en", headers=cast.buyer.headers)
    missing = client.get("/shows/999999/room")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    html = page.text
    assert '<script src="/static/js/room.js" defer></script>' in html
    assert "<script>" not in html  # no inline script (CSP)
    assert f'data-show-id="{cast.show_id}"' in html
    assert "松子直播 · 直播间" in html and "登录后即可聊天和点赞" in html
    assert 'id="chat-form"' not in html  # anonymous: a sign-in link instead
    assert "Pine nuts, live · Live room" in english.text and 'id="chat-form"' in english.text
    assert missing.status_code == 404
    assert client.get("/static/js/room.js").headers["content-type"].startswith("text/javascript")
