"""Resident ID numbers (GB 11643), names, phones and masking: pure rules."""

from __future__ import annotations

from datetime import date

import pytest

from liveport.buyers.domain import (
    DeclarationIdentity,
    InvalidIdNumber,
    InvalidName,
    InvalidPhone,
    check_char,
    mask_id_number,
    mask_phone,
    normalise_id_number,
    normalise_name,
    normalise_phone,
    parse_claim,
    synthetic_id_number,
)

# The worked example of GB 11643 itself (check character X).
STANDARD_EXAMPLE = "11010519491231002X"
# Check characters below were confirmed with the sandbox's independent MOD 11-2 code.
SHANGHAI_1985 = "310104198506173217"
LEAP_DAY_1992 = "440306199202291238"


def _reason(raw: str, **kwargs: object) -> str:
    with pytest.raises(InvalidIdNumber) as caught:
        normalise_id_number(raw, **kwargs)  # type: ignore[arg-type]
    assert caught.value.code == "invalid_id_number"
    assert caught.value.status == 422
    return caught.value.details["reason"]


def test_the_standards_own_example_is_valid():
    assert normalise_id_number(STANDARD_EXAMPLE) == "11010519491231002X"


def test_check_char_of_the_standard_example_is_x():
    assert check_char("11010519491231002") == "X"


@pytest.mark.parametrize("number", [SHANGHAI_1985, LEAP_DAY_1992])
def test_valid_numbers_come_back_unchanged(number):
    assert normalise_id_number(number) == number


def test_lowercase_x_is_accepted_and_normalised_to_upper_case():
    assert normalise_id_number("11010519491231002x") == "11010519491231002X"


def test_surrounding_spaces_are_dropped():
    assert normalise_id_number("  310104198506173217 ") == "310104198506173217"


@pytest.mark.parametrize(
    "wrong", ["310104198506173210", "310104198506173218", "31010419850617321X"]
)
def test_a_wrong_check_digit_is_refused(wrong):
    assert _reason(wrong) == "check_digit"


def test_a_swapped_pair_of_digits_fails_the_check():
    assert _reason("310104198506173127") == "check_digit"


@pytest.mark.parametrize("raw", ["", "31010419850617321", "3101041985061732170", "310104850617321"])
def test_a_wrong_length_is_refused(raw):
    assert _reason(raw) == "length"


@pytest.mark.parametrize(
    "raw",
    [
        "31010419850617321Y",
        "3101041985061A3217",
        "X10104198506173217",
        "３１０１０４１９８５０６１７３２１７",
    ],
)
def test_letters_or_non_ascii_digits_are_a_format_error(raw):
    assert _reason(raw) == "format"


def test_an_unknown_province_code_is_refused():
    body = "99010419850617321"
    assert _reason(body + check_char(body)) == "region"


@pytest.mark.parametrize("body", ["51010719781301001", "11010519900230001", "11010518991231001"])
def test_an_impossible_birth_date_is_refused(body):
    # month 13, 30 February, born before 1900
    assert _reason(body + check_char(body)) == "birth_date"


def test_a_birth_date_after_today_is_refused_when_today_is_given():
    body = "11010520991231001"
    number = body + check_char(body)
    assert normalise_id_number(number) == number
    assert _reason(number, today=date(2026, 3, 1)) == "birth_date"


def test_the_error_never_carries_the_number():
    with pytest.raises(InvalidIdNumber) as caught:
        normalise_id_number("310104198506173210")
    assert "310104198506173210" not in str(caught.value) + repr(caught.value.details)


def test_mask_keeps_first_four_and_last_four():
    assert mask_id_number("11010519491231002x") == "1101**********002X"
    assert mask_id_number(SHANGHAI_1985) == "3101**********3217"


def test_mask_of_a_malformed_value_reveals_nothing():
    assert mask_id_number("12345") == "*****"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("张伟", "张伟"),
        ("  欧阳娜娜 ", "欧阳娜娜"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),
        ("阿依古丽 · 买买提", "阿依古丽·买买提"),
        ("Ivan  Petrov", "Ivan Petrov"),
        ("Jean-Luc O'Neill", "Jean-Luc O'Neill"),
        ("Zoë Müller", "Zoë Müller"),
    ],
)
def test_names_are_normalised(raw, expected):
    assert normalise_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("张", "length"),
        ("张" * 51, "length"),
        ("张Wei", "characters"),
        ("Li3", "characters"),
        ("·张伟", "characters"),
        ("张伟·", "characters"),
        ("Robert'); DROP TABLE", "characters"),
    ],
)
def test_bad_names_are_refused(raw, reason):
    with pytest.raises(InvalidName) as caught:
        normalise_name(raw)
    assert caught.value.code == "invalid_name"
    assert caught.value.details == {"reason": reason}


def test_a_long_latin_name_with_a_bad_tail_fails_fast():
    # Guards against catastrophic backtracking in the name pattern.
    with pytest.raises(InvalidName):
        normalise_name("a" * 49 + "!")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("0086 19912345678", "19912345678"),
    ],
)
def test_mainland_mobiles_are_normalised(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    "raw", ["12800138000", "1380013800", "138001380001", "010-12345678", "phone"]
)
def test_other_phones_are_refused(raw):
    with pytest.raises(InvalidPhone) as caught:
        normalise_phone(raw)
    assert caught.value.code == "invalid_phone"


def test_mask_phone():
    assert mask_phone("13800138000") == "138****8000"


def test_parse_claim_keeps_the_number_out_of_its_repr():
    claim = parse_claim("张伟", "11010519491231002x", "13800138000")
    assert claim.id_number == "11010519491231002X"
    assert claim.masked == "1101**********002X"
    assert "11010519491231002" not in repr(claim)


def test_declaration_identity_repr_is_masked():
    who = DeclarationIdentity(
        user_id=7, full_name="张伟", id_number=STANDARD_EXAMPLE, phone="13800138000"
    )
    assert repr(who) == (
        "DeclarationIdentity(user_id=7, full_name='张伟', "
        "id_number='1101**********002X', phone='138****8000')"
    )


def test_synthetic_numbers_are_valid_and_distinct():
    numbers = [synthetic_id_number(seq) for seq in range(0, 3_000_000, 997)]
    assert len(set(numbers)) == len(numbers)
    assert all(normalise_id_number(n, today=date(2026, 1, 1)) == n for n in numbers)
    assert synthetic_id_number(0) == "110101190101010003"
