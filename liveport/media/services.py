"""Media use cases: a show's stream settings and key (hosts of the show, operators), what
the media server may publish (its callbacks), the public stream status, the replay.

Stream rows are made on first need: a show gets its public id and first key the first
time a host asks for them (or the embedded ingest takes it).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liveport.accounts.domain import Principal
from liveport.accounts.services import record_audit
from liveport.core.db import Database
from liveport.core.errors import Forbidden
from liveport.core.settings import Settings
from liveport.media import config
from liveport.media.domain import (
    EmbeddedCandidate,
    IngestMode,
    StreamState,
    is_public_id,
    is_stream_key,
    pick_embedded_show,
    publish_refusal,
)
from liveport.media.models import MediaStream, PublishSession
from liveport.media.protection import StreamKeyProtector, new_stream_key
from liveport.realtime.access import check_host, load_show
from liveport.shows.models import Show

PUBLIC_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


class PublishRefused(Forbidden):
    code = "publish_refused"
    message = "This stream may not be published now."


def new_public_id() -> str:
    return "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(16))


def _stream(session: Session, protector: StreamKeyProtector, show_id: int) -> MediaStream:
    stream = session.get(MediaStream, show_id)
    if stream is not None:
        return stream
    key = new_stream_key()
    made = MediaStream(show_id=show_id, public_id=new_public_id(), key_digest=protector.digest(key),
                       key_cipher=protector.encrypt(key), state=StreamState.OFFLINE.value)
    try:
        with session.begin_nested():
            session.add(made)
    except IntegrityError:  # made at the same moment by another request: take theirs
        found = session.get(MediaStream, show_id)
        if found is None:
            raise
        return found
    return made


@dataclass(frozen=True, slots=True)
class StreamSettings:
    """What a host's encoder needs: OBS's "Server" and "Stream Key" fields."""

    show_id: int
    server_url: str
    stream_key: str
    ingest: str
    checks_key: bool
    state: str
    public_id: str
    live_url: str


def _settings_of(settings: Settings, stream: MediaStream, key: str) -> StreamSettings:
    mode = config.ingest_mode(settings)
    return StreamSettings(stream.show_id, config.rtmp_server_url(settings), key, mode.value,
                          mode is not IngestMode.EMBEDDED, stream.state, stream.public_id,
                          config.live_url(settings, stream.public_id))


def stream_settings(db: Database, protector: StreamKeyProtector, settings: Settings,
                    actor: Principal, show_id: int) -> StreamSettings:
    with db.transaction() as session:
        load_show(session, show_id)
        check_host(session, actor, show_id)
        stream = _stream(session, protector, show_id)
        return _settings_of(settings, stream, protector.decrypt(stream.key_cipher))


def encoder_settings(db: Database, protector: StreamKeyProtector, settings: Settings,
                     show_id: int) -> StreamSettings:
    """The same, for this installation's own encoders (the demo's synthetic camera, the
    media bench): no person asks, so there is no actor to check."""
    with db.transaction() as session:
        load_show(session, show_id)
        stream = _stream(session, protector, show_id)
        return _settings_of(settings, stream, protector.decrypt(stream.key_cipher))


def rotate_key(db: Database, protector: StreamKeyProtector, settings: Settings,
               actor: Principal, show_id: int, now: datetime) -> StreamSettings:
    """A new key; the old one stops working for the next connection (an encoder already
    connected keeps streaming until it disconnects)."""
    key = new_stream_key()
    with db.transaction() as session:
        load_show(session, show_id)
        check_host(session, actor, show_id)
        stream = _stream(session, protector, show_id)
        stream.key_digest, stream.key_cipher = protector.digest(key), protector.encrypt(key)
        stream.key_rotated_at = now
        record_audit(session, actor, "media.key_rotated", "show", show_id)
        return _settings_of(settings, stream, key)


# ---- the media server's callbacks ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublishAccepted:
    show_id: int
    public_id: str


def _open_session(session: Session, stream: MediaStream, ingest: IngestMode, addr: str,
                  now: datetime) -> None:
    # A session the media server never closed (it crashed) ends where the next one begins.
    session.execute(update(PublishSession).where(PublishSession.show_id == stream.show_id,
                                                 PublishSession.ended_at.is_(None))
                    .values(ended_at=now))
    session.add(PublishSession(show_id=stream.show_id, ingest=ingest.value, client_addr=addr[:64],
                               started_at=now))
    stream.state, stream.state_changed_at = StreamState.LIVE.value, now


def authorize_publish(db: Database, protector: StreamKeyProtector, settings: Settings, key: str,
                      addr: str, ingest: IngestMode, now: datetime) -> PublishAccepted:
    """on_publish of the ingest application: the key, the show, its time window."""
    if not is_stream_key(key):
        raise PublishRefused("Unknown stream key.", code="unknown_stream_key")
    try:
        with db.transaction() as session:
            stream = session.scalar(select(MediaStream).where(
                MediaStream.key_digest == protector.digest(key)))
            if stream is None:
                raise PublishRefused("Unknown stream key.", code="unknown_stream_key")
            show = load_show(session, stream.show_id)
            refusal = publish_refusal(show.status, show.scheduled_start, show.scheduled_end, now,
                                      config.publish_window(settings))
            if refusal is not None:
                raise PublishRefused(f"This show does not take a stream now ({refusal}).",
                                     code=refusal)
            _open_session(session, stream, ingest, addr, now)
            return PublishAccepted(stream.show_id, stream.public_id)
    except IntegrityError as exc:  # two encoders with the same key at the same instant
        raise PublishRefused("Another encoder is connecting.", code="publish_race") from exc


def stream_is_live(db: Database, public_id: str) -> bool:
    """on_publish of the show application: only the ingest's own relay, for a stream whose
    publish was just accepted."""
    if not is_public_id(public_id):
        return False
    with db.reader() as session:
        state = session.scalar(select(MediaStream.state).where(MediaStream.public_id == public_id))
    return state == StreamState.LIVE.value


def _end(session: Session, stream: MediaStream, now: datetime) -> None:
    session.execute(update(PublishSession).where(PublishSession.show_id == stream.show_id,
                                                 PublishSession.ended_at.is_(None))
                    .values(ended_at=now))
    stream.state, stream.state_changed_at = StreamState.OFFLINE.value, now


def end_publish_by_key(db: Database, protector: StreamKeyProtector, key: str,
                       now: datetime) -> str | None:
    """on_publish_done: the stream is offline; the show itself stays open for buying.
    Returns the public id (None for a key we do not know: nothing to do)."""
    if not is_stream_key(key):
        return None
    with db.transaction() as session:
        stream = session.scalar(select(MediaStream).where(
            MediaStream.key_digest == protector.digest(key)))
        if stream is None:
            return None
        _end(session, stream, now)
        return stream.public_id


def end_publish_by_show(db: Database, show_id: int, now: datetime) -> None:
    with db.transaction() as session:
        stream = session.get(MediaStream, show_id)
        if stream is not None:
            _end(session, stream, now)


def accept_embedded(db: Database, protector: StreamKeyProtector, settings: Settings, addr: str,
                    now: datetime) -> PublishAccepted | None:
    """The embedded ingest took a connection: which show it feeds (see
    ``domain.pick_embedded_show``), or None to hang up."""
    with db.transaction() as session:
        rows = session.scalars(select(Show).where(Show.status != "ended")).all()
        chosen = pick_embedded_show(
            [EmbeddedCandidate(s.id, s.status, s.scheduled_start, s.scheduled_end, s.started_at)
             for s in rows], now, config.publish_window(settings))
        if chosen is None:
            return None
        stream = _stream(session, protector, chosen)
        _open_session(session, stream, IngestMode.EMBEDDED, addr, now)
        return PublishAccepted(chosen, stream.public_id)


# ---- what viewers may know ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StreamStatus:
    show_id: int
    show_status: str
    state: str
    public_id: str | None


def stream_status(db: Database, show_id: int) -> StreamStatus:
    with db.reader() as session:
        show = load_show(session, show_id)
        stream = session.get(MediaStream, show_id)
    if stream is None:
        return StreamStatus(show_id, show.status, StreamState.OFFLINE.value, None)
    return StreamStatus(show_id, show.status, stream.state, stream.public_id)


def reset_live_streams(db: Database, now: datetime) -> list[str]:
    """At start-up of the ingest nobody is publishing yet, whatever the rows say (the last
    run may have stopped without hearing each stream end). Returns the public ids reset."""
    with db.transaction() as session:
        streams = session.scalars(select(MediaStream).where(
            MediaStream.state == StreamState.LIVE.value)).all()
        for stream in streams:
            _end(session, stream, now)
        return [s.public_id for s in streams]
