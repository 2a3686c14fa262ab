"""Per-step timings of a rehearsal: throughput and latency percentiles, pure."""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


def percentile_of(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of values sorted ascending."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass
class Step:
    durations_s: list[float] = field(default_factory=list)
    first_start: float | None = None
    last_end: float | None = None
    errors: Counter[str] = field(default_factory=Counter)

    def record(self, started: float, ended: float, error: str | None = None) -> None:
        self.durations_s.append(ended - started)
        self.first_start = started if self.first_start is None else min(self.first_start, started)
        self.last_end = ended if self.last_end is None else max(self.last_end, ended)
        if error is not None:
            self.errors[error] += 1

    def summary(self) -> dict[str, Any]:
        values = sorted(self.durations_s)
        span = (self.last_end - self.first_start) if self.first_start is not None and self.last_end else 0.0
        ms = {f"p{int(q * 100)}_ms": round(percentile_of(values, q) * 1000, 1) for q in (0.5, 0.9, 0.99)}
        return {"count": len(values), "errors": sum(self.errors.values()), "error_kinds": dict(self.errors),
                "per_s": round(len(values) / span, 1) if span > 0 else float(len(values)),
                **ms, "max_ms": round((values[-1] if values else 0.0) * 1000, 1)}


class Timings:
    def __init__(self) -> None:
        self.steps: dict[str, Step] = {}

    def record(self, step: str, started: float, ended: float, error: str | None = None) -> None:
        self.steps.setdefault(step, Step()).record(started, ended, error)

    def count(self, step: str) -> int:
        found = self.steps.get(step)
        return len(found.durations_s) if found else 0

    def summary(self) -> dict[str, dict[str, Any]]:
        return {name: step.summary() for name, step in self.steps.items()}
