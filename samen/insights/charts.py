"""Accessible server-side SVG charts, with the same numbers as a table and as CSV.

Pure Python, no Django import (ADR 0240): one renderer serves the web page, the PDF report
and the screen reader. Every chart

- is ``role="img"`` with ``aria-labelledby`` pointing at its own ``<title>`` and ``<desc>``;
- uses a colour-blind-safe palette whose colours reach 3:1 against white (WCAG 1.4.11) and
  dark text that reaches 4.5:1 (WCAG 1.4.3);
- never relies on colour alone: lines differ in dash and marker shape and carry their name at
  their end, bars carry their value, stacked segments carry a hatching of their own, and the
  legend repeats marker and hatching;
- carries each number as ``data-value`` on its mark, so tests (and curious readers) can check
  that the picture shows what the table and the CSV say.

Only SVG features that fpdf2 can draw into a PDF are used (no ``<pattern>``, no CSS), so the
report shows the very same charts.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

# Okabe & Ito's colour-blind-safe hues, darkened where needed to reach 3:1 against white.
PALETTE: tuple[str, ...] = ("#0072B2", "#B35900", "#007A5E", "#A3487F", "#5E4FA2", "#4D4D4D")
TEXT = "#1F1F1F"
MUTED = "#595959"
GRID = "#D9D9D9"
DASHES: tuple[str, ...] = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2")
MARKERS: tuple[str, ...] = ("circle", "square", "triangle", "diamond", "cross", "circle")
HATCHES: tuple[str, ...] = ("solid", "horizontal", "vertical", "diagonal", "dots", "grid")

WIDTH = 640
HEIGHT = 320
MARGIN_LEFT = 56
MARGIN_RIGHT = 120
MARGIN_TOP = 16
MARGIN_BOTTOM = 56
FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"'


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class ChartData:
    """What a chart shows: one value per category (x) per series.

    ``categories`` are labels already formatted for the reader (dates, channel names);
    ``category_label`` heads the first column of the table and the CSV.
    """

    title: str
    description: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    category_label: str = ""
    unit: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValueError(
                    f"series {s.name!r} has {len(s.values)} values for "
                    f"{len(self.categories)} categories"
                )

    @property
    def is_empty(self) -> bool:
        return not self.categories or not self.series

    def header(self) -> list[str]:
        return [self.category_label, *(s.name for s in self.series)]

    def rows(self) -> list[list[str]]:
        """The table body, numbers formatted as in the CSV."""
        return [
            [category, *(format_number(s.values[i]) for s in self.series)]
            for i, category in enumerate(self.categories)
        ]


def format_number(value: float) -> str:
    """Whole numbers without decimals, others with one: the precision a reader can use."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}"


def to_csv(data: ChartData, notes: Sequence[str] = ()) -> str:
    """The numbers behind a chart as CSV (comma separated, '.' decimals, header row).

    Each of ``notes`` (say, that a chosen filter was not applied) comes first as a comment
    line starting with "# ", so a reader sees it before the numbers and a program can skip
    it (as ``comment="#"`` does).

    A cell starting with =, +, - or @ is prefixed with an apostrophe so a spreadsheet does
    not run it as a formula (category labels may come from hashtags people wrote).
    """
    out = io.StringIO()
    for note in notes:
        out.write("# " + " ".join(note.split()) + "\r\n")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_safe(c) for c in data.header()])
    for row in data.rows():
        writer.writerow([_csv_safe(row[0]), *row[1:]])
    return out.getvalue()


def _csv_safe(text: str) -> str:
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


# --- contrast ----------------------------------------------------------------------------

def relative_luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# --- shared pieces -----------------------------------------------------------------------

def nice_ticks(maximum: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``maximum`` (1, 2, 2.5 or 5 times a power of ten)."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    top = math.ceil(maximum / step) * step
    n = round(top / step)
    return [round(i * step, 10) for i in range(n + 1)]


def _svg_open(chart_id: str, data: ChartData, width: int, height: int) -> list[str]:
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" class="samen-chart" id={quoteattr(chart_id)}>',
        f'<title id="{title_id}">{escape(data.title)}</title>',
        f'<desc id="{desc_id}">{escape(data.description)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#FFFFFF"/>',
    ]


def _text(x: float, y: float, text: str, *, size: int = 11, anchor: str = "start",
          colour: str = TEXT, extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" {FONT} fill="{colour}" '
            f'text-anchor="{anchor}"{extra}>{escape(text)}</text>')


def _y_axis(ticks: list[float], top: float, plot_top: float, plot_bottom: float,
            left: float, right: float, unit: str) -> list[str]:
    parts = []
    for t in ticks:
        y = plot_bottom - (t / top) * (plot_bottom - plot_top) if top else plot_bottom
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(_text(left - 6, y + 4, format_number(t), size=10, anchor="end",
                           colour=MUTED))
    if unit:
        parts.append(_text(left - 6, plot_top - 4, unit, size=10, anchor="end", colour=MUTED))
    parts.append(f'<line x1="{left}" y1="{plot_bottom}" x2="{right}" y2="{plot_bottom}" '
                 f'stroke="{MUTED}" stroke-width="1"/>')
    return parts


def _x_labels(categories: Sequence[str], xs: Sequence[float], y: float) -> list[str]:
    """Category labels along the bottom, thinned so they never overlap."""
    if not categories:
        return []
    room = (xs[-1] - xs[0]) / max(len(xs) - 1, 1) if len(xs) > 1 else 100
    longest = max(len(c) for c in categories) * 6.2
    every = max(1, math.ceil(longest / max(room, 1)))
    parts = []
    for i, (c, x) in enumerate(zip(categories, xs, strict=True)):
        if i % every == 0 or (i == len(categories) - 1 and (i % every) > every // 2):
            parts.append(_text(x, y, c, size=10, anchor="middle", colour=MUTED))
    return parts


def _marker(kind: str, x: float, y: float, colour: str, value: float, series: str,
            category: str) -> str:
    data = (f' data-value="{format_number(value)}" data-series={quoteattr(series)} '
            f'data-category={quoteattr(category)}')
    if kind == "square":
        return (f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" '
                f'fill="{colour}"{data}/>')
    if kind == "triangle":
        return (f'<path d="M{x:.1f} {y - 4.5:.1f} L{x + 4.5:.1f} {y + 3.5:.1f} '
                f'L{x - 4.5:.1f} {y + 3.5:.1f} Z" fill="{colour}"{data}/>')
    if kind == "diamond":
        return (f'<path d="M{x:.1f} {y - 5:.1f} L{x + 5:.1f} {y:.1f} L{x:.1f} {y + 5:.1f} '
                f'L{x - 5:.1f} {y:.1f} Z" fill="{colour}"{data}/>')
    if kind == "cross":
        return (f'<path d="M{x - 4:.1f} {y - 4:.1f} L{x + 4:.1f} {y + 4:.1f} M{x - 4:.1f} '
                f'{y + 4:.1f} L{x + 4:.1f} {y - 4:.1f}" stroke="{colour}" stroke-width="2" '
                f'fill="none"{data}/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"{data}/>'


def _hatch(kind: str, x: float, y: float, w: float, h: float) -> list[str]:
    """White hatching lines inside a rectangle, computed here (fpdf2 has no <pattern>)."""
    if w < 2 or h < 2 or kind == "solid":
        return []
    lines: list[tuple[float, float, float, float]] = []
    gap = 5.0
    if kind in ("horizontal", "grid"):
        yy = y + gap
        while yy < y + h:
            lines.append((x, yy, x + w, yy))
            yy += gap
    if kind in ("vertical", "grid"):
        xx = x + gap
        while xx < x + w:
            lines.append((xx, y, xx, y + h))
            xx += gap
    if kind == "diagonal":
        # Lines of slope -1 (from lower left to upper right), clipped to the rectangle.
        c = gap
        while c < w + h:
            x1, y1 = x + max(0.0, c - h), y + min(h, c)
            x2, y2 = x + min(w, c), y + max(0.0, c - w)
            lines.append((x1, y1, x2, y2))
            c += gap * 1.4
    parts = [f'<line x1="{a:.1f}" y1="{b:.1f}" x2="{cc:.1f}" y2="{d:.1f}" stroke="#FFFFFF" '
             f'stroke-width="1.5"/>' for a, b, cc, d in lines]
    if kind == "dots":
        yy = y + 3
        while yy < y + h - 1:
            xx = x + 3
            while xx < x + w - 1:
                parts.append(f'<circle cx="{xx:.1f}" cy="{yy:.1f}" r="1.1" fill="#FFFFFF"/>')
                xx += 5
            yy += 5
    return parts


def _legend(data: ChartData, *, x: float, y: float, style: str) -> list[str]:
    parts = ['<g class="legend">']
    for i, s in enumerate(data.series):
        colour = PALETTE[i % len(PALETTE)]
        yy = y + i * 18
        if style == "hatch":
            parts.append(f'<rect x="{x:.1f}" y="{yy - 9:.1f}" width="12" height="12" '
                         f'fill="{colour}"/>')
            parts.extend(_hatch(HATCHES[i % len(HATCHES)], x, yy - 9, 12, 12))
        else:
            dash = DASHES[i % len(DASHES)]
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(f'<line x1="{x:.1f}" y1="{yy - 3:.1f}" x2="{x + 16:.1f}" '
                         f'y2="{yy - 3:.1f}" stroke="{colour}" stroke-width="2"{dash_attr}/>')
        parts.append(_text(x + 20, yy + 1, _short(s.name, 16), size=10))
    parts.append("</g>")
    return parts


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _empty(data: ChartData, chart_id: str, message: str) -> str:
    parts = _svg_open(chart_id, data, WIDTH, 80)
    parts.append(_text(WIDTH / 2, 44, message, size=13, anchor="middle"))
    parts.append("</svg>")
    return "\n".join(parts)


# --- charts ------------------------------------------------------------------------------

def line_chart(data: ChartData, *, chart_id: str, area: bool = False,
               empty_message: str = "No data") -> str:
    """Several series over time (or any ordered categories); ``area`` fills under each line."""
    if data.is_empty:
        return _empty(data, chart_id, empty_message)
    left, right = MARGIN_LEFT, WIDTH - MARGIN_RIGHT
    top_y, bottom_y = MARGIN_TOP + 8, HEIGHT - MARGIN_BOTTOM
    maximum = max((v for s in data.series for v in s.values), default=0)
    ticks = nice_ticks(maximum)
    top = ticks[-1]
    n = len(data.categories)
    xs = [left + (i * (right - left) / (n - 1) if n > 1 else (right - left) / 2)
          for i in range(n)]

    def y_of(v: float) -> float:
        return bottom_y - (v / top) * (bottom_y - top_y) if top else bottom_y

    parts = _svg_open(chart_id, data, WIDTH, HEIGHT)
    parts += _y_axis(ticks, top, top_y, bottom_y, left, right, data.unit)
    parts += _x_labels(data.categories, xs, bottom_y + 16)
    if data.category_label:
        parts.append(_text((left + right) / 2, HEIGHT - 12, data.category_label, size=10,
                           anchor="middle", colour=MUTED))
    label_ys: list[float] = []
    for i, s in enumerate(data.series):
        colour = PALETTE[i % len(PALETTE)]
        points = [(x, y_of(v)) for x, v in zip(xs, s.values, strict=True)]
        parts.append(f'<g class="series" data-series={quoteattr(s.name)}>')
        if area and len(points) > 1:
            path = " ".join(f"L{x:.1f} {y:.1f}" for x, y in points)
            parts.append(f'<path d="M{points[0][0]:.1f} {bottom_y:.1f} {path} '
                         f'L{points[-1][0]:.1f} {bottom_y:.1f} Z" fill="{colour}" '
                         f'fill-opacity="0.15"/>')
        dash = DASHES[i % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        if len(points) > 1:
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" '
                         f'stroke-width="2"{dash_attr}/>')
        marker = MARKERS[i % len(MARKERS)]
        for (x, y), v, c in zip(points, s.values, data.categories, strict=True):
            parts.append(_marker(marker, x, y, colour, v, s.name, c))
        # Direct label at the end of the line, nudged so labels do not overlap.
        ly = points[-1][1] + 4
        for other in label_ys:
            if abs(ly - other) < 12:
                ly = other + 12
        label_ys.append(ly)
        parts.append(_text(points[-1][0] + 8, ly, _short(s.name, 16), size=10,
                           colour=TEXT))
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts)


def bar_chart(data: ChartData, *, chart_id: str, empty_message: str = "No data") -> str:
    """Bars per category; several series become grouped bars, each with its value on top."""
    if data.is_empty:
        return _empty(data, chart_id, empty_message)
    left, right = MARGIN_LEFT, WIDTH - (MARGIN_RIGHT if len(data.series) > 1 else 16)
    top_y, bottom_y = MARGIN_TOP + 8, HEIGHT - MARGIN_BOTTOM
    maximum = max((v for s in data.series for v in s.values), default=0)
    ticks = nice_ticks(maximum)
    top = ticks[-1]
    n = len(data.categories)
    slot = (right - left) / n
    group = slot * 0.8
    bar_w = group / len(data.series)
    parts = _svg_open(chart_id, data, WIDTH, HEIGHT)
    parts += _y_axis(ticks, top, top_y, bottom_y, left, right, data.unit)
    centres = [left + slot * (i + 0.5) for i in range(n)]
    parts += _x_labels(data.categories, centres, bottom_y + 16)
    for si, s in enumerate(data.series):
        colour = PALETTE[si % len(PALETTE)]
        parts.append(f'<g class="series" data-series={quoteattr(s.name)}>')
        for i, v in enumerate(s.values):
            x = left + slot * i + slot * 0.1 + bar_w * si
            h = (v / top) * (bottom_y - top_y) if top else 0
            parts.append(f'<rect x="{x:.1f}" y="{bottom_y - h:.1f}" width="{bar_w - 1:.1f}" '
                         f'height="{h:.1f}" fill="{colour}" data-value="{format_number(v)}" '
                         f'data-series={quoteattr(s.name)} '
                         f'data-category={quoteattr(data.categories[i])}/>')
            parts.extend(_hatch(HATCHES[si % len(HATCHES)], x, bottom_y - h, bar_w - 1, h))
            if bar_w >= 14:
                parts.append(_text(x + (bar_w - 1) / 2, bottom_y - h - 3, format_number(v),
                                   size=9, anchor="middle"))
        parts.append("</g>")
    if len(data.series) > 1:
        parts += _legend(data, x=right + 12, y=top_y + 10, style="hatch")
    parts.append("</svg>")
    return "\n".join(parts)


def stacked_bar_chart(data: ChartData, *, chart_id: str,
                      empty_message: str = "No data") -> str:
    """One bar per category, the series stacked; each segment hatched in its own way."""
    if data.is_empty:
        return _empty(data, chart_id, empty_message)
    left, right = MARGIN_LEFT, WIDTH - MARGIN_RIGHT
    top_y, bottom_y = MARGIN_TOP + 8, HEIGHT - MARGIN_BOTTOM
    n = len(data.categories)
    totals = [sum(s.values[i] for s in data.series) for i in range(n)]
    ticks = nice_ticks(max(totals, default=0))
    top = ticks[-1]
    slot = (right - left) / n
    bar_w = slot * 0.7
    parts = _svg_open(chart_id, data, WIDTH, HEIGHT)
    parts += _y_axis(ticks, top, top_y, bottom_y, left, right, data.unit)
    centres = [left + slot * (i + 0.5) for i in range(n)]
    parts += _x_labels(data.categories, centres, bottom_y + 16)
    base = [0.0] * n
    for si, s in enumerate(data.series):
        colour = PALETTE[si % len(PALETTE)]
        parts.append(f'<g class="series" data-series={quoteattr(s.name)}>')
        for i, v in enumerate(s.values):
            x = centres[i] - bar_w / 2
            h = (v / top) * (bottom_y - top_y) if top else 0
            y = bottom_y - (base[i] / top) * (bottom_y - top_y) - h if top else bottom_y
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{colour}" stroke="#FFFFFF" stroke-width="0.5" '
                         f'data-value="{format_number(v)}" data-series={quoteattr(s.name)} '
                         f'data-category={quoteattr(data.categories[i])}/>')
            parts.extend(_hatch(HATCHES[si % len(HATCHES)], x, y, bar_w, h))
            base[i] += v
        parts.append("</g>")
    for i, total in enumerate(totals):
        if bar_w >= 14:
            y = bottom_y - (total / top) * (bottom_y - top_y) if top else bottom_y
            parts.append(_text(centres[i], y - 3, format_number(total), size=9,
                               anchor="middle"))
    parts += _legend(data, x=right + 12, y=top_y + 10, style="hatch")
    parts.append("</svg>")
    return "\n".join(parts)


def radar_chart(data: ChartData, *, chart_id: str, maximum: float = 5.0,
                minimum: float = 1.0, empty_message: str = "No data") -> str:
    """A radar (spider) chart: one axis per category, one closed shape per series.

    Scores run from ``minimum`` at the centre to ``maximum`` at the rim (the scan's 1–5).
    """
    if data.is_empty or len(data.categories) < 3:
        return _empty(data, chart_id, empty_message)
    width, height = 660, 400
    cx, cy, radius = 300.0, 205.0, 135.0
    n = len(data.categories)
    angles = [-math.pi / 2 + 2 * math.pi * i / n for i in range(n)]

    def point(value: float, angle: float) -> tuple[float, float]:
        frac = (min(max(value, minimum), maximum) - minimum) / (maximum - minimum)
        return cx + radius * frac * math.cos(angle), cy + radius * frac * math.sin(angle)

    parts = _svg_open(chart_id, data, width, height)
    for level in range(int(minimum), int(maximum) + 1):
        ring = [point(level, a) for a in angles]
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in ring)
        parts.append(f'<polygon points="{pts}" fill="none" stroke="{GRID}" stroke-width="1"/>')
        lx, ly = point(level, angles[0])
        parts.append(_text(lx + 4, ly + 4, str(level), size=9, colour=MUTED))
    for a, label in zip(angles, data.categories, strict=True):
        x, y = point(maximum, a)
        parts.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        anchor = "middle" if abs(math.cos(a)) < 0.3 else ("start" if math.cos(a) > 0 else "end")
        lx = cx + (radius + 14) * math.cos(a)
        ly = cy + (radius + 14) * math.sin(a) + (4 if abs(math.sin(a)) < 0.5 else
                                                  (12 if math.sin(a) > 0 else -4))
        parts.append(_text(lx, ly, _short(label, 26), size=10, anchor=anchor))
    for si, s in enumerate(data.series):
        colour = PALETTE[si % len(PALETTE)]
        pts_list = [point(v, a) for v, a in zip(s.values, angles, strict=True)]
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts_list)
        dash = DASHES[si % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<g class="series" data-series={quoteattr(s.name)}>')
        parts.append(f'<polygon points="{pts}" fill="{colour}" fill-opacity="0.12" '
                     f'stroke="{colour}" stroke-width="2"{dash_attr}/>')
        marker = MARKERS[si % len(MARKERS)]
        for (x, y), v, c in zip(pts_list, s.values, data.categories, strict=True):
            parts.append(_marker(marker, x, y, colour, v, s.name, c))
        parts.append("</g>")
    parts += _legend(data, x=width - 140, y=30, style="line")
    parts.append("</svg>")
    return "\n".join(parts)


RENDERERS = {
    "line": lambda d, cid, empty: line_chart(d, chart_id=cid, empty_message=empty),
    "area": lambda d, cid, empty: line_chart(d, chart_id=cid, area=True, empty_message=empty),
    "bar": lambda d, cid, empty: bar_chart(d, chart_id=cid, empty_message=empty),
    "stacked": lambda d, cid, empty: stacked_bar_chart(d, chart_id=cid, empty_message=empty),
    "radar": lambda d, cid, empty: radar_chart(d, chart_id=cid, empty_message=empty),
}


def render(kind: str, data: ChartData, *, chart_id: str, empty_message: str = "No data") -> str:
    """Render ``data`` as the chart ``kind`` (line, area, bar, stacked, radar)."""
    try:
        renderer = RENDERERS[kind]
    except KeyError:
        raise ValueError(f"unknown chart kind {kind!r}; use one of {sorted(RENDERERS)}") from None
    return renderer(data, chart_id, empty_message)
