from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path

import pytest

from liveport.catalog.reference import (
    CUSTOMS_CODES_FILE,
    POSITIVE_LIST_FILE,
    code_tables,
    current_positive_list,
)
from liveport.core.errors import ConfigurationError
from liveport.core.settings import Settings

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "build_customs_codes.py"


def build_script():
    spec = importlib.util.spec_from_file_location("build_customs_codes", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_code_tables_are_exactly_what_the_script_builds_from_shared(shared_dir):
    script = build_script()
    assert CUSTOMS_CODES_FILE.read_text(encoding="utf-8") == script.render(script.build(shared_dir))


def test_the_code_tables_hold_every_row_of_the_shared_csvs(shared_dir):
    data = json.loads(CUSTOMS_CODES_FILE.read_text(encoding="utf-8"))
    tables = shared_dir / "standards" / "customs-codes"
    for name in ("countries", "units", "currencies"):
        lines = (tables / f"{name}.csv").read_text(encoding="utf-8").strip().splitlines()
        assert len(data[name]) == len(lines) - 1


def test_customs_codes_are_not_iso_codes():
    tables = code_tables()
    assert tables.countries["344"].name_en == "Russian Federation"
    assert tables.countries["101"].name_zh == "阿富汗"
    assert tables.countries["138"].iso2 == "AE"
    assert tables.units["122"].name_zh == "罐"
    assert tables.units["035"].name_zh == "千克"
    assert tables.active_country("341") is None  # legacy Kazakhstan code, current 145
    assert tables.active_country("145").name_en == "Kazakhstan"


def settings_with(path: Path | None) -> Settings:
    return Settings(positive_list_file=path)


def test_the_shipped_positive_list_is_used_unless_a_setting_overrides_it():
    assert current_positive_list(settings_with(None)).line_for("0802910000").hs8 == "08029100"


def test_an_operator_edit_of_the_positive_list_file_takes_effect_without_restart(tmp_path):
    # given an operator's copy of the list in use
    mine = tmp_path / "positive_list.csv"
    shutil.copyfile(POSITIVE_LIST_FILE, mine)
    settings = settings_with(mine)
    assert current_positive_list(settings).line_for("1704900000") is not None
    # when the operator removes the sugar-confectionery line
    kept = [
        line
        for line in mine.read_text(encoding="utf-8").splitlines()
        if not line.startswith("17049000,")
    ]
    mine.write_text("\n".join(kept) + "\n", encoding="utf-8")
    stat = mine.stat()
    os.utime(mine, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    # then the next check uses the edited list
    assert current_positive_list(settings).line_for("1704900000") is None
    assert current_positive_list(settings).line_for("0802910000") is not None


def test_a_broken_edit_keeps_the_previous_list(tmp_path):
    mine = tmp_path / "positive_list.csv"
    shutil.copyfile(POSITIVE_LIST_FILE, mine)
    settings = settings_with(mine)
    before = current_positive_list(settings)
    with mine.open("a", encoding="utf-8") as handle:
        handle.write("1704900,broken,broken,035,,,\n")
    stat = mine.stat()
    os.utime(mine, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert current_positive_list(settings) is before


def test_a_missing_or_broken_first_load_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigurationError) as missing:
        current_positive_list(settings_with(tmp_path / "nowhere.csv"))
    broken = tmp_path / "broken.csv"
    broken.write_text(
        "hs8,description_zh,description_en,legal_unit,notes,yearly_cap_qty,yearly_cap_unit\n1,x,x,035,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError) as invalid:
        current_positive_list(settings_with(broken))
    assert (missing.value.code, invalid.value.code) == (
        "positive_list_missing",
        "positive_list_invalid",
    )
