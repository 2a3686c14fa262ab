from __future__ import annotations

from markupsafe import Markup

from liveport.web.rendering import environment, secure_cookies


def test_printed_text_is_escaped_and_id_numbers_are_masked():
    html = environment().from_string("<p>{{ text }}</p>").render(
        text="<script>alert(1)</script> 11010519491231002X"
    )
    assert html == "<p>&lt;script&gt;alert(1)&lt;/script&gt; 1101**********002X</p>"


def test_id_numbers_are_masked_in_markup_too_without_double_escaping():
    html = environment().from_string("{{ text }}").render(text=Markup("<b>110105194912310021</b>"))
    assert html == "<b>1101**********0021</b>"


def test_longer_digit_runs_are_not_mistaken_for_id_numbers():
    html = environment().from_string("{{ n }}").render(n="order 12345678901234567890")
    assert html == "order 12345678901234567890"


def test_cookies_are_secure_only_behind_https():
    assert secure_cookies("https://live.example.cn") is True
    assert secure_cookies("http://127.0.0.1:8000") is False
    assert secure_cookies(None) is False
