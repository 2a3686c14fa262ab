from __future__ import annotations

from datetime import timedelta

from liveport.accounts.domain import Role
from tests.integration.web.web_support import account, expo_night, show


def test_landing_lists_the_live_show_first(client, app_context):
    # given an ended show, one coming up and one that is live
    expo_night(app_context.db)
    # when a visitor opens the landing page in Chinese
    page = client.get("/?lang=zh")
    # then the live show leads, then the coming one, then the past one
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    html = page.text
    assert html.index("阿富汗松子直播") < html.index("俄罗斯糖果专场") < html.index("昨日回放")
    assert html.count('class="status status--live">直播中</p>') == 1
    assert html.count('class="status status--scheduled">即将开播</p>') == 1
    assert "Ahmad Karimi <span class=\"role\">· 阿富汗驻华大使</span>" in html
    assert "0 件商品" in html


def test_landing_in_english_uses_the_english_titles_and_labels(client, app_context):
    expo_night(app_context.db)
    html = client.get("/?lang=en").text
    assert html.index("Afghan pine nuts, live") < html.index("Russian candy night")
    assert "Ahmad Karimi <span class=\"role\">· Ambassador of Afghanistan</span>" in html
    assert ">Live</p>" in html
    assert "0 products" in html
    assert "<title>Live now and coming up · Liveport</title>" in html


def test_landing_without_shows_says_so(client):
    html = client.get("/?lang=en").text
    assert "No shows are scheduled yet." in html


def test_language_switch_changes_text_and_is_remembered(client):
    # given a visitor on the default (Chinese) page
    first = client.get("/")
    # when they switch to English, then come back without the switch
    switched = client.get("/?lang=en")
    later = client.get("/")
    # and switch back to Chinese
    back = client.get("/?lang=zh")
    # then
    assert '<html lang="zh-CN">' in first.text
    assert "正在直播与即将开播" in first.text
    assert '<html lang="en">' in switched.text
    assert "Live now and coming up" in switched.text
    assert switched.headers["set-cookie"] == "lang=en; Max-Age=31536000; Path=/; SameSite=lax"
    assert "Live now and coming up" in later.text
    assert "正在直播与即将开播" in back.text
    assert client.cookies.get("lang") == "zh"


def test_browser_language_applies_until_the_visitor_switches(client):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9,zh-CN;q=0.5"})
    assert "Live now and coming up" in page.text
    assert "set-cookie" not in page.headers


def test_unknown_language_falls_back_to_chinese_without_a_cookie(client):
    page = client.get("/?lang=xx%3Cscript%3E")
    assert "正在直播与即将开播" in page.text
    assert "set-cookie" not in page.headers
    assert "<script>" not in page.text


def test_show_titles_and_names_are_escaped_and_id_numbers_masked(client, app_context):
    # given a show whose texts carry markup and a resident ID number
    db = app_context.db
    operator = account(db, "ops@example.cn", role=Role.OPERATOR, display_name="Operator")
    host = account(db, "h@example.cn", role=Role.HOST,
                   display_name="<img src=x onerror=alert(1)> 110105194912310021")
    show(db, operator, host, title="<script>alert('x')</script>糖果", title_en="Candy",
         starts_in=timedelta(hours=1), role_label="证件 11010519491231002X",
         role_label_en="Host")
    # when the landing page is shown
    html = client.get("/?lang=zh").text
    # then nothing is interpreted as markup and no ID number is shown whole
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;糖果" in html
    assert "<script>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; 1101**********0021" in html
    assert "证件 1101**********002X" in html
    assert "110105194912310021" not in html
    assert "11010519491231002X" not in html


def test_pages_carry_the_security_headers(client):
    page = client.get("/")
    assert page.headers["cache-control"] == "private, no-cache"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self';" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_pages_are_not_in_the_api_schema(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert [p for p in paths if not p.startswith("/api/")] == []
