from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from liveport.core.errors import InvalidTransition, ValidationFailed
from liveport.shows.domain import (
    ShowAction,
    ShowStatus,
    can_change,
    check_lineup,
    check_schedule,
    transition,
)

START = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)


def test_a_scheduled_show_goes_live_and_a_live_show_ends():
    assert transition(ShowStatus.SCHEDULED, ShowAction.START) is ShowStatus.LIVE
    assert transition(ShowStatus.LIVE, ShowAction.END) is ShowStatus.ENDED


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (ShowStatus.SCHEDULED, ShowAction.END),
        (ShowStatus.LIVE, ShowAction.START),
        (ShowStatus.ENDED, ShowAction.START),
        (ShowStatus.ENDED, ShowAction.END),
    ],
)
def test_every_other_move_is_an_invalid_transition(status, action):
    with pytest.raises(InvalidTransition) as caught:
        transition(status, action)
    assert (caught.value.code, caught.value.status) == ("invalid_transition", 409)
    assert caught.value.details == {"status": status.value, "action": action.value}


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (START, START),
        (START, START - timedelta(minutes=1)),
        (START, START + timedelta(hours=24, seconds=1)),
        (START.replace(tzinfo=None), START.replace(tzinfo=None) + timedelta(hours=1)),
    ],
)
def test_a_schedule_ends_after_it_starts_within_a_day(start, end):
    with pytest.raises(ValidationFailed) as caught:
        check_schedule(start, end)
    assert caught.value.code == "invalid_schedule"


def test_a_day_long_show_is_fine():
    check_schedule(START, START + timedelta(hours=24))


def test_a_lineup_lists_each_product_once():
    check_lineup([3, 1, 2])
    with pytest.raises(ValidationFailed) as caught:
        check_lineup([3, 1, 3])
    assert caught.value.code == "duplicate_product"


def test_only_an_ended_show_is_closed_to_changes():
    assert [can_change(s) for s in ShowStatus] == [True, True, False]
