"""Values as the customs standard writes them: guids, times, amounts.

Times in the messages are China local time without a zone (UTC+8, no daylight saving since
1991): ``appTime``/``payTime`` ``YYYYMMDDhhmmss``, ``declTime``/``ieDate`` ``YYYYMMDD``,
``returnTime`` ``YYYYMMDDhhmmssSSS``. The helpers take aware datetimes (a naive one would be
ambiguous) and give aware ones back in China time.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from liveport.protocols.customs.errors import CustomsEncodingError

CHINA_TIME = timezone(timedelta(hours=8), "CST")
CEB_NS = "http://www.chinaport.gov.cn/ceb"
VERSION = "1.0"
CURRENCY_CNY = "142"
COUNTRY_CHINA = "142"
ID_TYPE_RESIDENT_ID = "1"
TRADE_MODE_BONDED = "1210"  # 网购保税: stock in a bonded warehouse
TRADE_MODE_DIRECT = "9610"  # 直购: each parcel flies in
APP_TYPE_NEW, APP_TYPE_CHANGE, APP_TYPE_DELETE = "1", "2", "3"
APP_STATUS_DRAFT, APP_STATUS_DECLARE = "1", "2"

_FEN = Decimal("0.01")
_MAX_FRACTION = 5
_MAX_DIGITS = 19
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def new_guid() -> str:
    """36 characters, upper case, as every ``guid`` of the standard."""
    return str(uuid.uuid4()).upper()


def _china(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CustomsEncodingError("customs times are China time: give an aware datetime")
    return moment.astimezone(CHINA_TIME)


def app_time(moment: datetime) -> str:
    """``appTime`` / ``payTime``: ``YYYYMMDDhhmmss`` in China time."""
    return _china(moment).strftime("%Y%m%d%H%M%S")


def return_time(moment: datetime) -> str:
    """``returnTime``: ``YYYYMMDDhhmmssSSS`` (17 digits) in China time."""
    local = _china(moment)
    return local.strftime("%Y%m%d%H%M%S") + f"{local.microsecond // 1000:03d}"


def decl_date(day: date | datetime) -> str:
    """``declTime`` / ``ieDate``: ``YYYYMMDD``; a datetime counts by its China date."""
    if isinstance(day, datetime):
        day = _china(day).date()
    return day.strftime("%Y%m%d")


def parse_app_time(text: str) -> datetime:
    if not re.fullmatch(r"\d{14}", text):
        raise ValueError(f"not YYYYMMDDhhmmss: {text!r}")
    return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=CHINA_TIME)


def parse_return_time(text: str) -> datetime:
    if not re.fullmatch(r"\d{17}", text):
        raise ValueError(f"not YYYYMMDDhhmmssSSS: {text!r}")
    moment = datetime.strptime(text[:14], "%Y%m%d%H%M%S").replace(tzinfo=CHINA_TIME)
    return moment.replace(microsecond=int(text[14:]) * 1000)


def parse_decl_date(text: str) -> date:
    if not re.fullmatch(r"\d{8}", text):
        raise ValueError(f"not YYYYMMDD: {text!r}")
    return datetime.strptime(text, "%Y%m%d").date()


def snake(name: str) -> str:
    """The dataclass attribute of an element: ``acturalPaid`` → ``actural_paid``."""
    return _CAMEL.sub("_", name).lower()


def _finite(value: object, what: str) -> Decimal:
    if not isinstance(value, Decimal):
        raise CustomsEncodingError(f"{what} must be a Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise CustomsEncodingError(f"{what} must be a finite number: {value}")
    return value


def write_amount(value: object, what: str = "amount") -> str:
    """Money with exactly two decimals. An amount finer than the fen is refused, never
    rounded: rounding belongs to the business rules that computed it."""
    amount = _finite(value, what)
    try:
        fen = amount.quantize(_FEN)
    except InvalidOperation as exc:
        raise CustomsEncodingError(f"{what} too large: {amount}") from exc
    if fen != amount:
        raise CustomsEncodingError(f"{what} is finer than the fen: {amount}")
    return format(fen, "f")


def write_decimal(value: object, what: str = "quantity") -> str:
    """Quantities and weights: fixed point, up to 5 decimals, no exponent."""
    number = _finite(value, what).normalize()
    if number == 0:
        return "0"
    _, digits, exponent = number.as_tuple()
    fraction = max(0, -exponent)
    if fraction > _MAX_FRACTION:
        raise CustomsEncodingError(f"{what} has more than {_MAX_FRACTION} decimals: {value}")
    if len(digits) + max(0, exponent) > _MAX_DIGITS:
        raise CustomsEncodingError(f"{what} has more than {_MAX_DIGITS} digits: {value}")
    return format(number, "f")


def read_decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal: {text!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not a decimal: {text!r}")
    return value
