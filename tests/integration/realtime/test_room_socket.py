"""The room socket end to end (in-process broker): snapshots, seq order, chat rules,
moderation through the API and the room, and who may connect."""
from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect

from liveport.accounts.domain import Role
from liveport.accounts.models import AuditEntry
from liveport.app import create_app
from liveport.context import AppContext
from liveport.core.settings import Settings
from liveport.realtime.domain import RoomRules
from liveport.realtime.lifecycle import RULES_KEY
from tests.integration.realtime.room_support import Cast, Socket

FAST = RoomRules(chat_per_window=50, like_flush_s=0.05, presence_every_s=0.1)


@pytest.fixture
def room_client(settings: Settings, app_context: AppContext) -> Iterator[TestClient]:
    app_context.extras[RULES_KEY] = FAST
    with TestClient(create_app(settings, context=app_context)) as client:
        yield client


def ws_path(show_id: int, token: str | None = None) -> str:
    return f"/ws/shows/{show_id}" + (f"?token={token}" if token else "")


def audit(cast: Cast, prefix: str = "room.") -> list[str]:
    with cast.ctx.db.reader() as session:
        return [a.action for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
                if a.action.startswith(prefix)]


def test_a_late_joiner_first_gets_a_snapshot_of_the_room(room_client, cast):
    # given a room with chat, a pinned product and likes
    with room_client.websocket_connect(ws_path(cast.show_id, cast.buyer.token)) as raw:
        buyer = Socket(raw)
        assert buyer.next()["type"] == "snapshot"
        for n in range(3):
            buyer.send({"type": "chat", "text": f"hello {n}"})
            buyer.until("chat.message")
        room_client.put(f"/api/v1/shows/{cast.show_id}/pin", headers=cast.host.headers,
                        json={"product_id": cast.lineup[1]})
        buyer.until("pin.set")
        buyer.send({"type": "like", "count": 7})
        buyer.send({"type": "like", "count": 5})
        totals = [buyer.until("like.total")["data"]["total"]]
        while totals[-1] != 12:
            totals.append(buyer.until("like.total")["data"]["total"])
        assert totals in ([12], [7, 12])
        deadline = time.monotonic() + 5
        while room_client.get(f"/api/v1/shows/{cast.show_id}/room").json()["viewers"] < 1:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        # when someone joins late, anonymously
        with room_client.websocket_connect(ws_path(cast.show_id)) as raw_late:
            late = Socket(raw_late)
            snapshot = late.next()
    # then the first message is the snapshot, as of the latest seq
    assert snapshot["type"] == "snapshot"
    data = snapshot["data"]
    assert [m["text"] for m in data["chat"]] == ["hello 0", "hello 1", "hello 2"]
    assert data["chat"][0]["user"] == {"id": cast.buyer.id, "name": "王小明", "role": "buyer"}
    assert data["pinned"]["product_id"] == cast.lineup[1]
    assert data["likes"] == 12
    assert data["viewers"] >= 1
    assert data["drops"] == []
    assert data["you"] == {"signed_in": False, "can_chat": False, "can_like": False}
    assert snapshot["seq"] >= 5


def test_events_reach_every_viewer_once_in_seq_order(room_client, cast):
    with room_client.websocket_connect(ws_path(cast.show_id, cast.buyer.token)) as raw_a, \
            room_client.websocket_connect(ws_path(cast.show_id)) as raw_b:
        a, b = Socket(raw_a), Socket(raw_b)
        start_a, start_b = a.next()["seq"], b.next()["seq"]
        for n in range(20):
            a.send({"type": "chat", "text": f"m{n}"})
        seen: dict[str, list[tuple[int, str]]] = {"a": [], "b": []}
        for name, sock, start in (("a", a, start_a), ("b", b, start_b)):
            last = start
            while len([t for _, t in seen[name] if t.startswith("m")]) < 20:
                event = sock.next_event(skip=())
                assert event["seq"] == last + 1  # no gap, no repeat
                last = event["seq"]
                if event["type"] == "chat.message":
                    seen[name].append((event["seq"], event["data"]["text"]))
    assert [t for _, t in seen["a"]] == [f"m{n}" for n in range(20)]
    assert seen["a"] == [s for s in seen["b"] if s[0] > start_a] or seen["a"] == seen["b"]


def test_a_client_that_saw_a_gap_gets_a_fresh_snapshot_then_the_events_after_it(room_client, cast):
    with room_client.websocket_connect(ws_path(cast.show_id, cast.buyer.token)) as raw:
        sock = Socket(raw)
        sock.next()
        sock.send({"type": "chat", "text": "before"})
        chat = sock.until("chat.message")
        # when the client reports a gap
        sock.send({"type": "snapshot"})
        snapshot = sock.until("snapshot")
        sock.send({"type": "chat", "text": "after"})
        after = sock.until("chat.message")
    assert snapshot["seq"] >= chat["seq"]
    assert [m["text"] for m in snapshot["data"]["chat"]] == ["before"]
    assert snapshot["data"]["you"]["user_id"] == cast.buyer.id
    assert after["seq"] > snapshot["seq"]


def test_an_anonymous_viewer_watches_but_neither_chats_nor_likes(room_client, cast):
    with room_client.websocket_connect(ws_path(cast.show_id)) as raw:
        sock = Socket(raw)
        sock.next()
        sock.send({"type": "chat", "text": "hi", "ref": "c1"})
        chat = sock.reply()
        sock.send({"type": "like", "count": 3, "ref": "l1"})
        like = sock.reply()
    assert (chat["ok"], chat["code"], chat["ref"]) == (False, "sign_in_to_chat", "c1")
    assert (like["ok"], like["code"]) == (False, "like_refused")


def test_a_viewer_may_sign_in_with_a_first_message(room_client, cast):
    with room_client.websocket_connect(ws_path(cast.show_id)) as raw:
        sock = Socket(raw)
        sock.next()
        sock.send({"type": "auth", "token": cast.buyer.token, "ref": 1})
        # The snapshot and the sign-in answer come in either order; presence news may come too.
        arrived = [sock.next() for _ in range(2)]
        while not any(m["type"] != "snapshot" and m.get("data", {}).get("ref") == 1 for m in arrived):
            arrived.append(sock.next())
        snapshot = next(m for m in arrived if m["type"] == "snapshot")
        signed_in = next(m["data"] for m in arrived if m["type"] != "snapshot" and m.get("data", {}).get("ref") == 1)
        sock.send({"type": "chat", "text": "now I can", "ref": 2})
        posted = sock.reply()
    assert signed_in == {"ok": True, "ref": 1, "user_id": cast.buyer.id}
    assert snapshot["data"]["you"]["can_chat"] is True
    assert posted["ok"] is True


def test_chat_text_rules_length_rate_and_markup(room_client, cast, app_context):
    with room_client.websocket_connect(ws_path(cast.show_id, cast.buyer.token)) as raw:
        sock = Socket(raw)
        sock.next()
        sock.send({"type": "chat", "text": "x" * 201, "ref": 1})
        too_long = sock.reply()
        sock.send({"type": "chat", "text": " \u200b\n ", "ref": 2})
        empty = sock.reply()
        sock.send({"type": "chat", "text": "<b>hi</b>\n\tthere", "ref": 3})
        sock.reply()
        markup = sock.until("chat.message")
    assert too_long["code"] == "chat_too_long"
    assert empty["code"] == "chat_empty"
    # stored and sent as text; every page escapes it where it shows it
    assert markup["data"]["text"] == "<b>hi</b> there"


def test_a_buyer_sending_too_fast_is_refused(settings, app_context, cast):
    app_context.extras[RULES_KEY] = RoomRules(chat_per_window=3, chat_window_s=60)
    with TestClient(create_app(settings, context=app_context)) as client, \
            client.websocket_connect(ws_path(cast.show_id, cast.buyer.token)) as raw:
        sock = Socket(raw)
        sock.next()
        answers = []
        for n in range(4):
            sock.send({"type": "chat", "text": f"fast {n}", "ref": n})
            answers.append(sock.reply())
    assert [a["ok"] for a in answers] == [True, True, True, False]
    assert answers[3]["code"] == "chat_rate_limited"
    assert answers[3]["details"]["retry_after_s"] >= 1


def test_blocked_words_of_the_platform_and_of_one_show(room_client, cast):
    # given a platform-wide word (a moderator) and one for this show (its host)
    made = room_client.post("/api/v1/blocked-words", headers=cast.moderator.headers, json={"word": "Spam"})
    mine = room_client.post(f"/api/v1/shows/{cast.show_id}/blocked-words", headers=cast.host.headers,
                            json={"word": "假货"})
    assert (made.status_code, made.json()["word"]) == (201, "spam")
    assert (mine.status_code, mine.json()["show_id"]) == (201, cast.show_id)
    texts = ["buy ＳＰＡＭ now", "s p a m", "这是假 货吗", "first class nuts", "真货"]
    with room_client.websocket_connect(ws_path(cast.show_id, cast.buyer.token)) as raw, \
            room_client.websocket_connect(ws_path(cast.other_show_id, cast.buyer.token)) as raw_other:
        sock, other = Socket(raw), Socket(raw_other)
        sock.next()
        other.next()
        here = []
        for n, text in enumerate(texts):
            sock.send({"type": "chat", "text": text, "ref": n})
            here.append(sock.reply())
        other.send({"type": "chat", "text": "这是假货吗", "ref": 9})
        elsewhere = other.reply()
    assert [a.get("code") for a in here] == ["blocked_word", "blocked_word", "blocked_word", None, None]
    assert elsewhere["ok"] is True  # the show's own word applies in its room only
    assert audit(cast) == ["room.block_word", "room.block_word"]


def test_a_muted_buyer_watches_but_cannot_chat_until_the_mute_is_lifted(room_client, cast):
    with room_client.websocket_connect(ws_path(cast.show_id, cast.buyer.token)) as raw:
        sock = Socket(raw)
        sock.next()
        made = room_client.post(f"/api/v1/shows/{cast.show_id}/sanctions", headers=cast.host.headers,
                                json={"user_id": cast.buyer.id, "kind": "mute", "minutes": 10, "reason": "flood"})
        muted = sock.until("user.muted")
        sock.send({"type": "chat", "text": "can I?", "ref": 1})
        refused = sock.reply()
        listed = room_client.get(f"/api/v1/shows/{cast.show_id}/sanctions", headers=cast.moderator.headers)
        lifted = room_client.delete(f"/api/v1/shows/{cast.show_id}/sanctions/{made.json()['sanction_id']}",
                                    headers=cast.moderator.headers)
        sock.until("user.unmuted")
        sock.send({"type": "chat", "text": "thanks", "ref": 2})
        allowed = sock.reply()
    assert made.status_code == 201 and made.json()["kind"] == "mute"
    assert muted["data"]["user_id"] == cast.buyer.id and muted["data"]["until"] is not None
    assert refused["code"] == "muted"
    assert [(s["user_id"], s["kind"], s["reason"]) for s in listed.json()] == [(cast.buyer.id, "mute", "flood")]
    assert lifted.status_code == 204
    assert allowed["ok"] is True
    assert audit(cast) == ["room.mute", "room.lift"]


def test_a_ban_holds_across_reconnects_and_the_persons_other_accounts(room_client, cast):
    # given two accounts of one person (same verified identity) and a bystander
    same_person = cast.member(Role.BUYER, "second account", identity_hash=cast.buyer.principal.identity_hash)
    bystander = cast.member(Role.BUYER, "bystander", identity_hash="b" * 64)
    with room_client.websocket_connect(ws_path(cast.show_id, cast.buyer.token)) as raw_a, \
            room_client.websocket_connect(ws_path(cast.show_id, same_person.token)) as raw_b, \
            room_client.websocket_connect(ws_path(cast.show_id, bystander.token)) as raw_c, \
            room_client.websocket_connect(ws_path(cast.show_id, cast.moderator.token)) as raw_mod:
        a, b, c, mod = Socket(raw_a), Socket(raw_b), Socket(raw_c), Socket(raw_mod)
        for sock in (a, b, c, mod):
            sock.next()
        a.send({"type": "chat", "text": "spam spam", "ref": 1})
        message_id = a.reply()["id"]
        c.until("chat.message")
        # when a moderator bans the first account from inside the room
        mod.send({"type": "ban", "user_id": cast.buyer.id, "reason": "abuse", "ref": "ban"})
        assert mod.reply()["ok"] is True
        banned = c.until("user.banned")
        removed = c.until("chat.removed")
        with pytest.raises(WebSocketDisconnect) as closed_a:
            while True:
                a.next()
        with pytest.raises(WebSocketDisconnect) as closed_b:
            while True:
                b.next()
    # then both accounts' sockets were closed, and neither may come back
    assert closed_a.value.code == 4403 and closed_b.value.code == 4403
    assert banned["data"] == {"user_id": cast.buyer.id, "name": "王小明"}
    assert removed["data"] == {"ids": [message_id]}
    for token in (cast.buyer.token, same_person.token):
        with pytest.raises(WebSocketDisconnect), room_client.websocket_connect(ws_path(cast.show_id, token)):
            pass
    with room_client.websocket_connect(ws_path(cast.show_id, bystander.token)) as raw:
        assert Socket(raw).next()["type"] == "snapshot"
    snapshot = room_client.get(f"/api/v1/shows/{cast.show_id}/room").json()
    assert snapshot["chat"] == []
    assert audit(cast) == ["room.ban"]


def test_staff_cannot_be_sanctioned_and_hosts_act_only_in_their_own_shows(room_client, cast):
    on_staff = room_client.post(f"/api/v1/shows/{cast.show_id}/sanctions", headers=cast.moderator.headers,
                                json={"user_id": cast.host.id, "kind": "ban"})
    other_show = room_client.post(f"/api/v1/shows/{cast.show_id}/sanctions", headers=cast.other_host.headers,
                                  json={"user_id": cast.buyer.id, "kind": "mute"})
    everywhere = room_client.post(f"/api/v1/shows/{cast.show_id}/sanctions", headers=cast.host.headers,
                                  json={"user_id": cast.buyer.id, "kind": "ban", "everywhere": True})
    pin_elsewhere = room_client.put(f"/api/v1/shows/{cast.show_id}/pin", headers=cast.other_host.headers,
                                    json={"product_id": cast.lineup[0]})
    with room_client.websocket_connect(ws_path(cast.show_id, cast.other_host.token)) as raw:
        sock = Socket(raw)
        sock.next()
        sock.send({"type": "pin", "product_id": cast.lineup[0], "ref": 1})
        in_room = sock.reply()
    assert on_staff.json()["error"]["code"] == "cannot_sanction_staff"
    assert other_show.json()["error"]["code"] == "not_a_moderator_of_this_show"
    assert everywhere.json()["error"]["code"] == "not_a_platform_moderator"
    assert pin_elsewhere.json()["error"]["code"] == "not_a_host_of_this_show"
    assert in_room["code"] == "not_a_host_of_this_show"


def test_hosts_pin_announce_and_remove_messages_through_the_room(room_client, cast):
    with room_client.websocket_connect(ws_path(cast.show_id, cast.host.token)) as raw_host, \
            room_client.websocket_connect(ws_path(cast.show_id, cast.buyer.token)) as raw_buyer:
        host, buyer = Socket(raw_host), Socket(raw_buyer)
        host.next()
        buyer.next()
        host.send({"type": "pin", "product_id": cast.lineup[0], "stream_ms": 61_000})
        pinned = buyer.until("pin.set")
        host.send({"type": "announce", "text": "秒杀 3 分钟后开始"})
        announced = buyer.until("host.announcement")
        buyer.send({"type": "chat", "text": "oops", "ref": 1})
        message_id = buyer.reply()["id"]
        host.send({"type": "remove", "message_id": message_id})
        removed = buyer.until("chat.removed")
        host.send({"type": "unpin"})
        buyer.until("pin.cleared")
    assert (pinned["data"]["product_id"], pinned["data"]["sku"], pinned["data"]["stream_ms"]) == \
        (cast.lineup[0], "RU-KOROVKA-500", 61_000)
    assert announced["data"] == {"text": "秒杀 3 分钟后开始", "by": {"id": cast.host.id, "name": "Lin Xiao"}}
    assert removed["data"] == {"ids": [message_id]}
    assert audit(cast) == ["room.pin", "room.announce", "room.remove_message", "room.unpin"]


def test_who_may_connect(room_client, cast, app_context):
    # a token that does not verify; no such show
    with pytest.raises(WebSocketDisconnect), room_client.websocket_connect(ws_path(cast.show_id, "lp1.x.y")):
        pass
    with pytest.raises(WebSocketDisconnect), room_client.websocket_connect(ws_path(999_999)):
        pass
    # the session cookie only from our own origin (cross-site WebSocket hijacking)
    room_client.cookies.set("lp_session", cast.buyer.token)
    evil = {"origin": "https://evil.example"}
    with pytest.raises(WebSocketDisconnect), room_client.websocket_connect(ws_path(cast.show_id), headers=evil):
        pass
    with room_client.websocket_connect(ws_path(cast.show_id), headers={"origin": "http://testserver"}) as raw:
        you = Socket(raw).next()["data"]["you"]
    room_client.cookies.clear()
    # a token in the query is not ambient: any origin may use it
    with room_client.websocket_connect(ws_path(cast.show_id, cast.buyer.token),
                                       headers={"origin": "https://app.example"}) as raw:
        by_token = Socket(raw).next()["data"]["you"]
    assert you["user_id"] == by_token["user_id"] == cast.buyer.id


def test_malformed_messages_get_error_replies_and_the_socket_stays_open(room_client, cast):
    with room_client.websocket_connect(ws_path(cast.show_id, cast.buyer.token)) as raw:
        sock = Socket(raw)
        sock.next()
        sock.ws.send_text("not json")
        bad_json = sock.reply()
        sock.send({"type": "teleport", "ref": 1})
        unknown = sock.reply()
        sock.ws.send_text('{"type":"chat","text":"' + "y" * 3000 + '"}')
        too_big = sock.reply()
        sock.send({"type": "chat", "text": "still here", "ref": 2})
        fine = sock.reply()
    assert [bad_json["code"], unknown["code"], too_big["code"]] == \
        ["invalid_message", "unknown_message_type", "message_too_large"]
    assert fine["ok"] is True


def test_pins_are_kept_on_the_show_timeline_in_wall_clock_and_stream_time(room_client, cast):
    first = room_client.put(f"/api/v1/shows/{cast.show_id}/pin", headers=cast.host.headers,
                            json={"product_id": cast.lineup[0], "stream_ms": 1_000})
    time.sleep(0.01)
    room_client.put(f"/api/v1/shows/{cast.show_id}/pin", headers=cast.host.headers,
                    json={"product_id": cast.lineup[1]})
    room_client.delete(f"/api/v1/shows/{cast.show_id}/pin?stream_ms=900000", headers=cast.host.headers)
    not_in_lineup = room_client.put(f"/api/v1/shows/{cast.other_show_id}/pin", headers=cast.other_host.headers,
                                    json={"product_id": cast.lineup[0]})
    timeline = room_client.get(f"/api/v1/shows/{cast.show_id}/pins").json()
    assert first.status_code == 200
    assert [p["product_id"] for p in timeline] == cast.lineup
    one, two = timeline
    assert one["stream_start_ms"] == 1_000
    # stream time defaults to the time since the show went live (moments ago here)
    assert 0 < one["stream_end_ms"] == two["stream_start_ms"] < 60_000
    assert two["stream_end_ms"] == 900_000
    assert one["unpinned_at"] == two["pinned_at"]
    assert two["unpinned_at"] is not None
    assert not_in_lineup.json()["error"]["code"] == "product_not_in_lineup"
    assert room_client.get(f"/api/v1/shows/{cast.show_id}/room").json()["pinned"] is None
