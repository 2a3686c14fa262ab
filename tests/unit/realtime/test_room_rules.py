from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from liveport.core.errors import ValidationFailed
from liveport.realtime.domain import (
    ActiveSanction,
    ChatRefused,
    RoomRules,
    RoomState,
    SanctionKind,
    clean_chat_text,
    counter_body_parts,
    event_body,
    event_ts,
    find_blocked_word,
    frame,
    is_gap,
    like_taps,
    mask_buyer,
    normalise_blocked_word,
    reply,
    sanction_end,
    seq_of,
    snapshot_frame,
    snapshot_head,
    standing_of,
    ticker_data,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_an_event_is_serialized_once_and_prefixed_with_its_seq():
    body = event_body("chat.message", {"id": 1, "text": "你好"}, event_ts(NOW))
    raw = frame(42, body)
    assert orjson.loads(raw) == {"v": 1, "seq": 42, "ts": "2026-11-26T12:00:00.000000Z",
                                 "type": "chat.message", "data": {"id": 1, "text": "你好"}}
    assert seq_of(raw) == 42
    assert b"\n" not in frame(1, event_body("chat.message", {"text": "a\nb"}, event_ts(NOW)))


def test_a_counter_body_is_split_around_its_number():
    before, after = counter_body_parts("like.total", "total", event_ts(NOW))
    assert orjson.loads(frame(7, before + b"123" + after))["data"] == {"total": 123}


def test_a_reply_stands_outside_the_sequence():
    assert orjson.loads(reply(event_ts(NOW), {"ok": True}))["seq"] is None


def test_a_gap_is_a_seq_that_skips_ahead():
    assert [is_gap(0, 9), is_gap(4, 5), is_gap(4, 6), is_gap(4, 4)] == [False, False, True, False]


def test_the_room_state_applies_events_idempotently():
    state = RoomState()
    state.apply(1, "chat.message", {"id": 1, "text": "a"})
    state.apply(2, "chat.message", {"id": 2, "text": "b"})
    state.apply(2, "chat.message", {"id": 2, "text": "b"})  # already in a snapshot
    state.apply(3, "chat.removed", {"ids": [1]})
    state.apply(4, "like.total", {"total": 30})
    state.apply(5, "like.total", {"total": 20})  # an older total never goes back
    state.apply(6, "pin.set", {"product_id": 9})
    state.apply(7, "drop.countdown", {"drop_id": 3, "sales_start_at": "t"})
    state.apply(8, "drop.opened", {"drop_id": 3})
    state.apply(9, "drop.stock", {"drop_id": 3, "on_sale": 12})
    state.apply(10, "drop.opened", {"drop_id": 4})
    state.apply(11, "drop.sold_out", {"drop_id": 4})
    state.apply(12, "drop.closed", {"drop_id": 5})
    state.apply(13, "viewers.count", {"count": 8})
    assert state.seq == 13
    assert state.snapshot_data() == {
        "pinned": {"product_id": 9},
        "drops": [{"drop_id": 3, "state": "open", "sales_start_at": "t", "on_sale": 12},
                  {"drop_id": 4, "state": "open", "on_sale": 0}],
        "likes": 30, "viewers": 8, "chat": [{"id": 2, "text": "b"}]}
    state.apply(14, "pin.cleared", {})
    state.apply(15, "drop.closed", {"drop_id": 3})
    assert (state.pinned, sorted(state.drops)) == (None, [4])


def test_the_room_keeps_the_last_50_chat_messages():
    state = RoomState()
    for n in range(1, 61):
        state.apply(n, "chat.message", {"id": n})
    assert [m["id"] for m in state.chat] == list(range(11, 61))


def test_a_snapshot_frame_is_shared_but_for_its_you_part():
    state = RoomState(seq=5, likes=3)
    head = snapshot_head(state, event_ts(NOW))
    mine = orjson.loads(snapshot_frame(head, {"signed_in": False}))
    assert (mine["seq"], mine["type"], mine["data"]["likes"], mine["data"]["you"]) == \
        (5, "snapshot", 3, {"signed_in": False})


def test_chat_text_is_one_clean_line_of_limited_length():
    assert clean_chat_text("  hi\u200b there\n\n\tyou\u202e  ", 200) == "hi there you"
    assert clean_chat_text("<script>alert(1)</script>", 200) == "<script>alert(1)</script>"
    for text, code in ((" \u200b\u200f ", "chat_empty"), ("长" * 201, "chat_too_long"), (None, "chat_invalid")):
        with pytest.raises(ChatRefused) as refused:
            clean_chat_text(text, 200)  # type: ignore[arg-type]
        assert refused.value.code == code
    assert clean_chat_text("长" * 200, 200) == "长" * 200


@pytest.mark.parametrize(("text", "hit"), [
    ("cheap SPAM here", "spam"),
    ("ｓｐａｍ", "spam"),  # full-width letters
    ("s p a m", "spam"),  # spelled out
    ("s.p.a.m!", "spam"),
    ("spammer", None),  # Latin words match whole words only
    ("first class", None),  # no Scunthorpe problem for "ass"
    ("这是假货吗", "假货"),  # Chinese matches anywhere
    ("这是假 货吗", "假货"),  # spacing does not help
    ("真货", None),
])
def test_blocked_words(text, hit):
    words = [normalise_blocked_word(w) for w in ("Spam", "ass", "假货")]
    assert find_blocked_word(text, words) == hit


def test_a_blocked_word_needs_letters_or_digits():
    assert normalise_blocked_word(" Ｆａｋｅ-Goods ") == "fakegoods"
    with pytest.raises(ValidationFailed):
        normalise_blocked_word("!!!")


def test_like_batches_are_whole_and_capped():
    rules = RoomRules(max_like_taps=100)
    assert [like_taps(v, rules) for v in (1, 40, 500, 0, -3, True, 2.5, "3")] == [1, 40, 100, 0, 0, 0, 0, 0]


def test_a_sanction_binds_the_account_and_the_persons_other_accounts():
    later = NOW + timedelta(minutes=10)
    sanctions = [
        ActiveSanction(SanctionKind.MUTE, 1, frozenset({"h1"}), later),
        ActiveSanction(SanctionKind.BAN, 2, frozenset({"h2"}), None),
        ActiveSanction(SanctionKind.MUTE, 3, frozenset(), NOW - timedelta(seconds=1)),  # over
    ]
    assert standing_of(sanctions, 1, None, NOW).muted_until == later
    assert standing_of(sanctions, 7, "h1", NOW).muted(NOW)  # another account, same person
    assert standing_of(sanctions, 8, "h2", NOW).banned
    assert not standing_of(sanctions, 3, None, NOW).muted(NOW)
    assert standing_of(sanctions, 9, None, NOW) == standing_of([], 9, None, NOW)


def test_sanction_lengths():
    rules = RoomRules(max_mute_minutes=60)
    assert sanction_end(NOW, 5, rules) == NOW + timedelta(minutes=5)
    assert sanction_end(NOW, None, rules) is None
    with pytest.raises(ValidationFailed):
        sanction_end(NOW, 61, rules)


def test_the_purchase_ticker_masks_the_buyer():
    assert [mask_buyer(n) for n in ("王小明", "Anna", "李", " ")] == ["王**", "A***", "李**", "***"]
    assert ticker_data("王小明", " 上海 ", 5, "松子", "Pine nuts", 2) == {
        "buyer": "王**", "city": "上海", "product_id": 5, "product_name": "松子",
        "product_name_en": "Pine nuts", "qty": 2}
