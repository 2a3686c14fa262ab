"""Real-name identity rules: resident ID numbers (GB 11643), names, phones, masking.

Pure functions and dataclasses only. The ID number is personal data: nothing in this module
puts it into an error message or a repr, so an exception or a log line never carries it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache

from liveport.core.errors import ValidationFailed

ID_LENGTH = 18
# cross-border.md §7: weights over the first 17 digits, sum mod 11 → check character.
CHECK_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# The two-digit province codes of GB/T 2260 (81/82/83: residence permits of Hong Kong,
# Macao and Taiwan residents carry these). A typo in the first digits fails here early.
PROVINCE_CODES = frozenset(
    {
        11,
        12,
        13,
        14,
        15,
        21,
        22,
        23,
        31,
        32,
        33,
        34,
        35,
        36,
        37,
        41,
        42,
        43,
        44,
        45,
        46,
        50,
        51,
        52,
        53,
        54,
        61,
        62,
        63,
        64,
        65,
        71,
        81,
        82,
        83,
    }
)
EARLIEST_BIRTH_YEAR = 1900
MASK_STARS = 10

NAME_MIN, NAME_MAX = 2, 50
MIDDLE_DOT = "\u00b7"
# Look-alikes of the middle dot that input methods produce; stored as U+00B7.
_DOT_LOOKALIKES = str.maketrans(
    {
        "\u30fb": MIDDLE_DOT,
        "\u2022": MIDDLE_DOT,
        "\u2027": MIDDLE_DOT,
        "\uff65": MIDDLE_DOT,
        "\u2219": MIDDLE_DOT,
    }
)
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CHINESE_NAME = re.compile(rf"^[{_HAN}]+(?:{MIDDLE_DOT}[{_HAN}]+)*$")
_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
# Each separator is mandatory inside a repetition, so the patterns cannot backtrack badly.
_LATIN_WORD = rf"[{_LATIN}]+(?:['\-][{_LATIN}]+)*"
_LATIN_NAME = re.compile(rf"^{_LATIN_WORD}(?:[ {MIDDLE_DOT}]{_LATIN_WORD})*$")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")

CONSENT_PURPOSE_IDENTITY = "real_name_identity"
# Bump when the consent text shown to buyers changes; each consent records the version.
CONSENT_TEXT_VERSION_IDENTITY = "2025-01"


class InvalidIdNumber(ValidationFailed):
    code = "invalid_id_number"
    message = "That is not a valid resident ID number."
    message_zh = "身份证号码无效。"


class InvalidName(ValidationFailed):
    code = "invalid_name"
    message = "The name must be 2 to 50 Chinese or Latin letters (parts joined by '·')."
    message_zh = "姓名须为 2 至 50 个汉字或拉丁字母（多段用“·”连接）。"


class InvalidPhone(ValidationFailed):
    code = "invalid_phone"
    message = "The phone must be an 11-digit mainland mobile number."
    message_zh = "手机号须为 11 位中国大陆手机号码。"


class InvalidAddress(ValidationFailed):
    code = "invalid_address"
    message = "The address must be 5 to 200 characters: province, city, street and number."
    message_zh = "收货地址须为 5 至 200 个字符，包含省、市、街道和门牌号。"


class InvalidDistrictCode(ValidationFailed):
    code = "invalid_district_code"
    message = "The district code has 6 digits and starts with a province code (e.g. 310115)."
    message_zh = "行政区划代码为 6 位数字，以省级代码开头（例如 310115）。"


class VerificationMethod(StrEnum):
    SANDBOX = "sandbox"  # checked by the identity verifier (the sandbox or a real provider)
    PROVISIONED = "provisioned"  # synthetic demo identity written by bulk provisioning


def check_char(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, CHECK_WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def _birth_date(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def normalise_id_number(raw: str, *, today: date | None = None) -> str:
    """The canonical form (upper-case X) of a valid ID number, or ``InvalidIdNumber``.

    ``today`` (China date) rejects birth dates in the future; without it only the calendar
    is checked. The reason in ``details`` is one of length, format, region, check_digit,
    birth_date — never the number itself.
    """
    number = raw.strip().upper()
    if len(number) != ID_LENGTH:
        raise InvalidIdNumber(details={"reason": "length"})
    if not (number[:17].isascii() and number[:17].isdigit()) or number[17] not in "0123456789X":
        raise InvalidIdNumber(details={"reason": "format"})
    if int(number[:2]) not in PROVINCE_CODES:
        raise InvalidIdNumber(details={"reason": "region"})
    if check_char(number[:17]) != number[17]:
        raise InvalidIdNumber(details={"reason": "check_digit"})
    born = _birth_date(number)
    if born is None or born.year < EARLIEST_BIRTH_YEAR or (today is not None and born > today):
        raise InvalidIdNumber(details={"reason": "birth_date"})
    return number


def mask_id_number(number: str) -> str:
    """``1101**********1234``: what pages, API answers, logs and exports show."""
    number = number.strip().upper()
    if len(number) != ID_LENGTH:
        return "*" * max(len(number), 1)
    return f"{number[:4]}{'*' * MASK_STARS}{number[-4:]}"


def normalise_name(raw: str) -> str:
    name = " ".join(raw.translate(_DOT_LOOKALIKES).split())
    name = re.sub(rf"\s*{MIDDLE_DOT}\s*", MIDDLE_DOT, name)
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise InvalidName(details={"reason": "length"})
    if not (_CHINESE_NAME.match(name) or _LATIN_NAME.match(name)):
        raise InvalidName(details={"reason": "characters"})
    return name


def normalise_phone(raw: str) -> str:
    phone = re.sub(r"[\s\-()]", "", raw)
    for prefix in ("+86", "0086"):
        phone = phone.removeprefix(prefix)
    if not _MOBILE.match(phone):
        raise InvalidPhone()
    return phone


ADDRESS_MIN, ADDRESS_MAX = 5, 200


def normalise_address(raw: str) -> str:
    address = " ".join(raw.split())
    if not ADDRESS_MIN <= len(address) <= ADDRESS_MAX or not address.isprintable():
        raise InvalidAddress()
    return address


def check_district_code(code: str) -> str:
    """GB/T 2260 county-level code: 6 digits, the first two a province."""
    if not (len(code) == 6 and code.isascii() and code.isdigit() and int(code[:2]) in PROVINCE_CODES):
        raise InvalidDistrictCode()
    return code


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else "*" * len(phone)


def same_name(a: str, b: str) -> bool:
    """Latin names compare without regard to case; Chinese names exactly."""
    return a.casefold() == b.casefold()


@dataclass(frozen=True, slots=True)
class IdentityClaim:
    """What a buyer submits, normalised. The ID number stays out of the repr."""

    full_name: str
    id_number: str = field(repr=False)
    phone: str

    @property
    def masked(self) -> str:
        return mask_id_number(self.id_number)


def parse_claim(
    full_name: str, id_number: str, phone: str, *, today: date | None = None
) -> IdentityClaim:
    return IdentityClaim(
        full_name=normalise_name(full_name),
        id_number=normalise_id_number(id_number, today=today),
        phone=normalise_phone(phone),
    )


@dataclass(frozen=True, slots=True)
class DeclarationIdentity:
    """The buyer in clear, for customs (CEB311/621) and payment (payer) messages only."""

    user_id: int
    full_name: str
    id_number: str = field(repr=False)
    phone: str

    def __repr__(self) -> str:
        return (
            f"DeclarationIdentity(user_id={self.user_id}, full_name={self.full_name!r}, "
            f"id_number={mask_id_number(self.id_number)!r}, phone={mask_phone(self.phone)!r})"
        )


def synthetic_id_number(
    seq: int, *, region: str = "110101", first_birthday: date = date(1901, 1, 1)
) -> str:
    """A distinct valid ID number for sequence number ``seq`` (demo identities).

    The birth date advances a day per thousand numbers and the three sequence digits take
    ``seq`` mod 1000, so numbers stay distinct for ~20 million sequence numbers. Birth dates
    start in 1901 so a synthetic number is unlikely to be a living person's.
    """
    prefix, partial = _synthetic_prefix(region, first_birthday.toordinal() + seq // 1000)
    tail = f"{seq % 1000:03d}"
    total = partial + sum(int(d) * w for d, w in zip(tail, CHECK_WEIGHTS[14:]))
    return f"{prefix}{tail}{CHECK_CHARS[total % 11]}"


@lru_cache(maxsize=4096)
def _synthetic_prefix(region: str, birth_ordinal: int) -> tuple[str, int]:
    # Shared by the thousand numbers of one birth day: bulk provisioning computes it once.
    prefix = f"{region}{date.fromordinal(birth_ordinal):%Y%m%d}"
    return prefix, sum(int(d) * w for d, w in zip(prefix, CHECK_WEIGHTS[:14], strict=True))


@dataclass(frozen=True, slots=True)
class IdentityView:
    """An identity as pages and API answers show it: the ID number masked."""

    user_id: int
    full_name: str
    id_number_masked: str
    phone: str
    verified_at: datetime
    verification_method: str
