"""The return clock (cross-border.md §5): calendar days in China time, both ends inclusive."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from liveport.core.clock import CHINA
from liveport.orders.returns import return_window


def china(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CHINA)


def test_deadlines_are_china_midnight_after_day_30_and_day_45():
    window = return_window(china(2026, 3, 1, 10, 0))

    assert window.request_by == china(2026, 3, 31) + timedelta(days=1)
    assert window.arrive_by == china(2026, 4, 15) + timedelta(days=1)
    assert window.request_by.tzinfo == UTC


def test_a_request_on_day_29_30_is_on_time_and_on_day_31_is_late():
    released = china(2026, 3, 1, 10, 0)
    window = return_window(released)

    assert window.request_on_time(released + timedelta(days=29)) is True
    assert window.request_on_time(released + timedelta(days=30)) is True
    assert window.request_on_time(released + timedelta(days=31)) is False


def test_arrival_on_day_44_45_is_on_time_and_on_day_46_is_late():
    released = china(2026, 3, 1, 10, 0)
    window = return_window(released)

    assert window.arrival_on_time(released + timedelta(days=44)) is True
    assert window.arrival_on_time(released + timedelta(days=45)) is True
    assert window.arrival_on_time(released + timedelta(days=46)) is False


def test_the_request_deadline_is_the_instant_of_china_midnight():
    window = return_window(china(2026, 3, 1, 23, 59))

    assert window.request_on_time(china(2026, 3, 31, 23, 59, 59, 999999)) is True
    assert window.request_on_time(china(2026, 4, 1, 0, 0)) is False


def test_the_arrival_deadline_is_the_instant_of_china_midnight():
    window = return_window(china(2026, 3, 1, 0, 0))

    assert window.arrival_on_time(china(2026, 4, 15, 23, 59, 59, 999999)) is True
    assert window.arrival_on_time(china(2026, 4, 16, 0, 0)) is False


def test_days_count_from_the_china_date_of_release_not_the_utc_date():
    # 1 March 17:30 UTC is already 2 March 01:30 in China: day 30 is 1 April China time.
    window = return_window(datetime(2026, 3, 1, 17, 30, tzinfo=UTC))

    assert window.request_by == china(2026, 4, 2)
    assert window.request_on_time(datetime(2026, 4, 1, 15, 59, 59, tzinfo=UTC)) is True  # 23:59:59 China
    assert window.request_on_time(datetime(2026, 4, 1, 16, 0, tzinfo=UTC)) is False  # 00:00 China, day 31


def test_a_release_just_before_china_midnight_belongs_to_that_china_day():
    window = return_window(datetime(2026, 3, 1, 15, 59, 59, tzinfo=UTC))  # 23:59:59 China, 1 March

    assert window.request_by == china(2026, 4, 1)
    assert window.arrive_by == china(2026, 4, 16)
