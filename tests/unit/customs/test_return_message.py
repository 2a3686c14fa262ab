"""CEB625: a return of a released inventory list, read back through the official XSD."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from liveport.customs.domain import return_message
from liveport.protocols import customs as ceb
from tests.unit.customs.test_declaration_messages import AT, FACTS


def test_a_return_names_the_list_and_its_lines_and_validates_signed(shared_dir):
    message = return_message(FACTS, FACTS.lines, "不喜欢 not to my taste", AT, "DXPENT0000000001")

    signed = ceb.seal(message, ceb.generate_party("Broker", "4403180X7R"), shared_dir / "standards" / "customs-2022")
    refund = ceb.from_bytes(signed).refunds[0]

    assert (refund.head.invt_no, refund.head.cop_no, refund.head.order_no) == (
        "516520261000000001", "LPI00000000000000042", FACTS.order_no)
    assert (refund.head.reason, refund.head.agent_code) == ("不喜欢 not to my taste", "4403180X7R")
    assert [(line.gnum, line.gcode, line.qty, line.unit) for line in refund.lines] == [
        (1, "1704900000", Decimal(2), "136"), (2, "1704900000", Decimal(1), "136")]


def test_a_list_customs_has_not_numbered_cannot_be_returned():
    with pytest.raises(ValueError, match="has not numbered"):
        return_message(replace(FACTS, invt_no=None), FACTS.lines, "why", AT, "DXPENT0000000001")
