"""The sandbox's own reading of a resident ID number, written apart from Liveport's.

The check character follows ISO 7064 MOD 11-2: the weight of position i (0-based, 17 digits)
is 2^(17-i) mod 11 and the check value is (12 - sum mod 11) mod 11, 10 written as X. That is
the same standard as GB 11643's weight table, reached by another road on purpose.
"""

from __future__ import annotations

import datetime


def _expected_check(digits: str) -> str:
    total = 0
    for position, digit in enumerate(digits):
        total += int(digit) * pow(2, 17 - position, 11)
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def canonical(id_number: str) -> str:
    return id_number.strip().upper()


def problem(id_number: str) -> str | None:
    """None when the number is well formed; otherwise a short reason."""
    value = canonical(id_number)
    if len(value) != 18:
        return "length"
    body, last = value[:17], value[17]
    if not all("0" <= c <= "9" for c in body) or not ("0" <= last <= "9" or last == "X"):
        return "format"
    if _expected_check(body) != last:
        return "check_digit"
    try:
        born = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "birth_date"
    if born > datetime.date.today():
        return "birth_date"
    return None


def tail(id_number: str) -> str:
    """What the sandbox's own check log keeps of a number."""
    value = canonical(id_number)
    return value[:4] + "*" * max(len(value) - 8, 0) + value[-4:]
