"""Build liveport/catalog/data/customs_codes.json from the shared customs code tables.

The CSVs in ../shared/standards/customs-codes/ are the reviewed source (see their README and
SOURCES.md); the package ships its own JSON copy so a deployment does not need ../shared.
Run from the repository root after the shared tables change, and commit the output:

    .venv/bin/python scripts/build_customs_codes.py [SHARED_DIR]
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT.parent / "shared"
OUTPUT = ROOT / "liveport" / "catalog" / "data" / "customs_codes.json"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _keyed(rows: list[dict[str, str]], fields: dict[str, str], table: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for row in rows:
        code = row["code"].strip()
        if len(code) != 3 or not code.isdigit():
            raise ValueError(f"{table}: not a 3-digit code: {code!r}")
        if code in out:
            raise ValueError(f"{table}: duplicate code {code}")
        out[code] = {key: (row[column].strip() or None) for key, column in fields.items()}
    return out


def build(shared_dir: Path) -> dict[str, Any]:
    tables = shared_dir / "standards" / "customs-codes"
    return {
        "source": "shared/standards/customs-codes (countries.csv, units.csv, currencies.csv)",
        "countries": _keyed(
            _rows(tables / "countries.csv"),
            {"zh": "name_zh", "en": "name_en", "iso2": "iso2", "status": "status"},
            "countries",
        ),
        "units": _keyed(_rows(tables / "units.csv"), {"zh": "name_zh", "en": "name_en"}, "units"),
        "currencies": _keyed(
            _rows(tables / "currencies.csv"),
            {"zh": "name_zh", "en": "name_en", "iso4217": "iso4217", "status": "status"},
            "currencies",
        ),
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    shared = Path(argv[1]) if len(argv) > 1 else DEFAULT_SHARED
    OUTPUT.write_text(render(build(shared)), encoding="utf-8")
    data = json.loads(OUTPUT.read_text(encoding="utf-8"))
    print(
        f"{OUTPUT.relative_to(ROOT)}: {len(data['countries'])} countries, "
        f"{len(data['units'])} units, {len(data['currencies'])} currencies"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
