"""Time. Everything is stored in UTC; the customs year runs in China time."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def china_year(moment: datetime) -> int:
    return as_utc(moment).astimezone(CHINA).year


def iso_z(moment: datetime) -> str:
    return as_utc(moment).isoformat(timespec="milliseconds").replace("+00:00", "Z")
