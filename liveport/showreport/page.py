"""The report's HTML page: self-contained (its charts and CSV files beside it), every text
escaped."""
from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from liveport.showreport.services import ShowReport

STYLE = """body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1000px;color:#212529}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #dee2e6;padding:.3rem .6rem;text-align:right}
td:first-child,th:first-child{text-align:left}.tiles{display:flex;gap:1rem;flex-wrap:wrap}
.tile{border:1px solid #dee2e6;border-radius:.5rem;padding:.8rem 1.2rem}.tile b{display:block;font-size:1.4rem}
img{max-width:100%;border:1px solid #eee}"""


def _table(header: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_page(report: ShowReport, files: dict[str, str]) -> str:
    f, show = report.figures, report.show.summary
    tiles = [("GMV", f"{f.currency} {f.gmv:,.2f}"), ("Units", f"{f.units:,}"), ("Paid orders", f"{f.orders_paid:,}"),
             ("Peak concurrent viewers", f"{f.peak_viewers:,}"), ("Payers", f"{f.funnel.payers:,}")]
    tile_html = "".join(f'<div class="tile">{escape(k)}<b>{escape(v)}</b></div>' for k, v in tiles)

    def img(key: str, alt: str) -> str:
        return f'<img src="{escape(files[key])}" alt="{escape(alt)}">'

    def breakdown(rows: list) -> str:  # type: ignore[type-arg]
        return _table(["", "GMV", "units", "orders"], [[b.label, f"{b.gmv:,.2f}", b.units, b.orders] for b in rows])

    funnel = f.funnel

    def rate(value: float | None) -> str:
        return "—" if value is None else f"{value:.1%}"
    index_rows = [[r.label, f"{r.gmv:,.2f}", r.units, f"{r.share:.1%}", f"{r.earlier_gmv:,.2f}",
                   f"{r.earlier_share:.1%}", "new" if r.index is None else r.index] for r in report.index]
    downloads = " · ".join(f'<a href="{escape(name)}">{escape(name)}</a>' for key, name in files.items()
                           if key.endswith("_csv"))
    return f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>{escape(show.title_en or show.title)} — report</title>
<style>{STYLE}</style></head><body>
<h1>{escape(show.title)}<br><small>{escape(show.title_en)}</small></h1>
<p>Show {show.id} · status {escape(str(show.status))} · figures: what buyers paid (the ledger), net of refunds.</p>
<div class="tiles">{tile_html}</div>
<h2>GMV per minute</h2>{img("gmv_per_minute_png", "GMV per minute with pins and drops")}
{_table(["moment (UTC)", "what"], [[m.at.strftime("%Y-%m-%d %H:%M:%S"), f"{m.kind}: {m.label}"]
                                    for m in report.markers])}
<h2>By origin country</h2>{img("gmv_by_country_png", "GMV by country")}{img("units_by_country_png", "Units by country")}
{breakdown(f.by_country)}
<h2>By product</h2>{img("gmv_by_product_png", "GMV by product")}{img("units_by_product_png", "Units by product")}
{breakdown(f.by_product)}
<h2>Conversion funnel</h2>{img("funnel_png", "Funnel")}
{_table(["step", "people", "rate"], [["viewers (signed in)", funnel.viewers, ""],
                                    ["claimed in a drop", funnel.claimers, rate(funnel.claim_rate)],
                                    ["paid", funnel.payers, rate(funnel.pay_rate)],
                                    ["conversion", "", rate(funnel.conversion)]])}
<h2>Import index</h2>
<p>Each origin country's share of tonight's GMV against its share of the {len(report.earlier_shows)} earlier
shows' GMV together: 100 = the same weight as before, 200 = twice it; "new" = not sold before.</p>
{_table(["country", "GMV", "units", "share", "earlier GMV", "earlier share", "index"], index_rows)}
<h2>Customs declarations</h2>
{_table(["status", "declarations"], [[k, v] for k, v in sorted(f.declarations.items())])}
<p>CSV: {downloads}</p>
</body></html>
"""
