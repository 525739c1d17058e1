"""Bar and line charts as inline SVG, drawn in Python: no JavaScript, no CDN, no library.

Pure functions from plain values to SVG markup, so that the dashboards work on an isolated
network and without JavaScript, and the geometry can be tested without a browser.

Accessibility: each chart is an `<svg role="img">` labelled by its `<title>` and `<desc>`;
every bar and point carries its own `<title>` (a tooltip, and read by screen readers), and the
pages show the same numbers in a table beside the chart. All text is escaped here; callers
mark the result safe.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

Number = int | float | Decimal

# Distinguishable colours with enough contrast on white (and not only by hue: the legend,
# the tooltips and the table carry the names).
PALETTE = (
    "#1c5fb8",
    "#c62828",
    "#2e7d32",
    "#b7791f",
    "#6a1b9a",
    "#00838f",
    "#5d4037",
    "#616e7c",
)

FONT = 12  # px, the labels' size
TOP = 12  # px above the plot, below the legend
RIGHT = 16


@dataclass(frozen=True)
class Series:
    """One named row of values, one per label (None: no value, drawn as a gap)."""

    name: str
    values: Sequence[Number | None]
    color: str = ""


# ---------------------------------------------------------------- small helpers


def text_width(text: str, size: float = FONT) -> float:
    """An estimate of the drawn width: CJK characters are square, Latin ones narrower."""
    width = 0.0
    for ch in text:
        width += size if ord(ch) > 0x2E80 else size * 0.6
    return width


def nice_ceiling(value: float, ticks: int = 5) -> tuple[float, float]:
    """(step, top): a round step (1, 2, 2.5 or 5 × 10ⁿ) and the first multiple ≥ value."""
    if value <= 0:
        return 1.0, float(ticks)
    raw = value / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step * ticks >= value:
            break
    top = math.ceil(value / step - 1e-9) * step
    return step, top


def _fmt(value: float, percent: bool) -> str:
    if percent:
        return f"{value:.1f}%".replace(".0%", "%")
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _num(value: Number | None) -> float | None:
    return None if value is None else float(value)


def _color(series: Series, index: int) -> str:
    return series.color or PALETTE[index % len(PALETTE)]


@dataclass(frozen=True)
class _Frame:
    """The plot area inside the picture, and how labels are set."""

    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    rotate: bool

    @property
    def plot_w(self) -> float:
        return self.right - self.left

    @property
    def plot_h(self) -> float:
        return self.bottom - self.top


def _frame(
    width: int,
    height: int,
    labels: Sequence[str],
    tick_labels: Sequence[str],
    legend_rows: int,
    y_label: str,
    x_label: str,
) -> _Frame:
    left = 8 + (FONT + 6 if y_label else 0) + max((text_width(t) for t in tick_labels), default=0)
    left = max(left + 8, 40)
    top = TOP + legend_rows * (FONT + 8)
    slot = (width - left - RIGHT) / max(len(labels), 1)
    longest = max((text_width(str(label)) for label in labels), default=0)
    rotate = longest > slot - 4
    # Rotated labels need room below the axis: their width times sin(40°).
    under = (longest * 0.66 + FONT) if rotate else FONT + 6
    bottom = height - 8 - under - (FONT + 8 if x_label else 0)
    return _Frame(width, height, left, top, width - RIGHT, bottom, rotate)


def _legend(series: Sequence[Series], width: int) -> tuple[list[str], int]:
    """The legend's markup (swatch and name per series) and the number of rows it takes."""
    if len(series) < 2:
        return [], 0
    parts, x, row = [], 8.0, 0
    for i, s in enumerate(series):
        item = 14 + text_width(s.name) + 16
        if x + item > width - 8 and x > 8:
            x, row = 8.0, row + 1
        y = TOP + row * (FONT + 8)
        parts.append(
            f'<g class="legend-item"><rect x="{x:.1f}" y="{y - FONT + 2:.1f}" width="10" '
            f'height="10" fill="{_color(s, i)}"/><text x="{x + 14:.1f}" y="{y:.1f}">'
            f"{escape(s.name)}</text></g>"
        )
        x += item
    return parts, row + 1


def _open(ident: str, title: str, desc: str, width: int, height: int, kind: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'preserveAspectRatio="xMinYMin meet" aria-labelledby="{ident}-title {ident}-desc" '
        f'font-size="{FONT}" font-family="inherit">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
    ]


def _axes(
    f: _Frame,
    labels: Sequence[str],
    step: float,
    top_value: float,
    percent: bool,
    y_label: str,
    x_label: str,
    centres: Sequence[float],
) -> list[str]:
    out = ['<g class="axes" fill="#616e7c" stroke="none">']
    n = round(top_value / step)
    for i in range(n + 1):
        value = step * i
        y = f.bottom - f.plot_h * (value / top_value)
        out.append(
            f'<line class="grid" x1="{f.left:.1f}" x2="{f.right:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{"#9aa5b1" if i == 0 else "#e4e8ee"}" stroke-width="1"/>'
        )
        out.append(
            f'<text class="tick" x="{f.left - 6:.1f}" y="{y + FONT / 3:.1f}" '
            f'text-anchor="end">{_fmt(value, percent)}</text>'
        )
    for label, x in zip(labels, centres, strict=True):
        y = f.bottom + FONT + 4
        if f.rotate:
            out.append(
                f'<text class="label" x="{x:.1f}" y="{y:.1f}" text-anchor="end" '
                f'transform="rotate(-40 {x:.1f} {y:.1f})">{escape(str(label))}</text>'
            )
        else:
            out.append(
                f'<text class="label" x="{x:.1f}" y="{y:.1f}" text-anchor="middle">'
                f"{escape(str(label))}</text>"
            )
    if y_label:
        cx, cy = 8 + FONT, f.top + f.plot_h / 2
        out.append(
            f'<text class="axis-title" x="{cx:.1f}" y="{cy:.1f}" text-anchor="middle" '
            f'transform="rotate(-90 {cx:.1f} {cy:.1f})">{escape(y_label)}</text>'
        )
    if x_label:
        out.append(
            f'<text class="axis-title" x="{f.left + f.plot_w / 2:.1f}" y="{f.height - 6:.1f}" '
            f'text-anchor="middle">{escape(x_label)}</text>'
        )
    out.append("</g>")
    return out


def _empty(f: _Frame, message: str) -> str:
    return (
        f'<text class="empty" x="{f.left + f.plot_w / 2:.1f}" y="{f.top + f.plot_h / 2:.1f}" '
        f'text-anchor="middle" fill="#616e7c">{escape(message)}</text>'
    )


def _check(labels: Sequence[str], series: Sequence[Series]) -> None:
    for s in series:
        if len(s.values) != len(labels):
            raise ValueError(
                f"series {s.name!r} has {len(s.values)} values for {len(labels)} labels"
            )


# ---------------------------------------------------------------- the charts


def bar_chart(
    *,
    ident: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    y_label: str,
    x_label: str = "",
    desc: str = "",
    stacked: bool = False,
    percent: bool = False,
    width: int = 640,
    height: int = 300,
    empty: str = "暂无数据",
) -> str:
    """Vertical bars, one group per label (grouped side by side, or stacked).

    A bar's height is proportional to its value: value / top × plot height, where top is the
    axis' round maximum (100 for percentages). Each bar carries `data-value` for tests.
    """
    _check(labels, series)
    if stacked:
        totals = [sum(_num(s.values[i]) or 0.0 for s in series) for i in range(len(labels))]
        peak = max(totals, default=0.0)
    else:
        peak = max((_num(v) or 0.0 for s in series for v in s.values), default=0.0)
    step, top_value = (20.0, 100.0) if percent else nice_ceiling(peak)
    ticks = [_fmt(step * i, percent) for i in range(round(top_value / step) + 1)]
    legend, rows = _legend(series, width)
    f = _frame(width, height, labels, ticks, rows, y_label, x_label)
    slot = f.plot_w / max(len(labels), 1)
    centres = [f.left + slot * (i + 0.5) for i in range(len(labels))]
    out = _open(ident, title, desc or title, width, height, "bar")
    out += legend
    out += _axes(f, labels, step, top_value, percent, y_label, x_label, centres)
    # Counts that are all zero are nothing to draw; a 0% rate is a value (a zero-height bar).
    nothing = all(v is None for s in series for v in s.values) if percent else peak <= 0
    if nothing or not labels:
        out.append(_empty(f, empty))
        out.append("</svg>")
        return "".join(out)
    out.append('<g class="bars">')
    group = slot * 0.72
    bar_w = group if stacked else group / max(len(series), 1)
    for i, (label, centre) in enumerate(zip(labels, centres, strict=True)):
        base = f.bottom
        for j, s in enumerate(series):
            value = _num(s.values[i])
            if value is None:
                continue
            h = f.plot_h * (value / top_value)
            x = centre - group / 2 + (0 if stacked else j * bar_w)
            y = base - h
            tip = (
                f"{label} · {s.name}: {_fmt(value, percent)}"
                if len(series) > 1
                else (f"{label}: {_fmt(value, percent)}")
            )
            out.append(
                f'<rect class="bar" x="{x:.2f}" y="{y:.2f}" width="{max(bar_w - 1, 1):.2f}" '
                f'height="{h:.2f}" fill="{_color(s, j)}" data-value="{value:g}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            if stacked:
                base = y
        if len(series) == 1 and not stacked:
            value = _num(series[0].values[i])
            if value is not None and bar_w >= text_width(_fmt(value, percent), FONT - 1):
                y = f.bottom - f.plot_h * (value / top_value) - 4
                out.append(
                    f'<text class="value" x="{centre:.1f}" y="{y:.1f}" text-anchor="middle" '
                    f'font-size="{FONT - 1}" fill="#1f2933">{_fmt(value, percent)}</text>'
                )
    out.append("</g></svg>")
    return "".join(out)


def line_chart(
    *,
    ident: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    y_label: str,
    x_label: str = "",
    desc: str = "",
    percent: bool = False,
    width: int = 640,
    height: int = 300,
    empty: str = "暂无数据",
) -> str:
    """Lines with a marked point per value; a None value breaks the line."""
    _check(labels, series)
    values = [_num(v) for s in series for v in s.values if v is not None]
    peak = max(values, default=0.0)
    step, top_value = (20.0, 100.0) if percent else nice_ceiling(peak)
    ticks = [_fmt(step * i, percent) for i in range(round(top_value / step) + 1)]
    legend, rows = _legend(series, width)
    f = _frame(width, height, labels, ticks, rows, y_label, x_label)
    slot = f.plot_w / max(len(labels), 1)
    centres = [f.left + slot * (i + 0.5) for i in range(len(labels))]
    out = _open(ident, title, desc or title, width, height, "line")
    out += legend
    out += _axes(f, labels, step, top_value, percent, y_label, x_label, centres)
    if not values:
        out.append(_empty(f, empty))
        out.append("</svg>")
        return "".join(out)
    out.append('<g class="lines">')
    for j, s in enumerate(series):
        color = _color(s, j)
        runs: list[list[tuple[float, float]]] = [[]]
        points = []
        for i, (label, centre) in enumerate(zip(labels, centres, strict=True)):
            value = _num(s.values[i])
            if value is None:
                runs.append([])
                continue
            y = f.bottom - f.plot_h * (value / top_value)
            runs[-1].append((centre, y))
            tip = f"{label} · {s.name}: {_fmt(value, percent)}"
            points.append(
                f'<circle class="point" cx="{centre:.2f}" cy="{y:.2f}" r="3.5" fill="{color}" '
                f'data-value="{value:g}"><title>{escape(tip)}</title></circle>'
            )
        for run in runs:
            if len(run) > 1:
                coords = " ".join(f"{x:.2f},{y:.2f}" for x, y in run)
                out.append(
                    f'<polyline class="line" points="{coords}" fill="none" stroke="{color}" '
                    f'stroke-width="2" data-series={quoteattr(s.name)}/>'
                )
        out += points
    out.append("</g></svg>")
    return "".join(out)
