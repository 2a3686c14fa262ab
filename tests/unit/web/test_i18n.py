from __future__ import annotations

from datetime import UTC, datetime

from liveport.web import i18n


def test_both_languages_have_the_same_message_keys():
    assert sorted(i18n.MESSAGES["zh"]) == sorted(i18n.MESSAGES["en"])


def test_both_languages_have_the_same_placeholders():
    for key, text in i18n.MESSAGES["zh"].items():
        english = i18n.MESSAGES["en"][key]
        assert sorted(_placeholders(text)) == sorted(_placeholders(english)), key


def _placeholders(text: str) -> list[str]:
    return [part.split("}")[0] for part in text.split("{")[1:]]


def test_explicit_switch_beats_cookie_account_and_browser():
    assert i18n.choose_language("en", "zh", "zh", "zh-CN") == "en"


def test_cookie_beats_account_locale_and_browser():
    assert i18n.choose_language(None, "en", "zh", "zh-CN,zh;q=0.9") == "en"


def test_account_locale_beats_browser():
    assert i18n.choose_language(None, None, "en", "zh-CN") == "en"


def test_browser_preference_is_read_by_weight():
    assert i18n.choose_language(None, None, None, "fr-FR;q=1, en-GB;q=0.5, zh;q=0.8") == "zh"


def test_unsupported_or_garbage_values_fall_back_to_chinese():
    assert i18n.choose_language("xx", "de", "<b>", "fr;q=abc, ;;;") == "zh"


def test_region_tags_map_to_their_language():
    assert i18n.supported("EN_us") == "en"
    assert i18n.supported("zh-Hant-TW") == "zh"


def test_translate_fills_placeholders_and_falls_back_to_the_key():
    assert i18n.translate("en", "show.products", count=3) == "3 products"
    assert i18n.translate("zh", "show.products", count=3) == "3 件商品"
    assert i18n.translate("en", "no.such.key") == "no.such.key"


def test_times_are_printed_in_beijing_time():
    assert i18n.china_time(datetime(2026, 11, 5, 23, 30, tzinfo=UTC)) == "2026-11-06 07:30"
    assert i18n.china_time(None) == ""
