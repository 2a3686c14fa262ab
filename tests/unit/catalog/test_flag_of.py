"""A country's flag for the room's product card: from its ISO alpha-2 code, nothing else."""
from __future__ import annotations

from liveport.catalog.provenance import flag_of


def test_an_alpha2_code_becomes_its_flag():
    assert flag_of("RU") == "\U0001F1F7\U0001F1FA"
    assert flag_of("fr") == "\U0001F1EB\U0001F1F7"


def test_customs_codes_and_junk_get_no_flag():
    assert [flag_of(code) for code in ("344", "", None, "RUS", "R1", "ÄÖ")] == ["", "", "", "", "", ""]
