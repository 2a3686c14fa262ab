"""The room's audience recorder: who counts as a viewer, once per show, and nothing lost when
a write fails."""
from __future__ import annotations

import asyncio

import pytest

from liveport.accounts.domain import Principal, Role
from liveport.realtime import audience
from liveport.realtime.audience import AudienceRecorder, viewer_key

BUYER = Principal(user_id=7, role=Role.BUYER, display_name="b", identity_hash="a" * 64)
UNVERIFIED = Principal(user_id=8, role=Role.BUYER, display_name="c")


def test_a_viewer_is_the_verified_identity_else_the_account():
    assert (viewer_key(BUYER), viewer_key(UNVERIFIED)) == ("a" * 64, "user:8")


def test_buyers_are_noted_once_per_show_and_staff_and_anonymous_viewers_not_at_all(monkeypatch):
    written = []
    monkeypatch.setattr(audience.analytics, "record_audience", lambda db, s, v: written.append((s, v)))
    recorder = AudienceRecorder(db=None)  # type: ignore[arg-type]
    for who in (BUYER, BUYER, UNVERIFIED, None, Principal(user_id=9, role=Role.HOST, display_name="h")):
        recorder.joined(1, who)
    recorder.joined(2, BUYER)
    recorder.counted(1, 40)
    recorder.counted(2, 3)
    recorder.forget(2)
    asyncio.run(recorder.flush())
    asyncio.run(recorder.flush())  # the count is sampled again; nobody new joined
    (samples, visitors), (again, nobody) = written
    assert [(v[0], v[1]) for v in visitors] == [(1, "a" * 64), (1, "user:8"), (2, "a" * 64)]
    assert [(s.show_id, s.viewers) for s in samples] == [(1, 40)] and [s.viewers for s in again] == [40]
    assert nobody == []


def test_visitors_not_written_are_kept_for_the_next_write(monkeypatch):
    calls = []

    def flaky(db, samples, visitors):  # type: ignore[no-untyped-def]
        calls.append(list(visitors))
        if len(calls) == 1:
            raise OSError("database away")

    monkeypatch.setattr(audience.analytics, "record_audience", flaky)
    recorder = AudienceRecorder(db=None)  # type: ignore[arg-type]
    recorder.joined(1, BUYER)
    with pytest.raises(OSError):
        asyncio.run(recorder.flush())
    recorder.joined(1, UNVERIFIED)
    asyncio.run(recorder.flush())
    assert [[v[1] for v in call] for call in calls] == [["a" * 64], ["a" * 64, "user:8"]]
