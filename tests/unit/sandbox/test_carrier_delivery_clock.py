"""The sandbox carrier's delivery schedule runs on its own clock: ``speed`` carrier seconds
per real second."""
from __future__ import annotations

import pytest

from liveport.sandbox.carrier.delivery import SPEED_ENV, due_steps, resolve_speed


def test_at_real_time_nothing_is_due_a_minute_after_the_handover():
    assert due_steps(1000.0, 1060.0, 1.0) == []


def test_at_an_hour_a_second_a_day_of_logistics_passes_in_seconds():
    steps = due_steps(1000.0, 1000.0 + 22, 3600.0)
    assert [(event, at) for event, at, _ in steps] == [
        ("picked_up", 1001.0), ("in_transit", 1003.0), ("out_for_delivery", 1018.0), ("delivered", 1022.0)]
    assert [event for event, _, _ in due_steps(1000.0, 1000.0 + 17.9, 3600.0)] == ["picked_up", "in_transit"]


def test_the_speed_comes_from_the_argument_else_the_environment_else_real_time(monkeypatch):
    monkeypatch.delenv(SPEED_ENV, raising=False)
    assert resolve_speed(None) == 1.0
    monkeypatch.setenv(SPEED_ENV, "3600")
    assert resolve_speed(None) == 3600.0
    assert resolve_speed(60.0) == 60.0
    with pytest.raises(ValueError):
        resolve_speed(0.0)
