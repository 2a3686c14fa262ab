"""The report's own arithmetic, pure: the import index and chart labels. Every amount it
starts from is an analytics figure; nothing here re-derives GMV."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from liveport.analytics.domain import Breakdown


@dataclass(frozen=True)
class ImportIndexRow:
    """One origin country tonight against the earlier shows.

    ``share`` is the country's part of tonight's GMV, ``earlier_share`` its part of the
    earlier shows' GMV together; ``index`` = 100 × share ÷ earlier_share (100: the same
    weight as before; None: the country sold nothing before — new tonight)."""

    key: str
    label: str
    gmv: Decimal
    units: int
    share: Decimal
    earlier_gmv: Decimal
    earlier_share: Decimal
    index: int | None


def _share(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole).quantize(Decimal("0.0001"), ROUND_HALF_UP) if whole else Decimal(0)


def import_index(tonight: Sequence[Breakdown], earlier: Sequence[Sequence[Breakdown]]) -> list[ImportIndexRow]:
    """Tonight's countries (largest GMV first), then countries only sold before (GMV 0)."""
    before: dict[str, Decimal] = {}
    labels: dict[str, str] = {}
    for show in earlier:
        for b in show:
            before[b.key] = before.get(b.key, Decimal(0)) + b.gmv
            labels.setdefault(b.key, b.label)
    total, total_before = sum((b.gmv for b in tonight), Decimal(0)), sum(before.values(), Decimal(0))
    rows = []
    for b in sorted(tonight, key=lambda b: (-b.gmv, b.key)):
        share, was = _share(b.gmv, total), _share(before.get(b.key, Decimal(0)), total_before)
        index = int((100 * share / was).quantize(Decimal(1), ROUND_HALF_UP)) if was else None
        rows.append(ImportIndexRow(b.key, b.label, b.gmv, b.units, share, before.get(b.key, Decimal(0)), was, index))
    seen = {b.key for b in tonight}
    for key in sorted(k for k in before if k not in seen):
        rows.append(ImportIndexRow(key, labels[key], Decimal(0), 0, Decimal(0), before[key],
                                   _share(before[key], total_before), 0))
    return rows


def latin_label(label: str) -> str:
    """The English half of a "中文 / English" label (the charts' font is Latin-only)."""
    return label.split(" / ", 1)[1] if " / " in label else label
