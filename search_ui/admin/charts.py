"""Charts drawn on the server as inline SVG: no JavaScript, nothing fetched from elsewhere.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` (what a screen
reader announces) and a ``<title>`` per mark; the page puts the same numbers in a table
beside it. Every text is escaped here, so names from the registry cannot inject markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
LABEL_WIDTH = 230
BAR_HEIGHT = 22
GAP = 8
MAP_SIZE = (640, 420)
MARGIN = 24


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value (None: no data) and the value as the reader reads it."""

    label: str
    value: float | None
    text: str


@dataclass(frozen=True)
class Point:
    """One place on the map."""

    label: str
    latitude: float
    longitude: float
    stale: bool = False


def _frame(chart_id: str, title: str, description: str, width: int, height: int,
           body: list[str]) -> Markup:
    """The accessible SVG element around ``body``."""
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-t {chart_id}-d">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(description)}</desc>{"".join(body)}</svg>')


def bar_chart(chart_id: str, title: str, description: str, bars: Sequence[Bar],
              reference: float | None = None, reference_label: str = "") -> Markup:
    """Horizontal bars scaled to the largest value (or the reference line, if larger)."""
    top = max([b.value for b in bars if b.value is not None] + [reference or 0]) or 1.0
    span = WIDTH - LABEL_WIDTH - 70
    body = []
    for n, bar in enumerate(bars):
        y = GAP + n * (BAR_HEIGHT + GAP)
        body.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" '
                    f'class="label">{escape(bar.label)}</text>')
        length = 0.0 if bar.value is None else max(1.0, span * bar.value / top)
        if bar.value is not None:
            body.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" '
                        f'height="{BAR_HEIGHT}" class="bar"><title>{escape(bar.label)}: '
                        f'{escape(bar.text)}</title></rect>')
        body.append(f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + 15}" '
                    f'class="value">{escape(bar.text)}</text>')
    height = GAP + len(bars) * (BAR_HEIGHT + GAP) + (18 if reference else 0)
    if reference:
        x = LABEL_WIDTH + span * reference / top
        body.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 16}" '
                    f'class="norm"/><text x="{x:.1f}" y="{height - 3}" text-anchor="middle" '
                    f'class="value">{escape(reference_label)}</text>')
    return _frame(chart_id, title, description, WIDTH, height, body)


@dataclass(frozen=True)
class GridRow:
    """One row of a day grid: its label and, per day, a class and what the cell says."""

    label: str
    cells: list[tuple[str, str]]


def day_grid(chart_id: str, title: str, description: str, rows: Sequence[GridRow],
             first_day: str, last_day: str) -> Markup:
    """A row of squares per label, one per day (oldest left), coloured by their class."""
    columns = max((len(r.cells) for r in rows), default=1) or 1
    size = (WIDTH - LABEL_WIDTH - 10) / columns
    body = []
    for n, row in enumerate(rows):
        y = GAP + n * (BAR_HEIGHT + GAP)
        body.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" '
                    f'class="label">{escape(row.label)}</text>')
        for k, (kind, said) in enumerate(row.cells):
            body.append(f'<rect x="{LABEL_WIDTH + k * size:.1f}" y="{y}" '
                        f'width="{size - 2:.1f}" height="{BAR_HEIGHT}" '
                        f'class="cell {escape(kind)}"><title>{escape(said)}</title></rect>')
    height = GAP + len(rows) * (BAR_HEIGHT + GAP) + 16
    body.append(f'<text x="{LABEL_WIDTH}" y="{height - 3}" class="value">'
                f'{escape(first_day)}</text><text x="{WIDTH - 10}" y="{height - 3}" '
                f'text-anchor="end" class="value">{escape(last_day)}</text>')
    return _frame(chart_id, title, description, WIDTH, height, body)


def line_chart(chart_id: str, title: str, description: str,
               series: Sequence[tuple[str, list[int]]], first: str, last: str) -> Markup:
    """One line per series over the same points in time, scaled to the largest value."""
    width, height = MAP_SIZE
    top = max((v for _label, values in series for v in values), default=0) or 1
    points = max((len(values) for _label, values in series), default=1)
    step = (width - 2 * MARGIN) / max(points - 1, 1)
    body = [f'<rect x="0" y="0" width="{width}" height="{height}" class="ground"/>']
    for n, (label, values) in enumerate(series):
        coordinates = " ".join(f"{MARGIN + k * step:.1f},"
                               f"{height - MARGIN - (height - 2 * MARGIN) * v / top:.1f}"
                               for k, v in enumerate(values))
        body.append(f'<polyline points="{coordinates}" class="line line-{n % 6}">'
                    f'<title>{escape(label)}: {values[-1] if values else 0}</title></polyline>')
    body.append(f'<text x="{MARGIN}" y="{height - 6}" class="value">{escape(first)}</text>'
                f'<text x="{width - MARGIN}" y="{height - 6}" text-anchor="end" '
                f'class="value">{escape(last)}</text><text x="{MARGIN}" y="{MARGIN - 8}" '
                f'class="value">{top}</text>')
    return _frame(chart_id, title, description, width, height, body)


def point_map(chart_id: str, title: str, description: str, points: Sequence[Point]) -> Markup:
    """Places on a plain longitude/latitude grid fitted to the points (equirectangular)."""
    width, height = MAP_SIZE
    body = [f'<rect x="0" y="0" width="{width}" height="{height}" class="ground"/>']
    if points:
        west = min(p.longitude for p in points) - 0.2
        east = max(p.longitude for p in points) + 0.2
        south = min(p.latitude for p in points) - 0.2
        north = max(p.latitude for p in points) + 0.2
        scale = min((width - 2 * MARGIN) / (east - west), (height - 2 * MARGIN) / (north - south))
        for point in points:
            x = MARGIN + (point.longitude - west) * scale
            y = MARGIN + (north - point.latitude) * scale
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" '
                        f'class="{"place stale" if point.stale else "place"}">'
                        f'<title>{escape(point.label)}</title></circle>')
    return _frame(chart_id, title, description, width, height, body)
