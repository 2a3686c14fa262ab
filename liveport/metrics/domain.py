"""Counters, histograms and gauges in the Prometheus text exposition format (version 0.0.4),
pure: no framework, no database.

Written here rather than taken from prometheus_client: the server needs three instrument
kinds and the text format, and one lock per instrument keeps an observation at about a
microsecond on the claim route's hot path.
"""
from __future__ import annotations

import math
import threading
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Seconds; from a cached claim (sub-millisecond) to an order placed under load.
LATENCY_BUCKETS_S: tuple[float, ...] = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                                        2.5, 5.0, 10.0)

Labels = tuple[str, ...]


def escape_label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _help_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def format_labels(names: Sequence[str], values: Sequence[str], extra: tuple[str, str] | None = None) -> str:
    pairs = [f'{n}="{escape_label_value(v)}"' for n, v in zip(names, values)]
    if extra is not None:
        pairs.append(f'{extra[0]}="{escape_label_value(extra[1])}"')
    return "{" + ",".join(pairs) + "}" if pairs else ""


def format_number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


class Counter:
    """A monotonically increasing count per label set."""

    kind = "counter"

    def __init__(self, name: str, help_text: str, label_names: Sequence[str] = ()) -> None:
        self.name, self.help, self.label_names = name, help_text, tuple(label_names)
        self._values: dict[Labels, float] = {}
        self._lock = threading.Lock()

    def inc(self, *label_values: str, amount: float = 1.0) -> None:
        if amount < 0:
            raise ValueError("a counter only goes up")
        key = tuple(label_values)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, *label_values: str) -> float:
        with self._lock:
            return self._values.get(tuple(label_values), 0.0)

    def lines(self) -> list[str]:
        with self._lock:
            items = sorted(self._values.items())
        return [f"{self.name}{format_labels(self.label_names, k)} {format_number(v)}" for k, v in items]


class Histogram:
    """Cumulative buckets, a sum and a count per label set."""

    kind = "histogram"

    def __init__(self, name: str, help_text: str, label_names: Sequence[str] = (),
                 buckets: Sequence[float] = LATENCY_BUCKETS_S) -> None:
        self.name, self.help, self.label_names = name, help_text, tuple(label_names)
        self.buckets = tuple(sorted(buckets))
        # per label set: [count in each bucket (not cumulative) ..., count above the last], sum
        self._series: dict[Labels, tuple[list[int], list[float]]] = {}
        self._lock = threading.Lock()

    def observe(self, value: float, *label_values: str) -> None:
        index = bisect_left(self.buckets, value)  # le is inclusive: value == bound goes in it
        key = tuple(label_values)
        with self._lock:
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = ([0] * (len(self.buckets) + 1), [0.0])
            series[0][index] += 1
            series[1][0] += value

    def count(self, *label_values: str) -> int:
        with self._lock:
            series = self._series.get(tuple(label_values))
            return sum(series[0]) if series else 0

    def lines(self) -> list[str]:
        with self._lock:
            items = sorted((k, (list(c), s[0])) for k, (c, s) in self._series.items())
        out: list[str] = []
        for key, (counts, total) in items:
            running = 0
            for bound, n in zip((*self.buckets, math.inf), counts):
                running += n
                labels = format_labels(self.label_names, key, ("le", format_number(bound)))
                out.append(f"{self.name}_bucket{labels} {running}")
            plain = format_labels(self.label_names, key)
            out.append(f"{self.name}_sum{plain} {format_number(total)}")
            out.append(f"{self.name}_count{plain} {running}")
        return out


@dataclass(frozen=True)
class GaugeFamily:
    """Values read at scrape time (from the database or a live object)."""

    name: str
    help: str
    label_names: tuple[str, ...]
    values: Mapping[Labels, float]
    kind: str = "gauge"

    def lines(self) -> list[str]:
        return [f"{self.name}{format_labels(self.label_names, k)} {format_number(v)}"
                for k, v in sorted(self.values.items())]


def exposition(families: Iterable[Counter | Histogram | GaugeFamily]) -> str:
    """The text format: HELP and TYPE once per family, then its samples."""
    out: list[str] = []
    for family in families:
        out.append(f"# HELP {family.name} {_help_text(family.help)}")
        out.append(f"# TYPE {family.name} {family.kind}")
        out.extend(family.lines())
    return "\n".join(out) + "\n"
