"""PNG charts drawn with Pillow (already a dependency): GMV per minute with the moments of
pins and drops marked, horizontal bars for breakdowns, and the funnel. Plain and readable
rather than pretty; the numbers are in the page's tables and the CSV files too."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 960, 420
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 90, 30, 40, 60
INK, GRID, BAR, PIN, DROP = (33, 37, 41), (222, 226, 230), (13, 110, 253), (25, 135, 84), (220, 53, 69)


@dataclass(frozen=True)
class Marker:
    at: datetime
    kind: str  # pin | drop
    label: str


def _font(size: int = 13) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _canvas(title: str, height: int = HEIGHT) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((MARGIN_L, 10), title, fill=INK, font=_font(16))
    return image, draw


def _money(value: Decimal | float) -> str:
    """Axis labels; the currency is in the title (the built-in font has no ¥)."""
    value = float(value)
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    return f"{value:,.0f}"


def gmv_per_minute(path: Path, minutes: Sequence[tuple[datetime, Decimal]], markers: Sequence[Marker],
                   title: str) -> Path:
    image, draw = _canvas(title)
    left, right, top, bottom = MARGIN_L, WIDTH - MARGIN_R, MARGIN_T + 10, HEIGHT - MARGIN_B
    times = [m for m, _ in minutes] + [m + timedelta(minutes=1) for m, _ in minutes] + [m.at for m in markers]
    if not times:
        draw.text((left, top + 40), "No sales.", fill=INK, font=_font())
        image.save(path)
        return path
    start, end = min(times), max(times)
    span = max((end - start).total_seconds(), 60.0)
    top_value = max([float(v) for _, v in minutes] + [1.0])

    def x(at: datetime) -> float:
        return left + (right - left) * (at - start).total_seconds() / span

    def y(value: float) -> float:
        return bottom - (bottom - top) * value / top_value

    for i in range(5):
        level = top_value * i / 4
        draw.line([(left, y(level)), (right, y(level))], fill=GRID)
        draw.text((8, y(level) - 7), _money(level), fill=INK, font=_font(11))
    bar_w = max(2.0, (right - left) * 60 / span * 0.8)
    for minute, value in minutes:
        draw.rectangle([x(minute), y(float(value)), x(minute) + bar_w, bottom], fill=BAR)
    for n, marker in enumerate(markers):
        colour = PIN if marker.kind == "pin" else DROP
        draw.line([(x(marker.at), top), (x(marker.at), bottom)], fill=colour, width=2)
        draw.text((x(marker.at) + 3, top + (n % 4) * 14), marker.label[:28], fill=colour, font=_font(11))
    draw.text((left, bottom + 8), start.strftime("%H:%M UTC"), fill=INK, font=_font(11))
    draw.text((right - 60, bottom + 8), end.strftime("%H:%M UTC"), fill=INK, font=_font(11))
    draw.text((left, bottom + 28), "bars: GMV per minute   green: product pinned   red: drop opened", fill=INK,
              font=_font(11))
    image.save(path)
    return path


def horizontal_bars(path: Path, rows: Sequence[tuple[str, float, str]], title: str) -> Path:
    """rows: (label, value, value as text), drawn largest first as given."""
    rows = list(rows)[:15]
    height = max(160, MARGIN_T + 30 + 26 * len(rows) + 20)
    image, draw = _canvas(title, height)
    label_w, right = 300, WIDTH - 160
    top_value = max([v for _, v, _ in rows] + [1.0])
    for n, (label, value, text) in enumerate(rows):
        y0 = MARGIN_T + 20 + 26 * n
        draw.text((10, y0 + 3), label[:44], fill=INK, font=_font(12))
        draw.rectangle([label_w, y0, label_w + (right - label_w) * value / top_value, y0 + 18], fill=BAR)
        draw.text((label_w + (right - label_w) * value / top_value + 6, y0 + 3), text, fill=INK, font=_font(12))
    if not rows:
        draw.text((10, MARGIN_T + 30), "No sales.", fill=INK, font=_font())
    image.save(path)
    return path
