"""Room routes: the live socket (``ws.py``), snapshots and the pin timeline (deliberately
public: what any viewer sees), pins and announcements (a host of the show or an operator),
moderation (the show's hosts, moderators, operators; platform-wide lists: moderators and
operators). The object-level half (a host of *this* show) is checked in the services."""
from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from starlette.responses import Response

from liveport.accounts.domain import Principal, Role
from liveport.accounts.guards import get_context, require, staff
from liveport.context import AppContext
from liveport.core.clock import utcnow
from liveport.core.errors import ConfigurationError
from liveport.realtime import moderation, services
from liveport.realtime.domain import SanctionKind
from liveport.realtime.room import ROOM_KEY, Room
from liveport.realtime.schemas import (
    AnnouncementIn,
    AnnouncementOut,
    BlockedWordIn,
    BlockedWordOut,
    PinIn,
    PinOut,
    PinSetOut,
    RoomSnapshotOut,
    SanctionIn,
    SanctionMadeOut,
    SanctionOut,
)
from liveport.realtime.ws import PATH, room_socket

router = APIRouter(tags=["live room"])
# The socket decides who may do what per message (see ws.py); connecting is open to all.
router.add_websocket_route(PATH, room_socket)

hosts = require(Role.HOST, Role.OPERATOR)
platform_moderators = require(Role.MODERATOR, Role.OPERATOR)
ShowId = Annotated[int, Path(ge=1, le=2_147_483_647)]
ItemId = Annotated[int, Path(ge=1, le=2_147_483_647)]
API = "/api/v1"


def room_of(ctx: AppContext = Depends(get_context)) -> Room:
    room = ctx.extras.get(ROOM_KEY)
    if room is None:
        raise ConfigurationError("The live room is not running.", code="room_not_started")
    return room


# Deliberately public: the room as a late joiner sees it.
@router.get(API + "/shows/{show_id}/room", response_model=RoomSnapshotOut)
async def room_snapshot(show_id: ShowId, room: Room = Depends(room_of)) -> RoomSnapshotOut:
    return RoomSnapshotOut.model_validate(await room.snapshot(show_id))


# Deliberately public: replay chapters.
@router.get(API + "/shows/{show_id}/pins", response_model=list[PinOut])
def pin_timeline(show_id: ShowId, ctx: AppContext = Depends(get_context)) -> list[PinOut]:
    return [PinOut.model_validate(asdict(p)) for p in services.pin_timeline(ctx.db, show_id)]


@router.put(API + "/shows/{show_id}/pin", response_model=PinSetOut)
async def pin(body: PinIn, show_id: ShowId, actor: Principal = Depends(hosts),
              room: Room = Depends(room_of)) -> PinSetOut:
    return PinSetOut.model_validate(await room.pin(actor, show_id, body.product_id, body.stream_ms))


@router.delete(API + "/shows/{show_id}/pin", status_code=204)
async def unpin(show_id: ShowId, stream_ms: int | None = Query(None, ge=0, le=2_147_483_647),
                actor: Principal = Depends(hosts), room: Room = Depends(room_of)) -> Response:
    await room.unpin(actor, show_id, stream_ms)
    return Response(status_code=204)


@router.post(API + "/shows/{show_id}/announcements", response_model=AnnouncementOut, status_code=201)
async def announce(body: AnnouncementIn, show_id: ShowId, actor: Principal = Depends(hosts),
                   room: Room = Depends(room_of)) -> AnnouncementOut:
    return AnnouncementOut(text=(await room.announce(actor, show_id, body.text))["text"])


@router.post(API + "/shows/{show_id}/sanctions", response_model=SanctionMadeOut, status_code=201)
async def sanction(body: SanctionIn, show_id: ShowId, actor: Principal = Depends(staff),
                   room: Room = Depends(room_of)) -> SanctionMadeOut:
    outcome = await room.sanction(actor, show_id, body.user_id, SanctionKind(body.kind),
                                  minutes=body.minutes, reason=body.reason, everywhere=body.everywhere)
    return SanctionMadeOut(sanction_id=outcome.sanction_id, kind=outcome.kind.value,
                           user_id=outcome.user_id, until=outcome.until,
                           removed_message_ids=outcome.removed_message_ids)


@router.get(API + "/shows/{show_id}/sanctions", response_model=list[SanctionOut])
def list_sanctions(show_id: ShowId, actor: Principal = Depends(staff),
                   ctx: AppContext = Depends(get_context)) -> list[SanctionOut]:
    return [SanctionOut.model_validate(asdict(s))
            for s in moderation.list_sanctions(ctx.db, actor, show_id, utcnow())]


@router.delete(API + "/shows/{show_id}/sanctions/{sanction_id}", status_code=204)
async def lift_sanction(show_id: ShowId, sanction_id: ItemId, actor: Principal = Depends(staff),
                        room: Room = Depends(room_of)) -> Response:
    await room.lift(actor, show_id, sanction_id)
    return Response(status_code=204)


@router.delete(API + "/shows/{show_id}/chat/{message_id}", status_code=204)
async def remove_message(show_id: ShowId, message_id: ItemId, actor: Principal = Depends(staff),
                         room: Room = Depends(room_of)) -> Response:
    await room.remove_message(actor, show_id, message_id)
    return Response(status_code=204)


def _word_out(word: object) -> BlockedWordOut:
    return BlockedWordOut.model_validate(word, from_attributes=True)


@router.get(API + "/shows/{show_id}/blocked-words", response_model=list[BlockedWordOut])
def show_blocked_words(show_id: ShowId, actor: Principal = Depends(staff),
                       ctx: AppContext = Depends(get_context)) -> list[BlockedWordOut]:
    return [_word_out(w) for w in moderation.list_blocked_words(ctx.db, actor, show_id)]


@router.post(API + "/shows/{show_id}/blocked-words", response_model=BlockedWordOut, status_code=201)
def block_show_word(body: BlockedWordIn, show_id: ShowId, actor: Principal = Depends(staff),
                    ctx: AppContext = Depends(get_context), room: Room = Depends(room_of)) -> BlockedWordOut:
    word = moderation.add_blocked_word(ctx.db, actor, show_id, body.word)
    room.words_changed(show_id)
    return _word_out(word)


@router.delete(API + "/shows/{show_id}/blocked-words/{word_id}", status_code=204)
def unblock_show_word(show_id: ShowId, word_id: ItemId, actor: Principal = Depends(staff),
                      ctx: AppContext = Depends(get_context), room: Room = Depends(room_of)) -> Response:
    moderation.remove_blocked_word(ctx.db, actor, show_id, word_id)
    room.words_changed(show_id)
    return Response(status_code=204)


@router.get(API + "/blocked-words", response_model=list[BlockedWordOut])
def platform_blocked_words(actor: Principal = Depends(platform_moderators),
                           ctx: AppContext = Depends(get_context)) -> list[BlockedWordOut]:
    return [_word_out(w) for w in moderation.list_blocked_words(ctx.db, actor, None)]


@router.post(API + "/blocked-words", response_model=BlockedWordOut, status_code=201)
def block_word(body: BlockedWordIn, actor: Principal = Depends(platform_moderators),
               ctx: AppContext = Depends(get_context), room: Room = Depends(room_of)) -> BlockedWordOut:
    word = moderation.add_blocked_word(ctx.db, actor, None, body.word)
    room.words_changed(None)
    return _word_out(word)


@router.delete(API + "/blocked-words/{word_id}", status_code=204)
def unblock_word(word_id: ItemId, actor: Principal = Depends(platform_moderators),
                 ctx: AppContext = Depends(get_context), room: Room = Depends(room_of)) -> Response:
    moderation.remove_blocked_word(ctx.db, actor, None, word_id)
    room.words_changed(None)
    return Response(status_code=204)
