"""Times, guids and numbers as the customs standard writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from liveport.protocols import customs as c
from liveport.protocols.customs.formats import snake, write_amount, write_decimal

MOMENT = datetime(2024, 5, 1, 16, 30, 15, 123456, tzinfo=UTC)  # 00:30:15 on 2 May in China


def test_times_are_written_in_china_time():
    assert c.app_time(MOMENT) == "20240502003015"
    assert c.return_time(MOMENT) == "20240502003015123"
    assert c.decl_date(MOMENT) == "20240502"
    assert c.decl_date(date(2024, 5, 1)) == "20240501"


def test_times_read_back_as_aware_china_times():
    assert c.parse_app_time("20240502003015") == MOMENT.replace(microsecond=0)
    assert c.parse_return_time("20240502003015123") == MOMENT.replace(microsecond=123000)
    assert c.parse_decl_date("20240502") == date(2024, 5, 2)
    assert c.parse_app_time("20240502003015").utcoffset().total_seconds() == 8 * 3600


@pytest.mark.parametrize("text", ["2024050200301", "2024-05-02 00:3", "20241302003015"])
def test_a_malformed_time_is_refused(text):
    with pytest.raises(ValueError):
        c.parse_app_time(text)


def test_a_naive_time_is_refused():
    with pytest.raises(c.CustomsEncodingError, match="aware"):
        c.app_time(datetime(2024, 5, 1, 12))


def test_guids_are_36_upper_case_characters():
    guids = {c.new_guid() for _ in range(50)}
    assert len(guids) == 50
    assert all(len(g) == 36 and g == g.upper() for g in guids)


def test_amounts_have_two_decimals_and_quantities_up_to_five():
    assert write_amount(Decimal(5)) == "5.00"
    assert write_amount(Decimal("1132.140")) == "1132.14"
    assert write_decimal(Decimal("2.50000")) == "2.5"
    assert write_decimal(Decimal(0)) == "0"
    assert write_decimal(Decimal("1.5E+3")) == "1500"


def test_element_names_map_to_snake_case_attributes():
    assert [snake(n) for n in ("acturalPaid", "payTransactionId", "qty1", "ieFlag", "gnum")] == [
        "actural_paid", "pay_transaction_id", "qty1", "ie_flag", "gnum",
    ]
