"""Building the report of one show: its figures, the moments of its pins and drops, the
earlier shows' figures for the import index; then the files (PNG, CSV, HTML) in a directory."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from liveport.analytics.domain import Figures
from liveport.analytics.services import figures
from liveport.core.db import Database
from liveport.flashsale.services import list_drops
from liveport.realtime.services import pin_timeline
from liveport.showreport import charts
from liveport.showreport.domain import ImportIndexRow, import_index, latin_label
from liveport.showreport.page import render_page
from liveport.shows.services import ShowDetail, get_show, list_shows


@dataclass(frozen=True)
class ShowReport:
    show: ShowDetail
    figures: Figures
    markers: list[charts.Marker]
    index: list[ImportIndexRow]
    earlier_shows: list[int]


def _began(summary) -> datetime:  # type: ignore[no-untyped-def]
    return summary.started_at or summary.scheduled_start


def gather(db: Database, show_id: int) -> ShowReport:
    show = get_show(db, show_id)  # NotFound for an unknown show
    tonight = figures(db, show_id=show_id)
    markers = [charts.Marker(p.pinned_at, "pin", p.name_en or p.name_zh) for p in pin_timeline(db, show_id)]
    for drop in list_drops(db, show_id):
        opened = drop.sales_start_at or drop.opened_at
        if opened is not None:
            markers.append(charts.Marker(opened, "drop", f"drop {drop.id}"))
    markers.sort(key=lambda m: m.at)
    began = _began(show.summary)
    earlier = [s.id for s in list_shows(db) if s.id != show_id and _began(s) < began]
    index = import_index(tonight.by_country, [figures(db, show_id=s).by_country for s in earlier])
    return ShowReport(show, tonight, markers, index, earlier)


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> str:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path.name


def write_report(report: ShowReport, out: Path) -> dict[str, str]:
    """Writes index.html, the charts and the CSV files into ``out``; returns {what: file name}."""
    out.mkdir(parents=True, exist_ok=True)
    f = report.figures
    files: dict[str, str] = {}
    files["gmv_per_minute_png"] = charts.gmv_per_minute(
        out / "gmv_per_minute.png", [(p.minute, p.gmv) for p in f.by_minute], report.markers,
        f"GMV per minute ({f.currency})").name
    for name, rows in (("country", f.by_country), ("product", f.by_product)):
        files[f"gmv_by_{name}_png"] = charts.horizontal_bars(
            out / f"gmv_by_{name}.png", [(latin_label(b.label), float(b.gmv), f"{b.gmv:,.2f}") for b in rows],
            f"GMV by {name} ({f.currency})").name
        files[f"units_by_{name}_png"] = charts.horizontal_bars(
            out / f"units_by_{name}.png", [(latin_label(b.label), float(b.units), str(b.units))
                                           for b in sorted(rows, key=lambda b: -b.units)], f"Units by {name}").name
    funnel = f.funnel
    files["funnel_png"] = charts.horizontal_bars(out / "funnel.png", [
        ("Viewers (signed in)", float(funnel.viewers), str(funnel.viewers)),
        ("Claimed in a drop", float(funnel.claimers), str(funnel.claimers)),
        ("Paid", float(funnel.payers), str(funnel.payers))], "Conversion funnel (people)").name
    files["summary_csv"] = _csv(out / "summary.csv", ["figure", "value"], [
        ["currency", f.currency], ["gmv", f"{f.gmv:.2f}"], ["units", f.units], ["orders_paid", f.orders_paid],
        ["peak_viewers", f.peak_viewers], ["viewers", funnel.viewers], ["claimers", funnel.claimers],
        ["payers", funnel.payers],
        *[[f"declarations_{status}", n] for status, n in sorted(f.declarations.items())]])
    files["by_minute_csv"] = _csv(out / "gmv_per_minute.csv", ["minute_utc", "gmv", "units"],
                                  [[p.minute.isoformat(), f"{p.gmv:.2f}", p.units] for p in f.by_minute])
    for name, rows in (("country", f.by_country), ("product", f.by_product), ("pavilion", f.by_pavilion)):
        files[f"by_{name}_csv"] = _csv(out / f"by_{name}.csv", ["key", "label", "gmv", "units", "orders"],
                                       [[b.key, b.label, f"{b.gmv:.2f}", b.units, b.orders] for b in rows])
    files["moments_csv"] = _csv(out / "moments.csv", ["at_utc", "kind", "label"],
                                [[m.at.isoformat(), m.kind, m.label] for m in report.markers])
    files["import_index_csv"] = _csv(
        out / "import_index.csv",
        ["country", "label", "gmv", "units", "share", "earlier_gmv", "earlier_share", "index"],
        [[r.key, r.label, f"{r.gmv:.2f}", r.units, f"{r.share}", f"{r.earlier_gmv:.2f}", f"{r.earlier_share}",
          "" if r.index is None else r.index] for r in report.index])
    (out / "index.html").write_text(render_page(report, files), encoding="utf-8")
    files["html"] = "index.html"
    return files
