"""GET /orders/{no} and /orders/{no}/pay: the buyer's own order with its exact amounts and
taxes, in both languages; anyone else's is the same 404 as a missing one; a visitor who is
not signed in is sent to sign in first."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update

from liveport.core.clock import utcnow
from liveport.orders.models import Order
from tests.integration.orders.orders_support import basket, customer, place, shop


def shown(html: str, css_class: str) -> list[str]:
    """The texts of the <dd class="..."> elements of that class, in page order."""
    return re.findall(rf'<dd class="{css_class}">([^<]*)</dd>', html)


def test_the_order_page_shows_the_buyers_own_order_with_exact_amounts(client, database, login_as):
    # given a buyer's order of one serum (a cosmetic: consumption tax and VAT), freight ¥20
    s = shop(database)
    who = customer(client, database, login_as)
    order = place(client, who, basket((s.serum, 1), freight="20.00")).json()
    # when they open its page in English
    page = client.get(f"/orders/{order['order_no']}?lang=en", headers=who.headers)
    # then every amount is the order's, to the fen, with each line's taxes: on the dutiable
    # ¥472.40, 70% of consumption tax 472.40 × 15/85 and of VAT 13% on goods plus that tax
    assert page.status_code == 200
    html = page.text
    assert (order["tax_total"], order["actural_paid"]) == ("108.93", "581.33")
    lines = (shown(html, "line-ct"), shown(html, "line-vat"), shown(html, "line-tax"))
    assert lines == (["¥58.36"], ["¥50.57"], ["¥108.93"])
    totals = [shown(html, name) for name in ("goods", "freight", "ct", "vat", "tax", "total")]
    assert totals == [["¥452.40"], ["¥20.00"], ["¥58.36"], ["¥50.57"], ["¥108.93"], ["¥581.33"]]
    assert "Awaiting payment" in html and "Serum" in html
    assert f'href="/orders/{order["order_no"]}/pay"' in html
    assert "/static/js/order_status.js" in html
    assert page.headers["Content-Security-Policy"].endswith("form-action 'self'")


def test_the_pay_page_offers_ecny_and_a_card_form_that_posts_to_the_acquirer(
        client, database, login_as, settings):
    s = shop(database)
    who = customer(client, database, login_as)
    order = place(client, who, basket((s.candy, 1))).json()
    page = client.get(f"/orders/{order['order_no']}/pay?lang=zh", headers=who.headers)
    assert page.status_code == 200
    html = page.text
    # candy ¥48 + freight ¥10: no consumption tax, VAT 70% × 13% × ¥58
    assert (shown(html, "goods"), shown(html, "freight"), shown(html, "ct"), shown(html, "vat"),
            shown(html, "tax"), shown(html, "total")) == (
        ["¥48.00"], ["¥10.00"], ["¥0.00"], ["¥5.28"], ["¥5.28"], ["¥63.28"])
    assert 'id="choose-ecny"' in html and 'id="choose-card"' in html and "数字人民币" in html
    for field in ("card_no", "card_expiry", "card_cvv", "holder_name", "holder_id_no"):
        assert f'<label for="{field}">' in html and f'name="{field}"' in html
    assert "不经过 Liveport" in html
    assert "/static/vendor/qrcode-generator/qrcode.js?v=" in html
    # the card form may post to the acquirer's page and nowhere else new
    acquirer = settings.base_url
    assert page.headers["Content-Security-Policy"].endswith(f"form-action 'self' {acquirer}")


def test_a_paid_order_shows_paid_instead_of_payment_choices(client, database, login_as):
    s = shop(database)
    who = customer(client, database, login_as)
    order_no = place(client, who, basket((s.candy, 1))).json()["order_no"]
    with database.transaction() as session:
        session.execute(update(Order).where(Order.order_no == order_no).values(status="paid"))
    html = client.get(f"/orders/{order_no}/pay?lang=en", headers=who.headers).text
    assert 'id="choose-ecny"' not in html and 'id="card-form"' not in html
    assert re.search(r'<section id="paid-box"[^>]*>', html).group(0).count("hidden") == 0
    order_page = client.get(f"/orders/{order_no}", headers=who.headers).text
    assert f"/orders/{order_no}/pay" not in order_page


def test_an_order_past_its_deadline_cannot_be_paid_from_the_page(client, database, login_as):
    s = shop(database)
    who = customer(client, database, login_as)
    order_no = place(client, who, basket((s.candy, 1))).json()["order_no"]
    with database.transaction() as session:
        session.execute(update(Order).where(Order.order_no == order_no)
                        .values(expires_at=utcnow() - timedelta(minutes=1)))
    html = client.get(f"/orders/{order_no}/pay?lang=en", headers=who.headers).text
    assert 'id="choose-ecny"' not in html
    assert "This order cannot be paid" in html
    assert re.search(r'<section id="closed-box"[^>]*>', html).group(0).count("hidden") == 0


def test_another_buyers_order_is_the_same_404_as_a_missing_one(client, database, login_as):
    s = shop(database)
    mine, other = customer(client, database, login_as), customer(client, database, login_as)
    order_no = place(client, mine, basket((s.candy, 1))).json()["order_no"]
    missing_no = "LP20260101000000ABCDEFGHJK"
    for path in (f"/orders/{order_no}", f"/orders/{order_no}/pay"):
        theirs = client.get(path + "?lang=en", headers=other.headers)
        nothing = client.get(path.replace(order_no, missing_no) + "?lang=en", headers=other.headers)
        assert theirs.status_code == nothing.status_code == 404
        assert theirs.headers["content-type"].startswith("text/html")
        assert theirs.text.replace(order_no, missing_no) == nothing.text
        assert "¥63.28" not in theirs.text
        assert "Order not found" in theirs.text
    operator = client.get(f"/orders/{order_no}", headers=login_as("operator"))
    assert operator.status_code == 404


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client, database, login_as):
    s = shop(database)
    who = customer(client, database, login_as)
    order_no = place(client, who, basket((s.candy, 1))).json()["order_no"]
    for path in (f"/orders/{order_no}", f"/orders/{order_no}/pay"):
        answer = client.get(path, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, f"/signin?next={path}")


def test_the_order_page_speaks_chinese_and_english(client, database, login_as):
    s = shop(database)
    who = customer(client, database, login_as)
    order_no = place(client, who, basket((s.candy, 1))).json()["order_no"]
    zh = client.get(f"/orders/{order_no}?lang=zh", headers=who.headers).text
    en = client.get(f"/orders/{order_no}?lang=en", headers=who.headers).text
    assert '<html lang="zh-CN">' in zh and "待付款" in zh and "增值税" in zh
    assert "去付款 ¥63.28" in zh
    assert '<html lang="en">' in en and "Awaiting payment" in en and "VAT" in en
    assert "Pay ¥63.28" in en
    assert "北京时间" in zh and "Beijing time" in en


def test_my_orders_links_each_order_and_the_pay_page_of_unpaid_ones(client, database, login_as):
    s = shop(database)
    who = customer(client, database, login_as)
    unpaid = place(client, who, basket((s.candy, 1))).json()["order_no"]
    paid = place(client, who, basket((s.candy, 2))).json()["order_no"]
    with database.transaction() as session:
        session.execute(update(Order).where(Order.order_no == paid).values(status="paid"))
    html = client.get("/orders?lang=en", headers=who.headers).text
    assert f'href="/orders/{unpaid}"' in html and f'href="/orders/{paid}"' in html
    assert f'href="/orders/{unpaid}/pay"' in html
    assert f'href="/orders/{paid}/pay"' not in html


def test_the_buyer_reads_why_customs_rejected_the_order(client, database, login_as):
    from liveport.core.clock import utcnow as now
    from liveport.orders.models import OrderEvent

    s = shop(database)
    who = customer(client, database, login_as)
    order_no = place(client, who, basket((s.candy, 1))).json()["order_no"]
    with database.transaction() as session:
        order = session.query(Order).filter(Order.order_no == order_no).one()
        order.status = "customs_rejected"
        session.add(OrderEvent(order_id=order.id, status="customs_rejected",
                               reason="customs rejected the inventory (621): 三单对碰失败 consignee differs", at=now()))
    html = client.get(f"/orders/{order_no}?lang=en", headers=who.headers).text
    assert "Rejected by customs" in html
    assert '<span class="reason">— customs rejected the inventory (621): 三单对碰失败 consignee differs</span>' in html
