"""Flash-sale news in the room: the gate's stock figures reach the drop's show through the
room's publisher, and a late joiner's snapshot holds the open drops with their stock."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from liveport.app import create_app
from liveport.context import AppContext
from liveport.core.settings import Settings
from liveport.realtime.domain import RoomRules
from liveport.realtime.lifecycle import PUBLISHER_KEY, RULES_KEY
from liveport.realtime.publisher import DropNewsPublisher
from liveport.realtime.room import ROOM_KEY
from tests.integration.flashsale.drops_support import claim, drop_body, verified_buyer, world
from tests.integration.realtime.room_support import Socket


@pytest.fixture
def room_client(settings: Settings, app_context: AppContext) -> Iterator[TestClient]:
    app_context.extras[RULES_KEY] = RoomRules(like_flush_s=0.05, presence_every_s=0.1)
    with TestClient(create_app(settings, context=app_context)) as client:
        yield client


def test_the_flash_sale_tells_the_room_through_the_rooms_publisher(room_client, app_context, login_as):
    # given a show's room with a viewer, and a drop of the show opened by its host
    w = world(app_context.db, login_as)
    assert isinstance(app_context.extras[PUBLISHER_KEY], DropNewsPublisher)
    drop = room_client.post("/api/v1/drops", headers=w.host, json=drop_body(w, quantity=3, per_buyer_limit=3)).json()
    room_client.post(f"/api/v1/drops/{drop['id']}/open", headers=w.host, json={})
    with room_client.websocket_connect(f"/ws/shows/{w.show_id}") as raw:
        viewer = Socket(raw)
        snapshot = viewer.next()
        # when buyers claim it to the last unit
        buyer = verified_buyer(app_context.db, login_as)
        assert claim(room_client, buyer, drop["id"], qty=1).status_code == 201
        stock = viewer.until("drop.stock")
        assert claim(room_client, buyer, drop["id"], qty=2).status_code == 201
        sold_out = viewer.until("drop.sold_out")
    # then the room heard it, on the drop's show
    [listed] = snapshot["data"]["drops"]
    assert listed["sales_start_at"].endswith("Z")
    assert {k: v for k, v in listed.items() if k != "sales_start_at"} == {
        "drop_id": drop["id"], "state": "open", "product_id": w.product_id, "price": "59.90",
        "currency": "CNY", "quantity": 3, "per_buyer_limit": 3, "on_sale": 3, "closes_at": None}
    assert stock["data"] == {"drop_id": drop["id"], "on_sale": 2}
    assert sold_out["data"] == {"drop_id": drop["id"]}
    later = room_client.get(f"/api/v1/shows/{w.show_id}/room").json()
    assert later["drops"][0]["on_sale"] == 0


def test_news_of_an_unknown_drop_or_of_another_kind_goes_nowhere(room_client, app_context, login_as):
    w = world(app_context.db, login_as)
    publisher: DropNewsPublisher = app_context.extras[PUBLISHER_KEY]
    room = app_context.extras[ROOM_KEY]
    portal_calls: list[Any] = []

    async def scenario() -> int:
        publisher.publish(999_999, "drop.stock", {"on_sale": 1})
        publisher.publish(1, "chat.message", {"text": "not from the gate"})
        await publisher.drain()
        portal_calls.append(True)
        return await room.broker.current_seq(f"show:{w.show_id}")

    seq = room_client.portal.call(scenario)  # type: ignore[attr-defined]
    assert seq == 0 and portal_calls == [True]


def test_the_purchase_ticker_masks_the_buyer(room_client, app_context, login_as):
    w = world(app_context.db, login_as)
    room = app_context.extras[ROOM_KEY]
    with room_client.websocket_connect(f"/ws/shows/{w.show_id}") as raw:
        viewer = Socket(raw)
        viewer.next()

        async def buy() -> int:
            return await room.publish_purchase(w.show_id, display_name="王小明", city="上海",
                                               product_id=w.product_id, product_name="小牛奶糖",
                                               product_name_en="Korovka candies", qty=2)

        room_client.portal.call(buy)  # type: ignore[attr-defined]
        ticker = viewer.until("ticker.purchase")
    assert ticker["data"] == {"buyer": "王**", "city": "上海", "product_id": w.product_id,
                              "product_name": "小牛奶糖", "product_name_en": "Korovka candies", "qty": 2}
    assert asyncio.iscoroutinefunction(room.publish_purchase)
