"""PNG charts drawn from a card's chart numbers (`handlers.messages.ChartData`), with matplotlib's object-oriented API
on the Agg backend.

Cards carry only the numbers; a sender draws the PNG when it delivers the card (`draw`), so that queueing the Monday
digests of thousands of managers draws nothing, and identical charts (the same numbers, title and labels) are drawn
once per process (a small cache).

Only `matplotlib.figure.Figure` and `FigureCanvasAgg` are used, never `pyplot`: pyplot keeps global state (the
current figure, a GUI backend chosen at import) that a long-running, concurrent server must not have. Each chart is
small (a few hundred pixels at a low dpi) so that several fit in a Teams card. A value that is None is a cell the
anonymity threshold hides: it is left blank, never drawn, and no label shows a number for it.
"""

from __future__ import annotations

import base64
import math
import textwrap
from collections.abc import Sequence
from functools import lru_cache
from io import BytesIO
from typing import TYPE_CHECKING

from handlers.messages import BarsChart, ChartData, GridChart, TrendChart

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 72
WIDTH = 4.8
HEIGHT = 2.6
ROW_HEIGHT = 0.32
MAX_ROWS = 12
SCORE_MAX = 10.0
ENPS_RANGE = (-100.0, 100.0)
LABEL_LENGTH = 24
TITLE_LENGTH = 48
CROWDED_POINTS = 3
COLOURS = 32
ACCENT = "#4a6cf7"
MUTED = "#9aa3b5"


def _figure(width: float = WIDTH, height: float = HEIGHT) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> str:
    """The figure as a base64 PNG of at most `COLOURS` colours: a quarter of the bytes of a full-colour one, so that
    charts fit in a Teams card (no metadata either: the same numbers always give the same bytes)."""
    from PIL import Image as Picture

    canvas = figure.canvas
    canvas.draw()
    width, height = canvas.get_width_height()
    rgba = Picture.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)  # type: ignore[attr-defined]
    buffer = BytesIO()
    rgba.convert("RGB").quantize(colors=COLOURS).save(buffer, format="PNG", optimize=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _margins(
    figure: Figure, *, left_chars: int = 4, fontsize: float = 8, bottom: float = 0.35, title_lines: int = 1
) -> None:
    """Room for the tick labels, computed from their length (a character is about 0.6 em wide), and the title: the
    same layout as `tight_layout`, without drawing every chart twice to measure it."""
    width, height = figure.get_size_inches()
    left = (left_chars * 0.6 * fontsize / DPI + 0.15) / width
    top = 1 - (0.2 + 0.17 * title_lines) / height
    figure.subplots_adjust(left=min(0.55, left), right=0.9, top=top, bottom=min(0.5, bottom / height))


def _title(axes: Axes, title: str) -> int:
    """The title, on as many lines as it needs to stay within the chart (a long French one wraps); how many."""
    lines = textwrap.wrap(title, TITLE_LENGTH) or [""]
    axes.set_title("\n".join(lines), fontsize=10)
    return len(lines)


def label(text: str) -> str:
    """A tick label short enough to leave the chart room (the text alternative keeps the full name)."""
    return text if len(text) <= LABEL_LENGTH else text[: LABEL_LENGTH - 1].rstrip() + "…"


CACHED_CHARTS = 256


@lru_cache(maxsize=CACHED_CHARTS)
def draw(chart: ChartData) -> str:
    """The chart as a base64 PNG; the same numbers give the same bytes, so a chart already drawn is reused."""
    return render(chart)


def render(chart: ChartData) -> str:
    """The chart drawn now, as a base64 PNG (`draw` keeps the last ones drawn)."""
    return _png(figure(chart))


def figure(chart: ChartData) -> Figure:
    """The matplotlib figure of a chart's numbers."""
    if isinstance(chart, TrendChart):
        return trend_figure(chart.title, chart.points, bounds=(chart.low, chart.high))
    if isinstance(chart, BarsChart):
        return bars_figure(chart.title, chart.bars, limit=chart.limit, percent=chart.percent)
    assert isinstance(chart, GridChart)
    return grid_figure(chart.title, chart.rows, chart.columns, chart.cells)


def trend_figure(title: str, points: Sequence[tuple[str, float]], *, bounds: tuple[float, float]) -> Figure:
    """A line through the measures in order (oldest first), each labelled with its value."""
    figure = _figure()
    axes = figure.add_subplot()
    labels = [label(name) for name, _ in points]
    values = [value for _, value in points]
    positions = list(range(len(points)))
    axes.plot(positions, values, marker="o", color=ACCENT)
    for position, value in zip(positions, values, strict=True):
        axes.annotate(f"{value:+.0f}", (position, value), textcoords="offset points", xytext=(0, 6), ha="center")
    crowded = len(points) > CROWDED_POINTS
    if crowded:
        axes.set_xticks(positions, labels, fontsize=7, rotation=25, ha="right")
    else:
        axes.set_xticks(positions, labels)
    axes.set_ylim(*bounds)
    axes.axhline(0, color=MUTED, linewidth=0.8)
    longest = max((len(name) for name in labels), default=4)
    _margins(figure, bottom=0.2 + longest * 0.04 if crowded else 0.35, title_lines=_title(axes, title))
    return figure


def bars_figure(
    title: str, bars: Sequence[tuple[str, float, float | None]], *, limit: float, percent: bool = False
) -> Figure:
    """Horizontal bars (first at the top) with an optional earlier value as a marker, each labelled with its value."""
    shown = list(bars[:MAX_ROWS])
    figure = _figure(height=max(HEIGHT, 0.8 + ROW_HEIGHT * len(shown)))
    axes = figure.add_subplot()
    positions = list(range(len(shown)))[::-1]
    values = [value for _, value, _ in shown]
    axes.barh(positions, values, color=ACCENT, height=0.6)
    for position, (_, value, before) in zip(positions, shown, strict=True):
        if before is not None:
            axes.plot([before], [position], marker="|", markersize=12, color="black")
        text = f"{value:.0%}" if percent else f"{value:.1f}"
        axes.annotate(text, (value, position), textcoords="offset points", xytext=(3, -3), fontsize=8)
    axes.set_yticks(positions, [label(name) for name, _, _ in shown], fontsize=8)
    axes.set_xlim(0, limit * 1.15)
    if percent:
        from matplotlib.ticker import PercentFormatter

        axes.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    lines = _title(axes, title)
    _margins(figure, left_chars=max((len(label(name)) for name, _, _ in shown), default=4), title_lines=lines)
    return figure


def grid_figure(
    title: str, rows: Sequence[str], columns: Sequence[str], cells: Sequence[Sequence[float | None]]
) -> Figure:
    """A heat map of scores on 0–10; a None cell (hidden) is masked: nothing is painted or written there."""
    import numpy

    rows = list(rows[:MAX_ROWS])
    matrix = numpy.ma.masked_invalid(
        numpy.array([[math.nan if value is None else value for value in row] for row in cells[: len(rows)]], float)
    )
    figure = _figure(width=max(WIDTH, 1.6 + 0.55 * len(columns)), height=max(HEIGHT, 1.0 + ROW_HEIGHT * len(rows)))
    axes = figure.add_subplot()
    from matplotlib import colormaps

    palette = colormaps["RdYlGn"].with_extremes(bad=(1.0, 1.0, 1.0, 0.0))
    axes.imshow(matrix, cmap=palette, vmin=0, vmax=SCORE_MAX, aspect="auto")
    for row, values in enumerate(cells[: len(rows)]):
        for column, value in enumerate(values):
            if value is not None:
                axes.text(column, row, f"{value:.1f}", ha="center", va="center", fontsize=7)
    axes.set_xticks(range(len(columns)), [label(name) for name in columns], fontsize=7, rotation=30, ha="right")
    axes.set_yticks(range(len(rows)), [label(name) for name in rows], fontsize=7)
    lines = _title(axes, title)
    longest = max((len(label(name)) for name in columns), default=4)
    left = max((len(label(name)) for name in rows), default=4)
    _margins(figure, left_chars=left, fontsize=7, bottom=0.2 + longest * 0.03, title_lines=lines)
    return figure
