"""Charts for leaders: a native Excel bar chart they can edit, and a picture of the ranking.

The ranking picture is drawn by matplotlib's Agg renderer (no pyplot, no GUI, safe in an Airflow
worker) in DejaVu Sans, which ships with matplotlib and has every Vietnamese glyph. It is saved
at a fixed dpi without the "Software" stamp (PNG carries no date unless asked), so the same
figures give the same bytes and the workbook stays reproducible.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from openpyxl.chart import BarChart, Reference
from openpyxl.drawing.image import Image
from openpyxl.worksheet.worksheet import Worksheet

if TYPE_CHECKING:
    from matplotlib.axes import Axes

DPI = 100
FONT = "DejaVu Sans"
SHOWN_AT_EACH_END = 8  # a long level shows its top and bottom units; the table has them all
LABEL_CHARS = 58
BAR_IN, TITLE_IN, AXIS_IN, LABEL_IN, MARGIN_IN = 0.24, 0.45, 0.4, 3.7, 0.1
MET_COLOUR, OTHER_COLOUR, TARGET_COLOUR = "#2E7D32", "#4472C4", "#A5A5A5"


@dataclass(frozen=True)
class RankingPanel:
    """One level's ranked units, best first."""

    title: str
    labels: Sequence[str]
    shares: Sequence[float]


def vn_percent(value: float, digits: int = 1) -> str:
    """85.5% written the Vietnamese way: 85,5%."""
    return f"{value:.{digits}%}".replace(".", ",")


def target_chart(ws: Worksheet, *, header_row: int, last_row: int, category_col: int, result_col: int,
                 target_col: int, anchor: str, title: str) -> None:
    """Result vs target per indicator, as a native chart over the summary table's own cells."""
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "clustered"
    chart.title = title
    chart.style = 10
    for col in (result_col, target_col):
        chart.add_data(Reference(ws, min_col=col, min_row=header_row, max_row=last_row), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=category_col, min_row=header_row + 1, max_row=last_row))
    for series, colour in zip(chart.series, (OTHER_COLOUR, TARGET_COLOUR), strict=True):
        series.graphicalProperties.solidFill = colour[1:]
        series.graphicalProperties.line.solidFill = colour[1:]
    chart.x_axis.scaling.orientation = "maxMin"  # first indicator on top, as in the table
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.majorUnit = 0.2
    chart.y_axis.number_format = "0%"
    chart.legend.position = "b"
    chart.width, chart.height = 30, 15  # cm
    ws.add_chart(chart, anchor)


def _trim(labels: Sequence[str], shares: Sequence[float]) -> tuple[list[str], list[float]]:
    keep = SHOWN_AT_EACH_END
    if len(labels) <= 2 * keep + 1:
        return list(labels), list(shares)
    hidden = len(labels) - 2 * keep
    return ([*labels[:keep], f"… {hidden} đơn vị khác …", *labels[-keep:]],
            [*shares[:keep], math.nan, *shares[-keep:]])


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def ranking_png(panels: Sequence[RankingPanel], width_in: float = 15.0) -> bytes:
    """Horizontal bars of the share of targets met, one panel per level, best unit on top.

    Panels fill two columns (shortest column first) so the picture fits a landscape page; the
    layout is computed in inches rather than by a layout engine, which keeps drawing to one pass.
    """
    from matplotlib import rc_context  # imported here: ingest and the CLI need no matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    shown = [_trim(p.labels, p.shares) for p in panels]
    n_cols = min(2, len(panels))
    col_w = width_in / n_cols
    heights = [TITLE_IN + BAR_IN * len(labels) + AXIS_IN for labels, _ in shown]
    columns: list[list[int]] = [[] for _ in range(n_cols)]
    filled = [0.0] * n_cols
    for i, h in enumerate(heights):
        col = filled.index(min(filled))
        columns[col].append(i)
        filled[col] += h
    height_in = max(filled) + 2 * MARGIN_IN
    with rc_context({"font.family": FONT, "font.size": 9}):
        fig = Figure(figsize=(width_in, height_in), dpi=DPI)
        FigureCanvasAgg(fig)  # Agg explicitly: no display, same pixels everywhere
        for col, members in enumerate(columns):
            top = height_in - MARGIN_IN
            for i in members:
                (labels, shares), panel = shown[i], panels[i]
                fig.text((col * col_w + MARGIN_IN) / width_in, (top - 0.3) / height_in, panel.title,
                         fontweight="bold", fontsize=10)
                top -= TITLE_IN
                bars_h = BAR_IN * len(labels)
                ax = fig.add_axes(((col * col_w + LABEL_IN) / width_in, (top - bars_h) / height_in,
                                   (col_w - LABEL_IN - MARGIN_IN * 4) / width_in, bars_h / height_in))
                _draw_panel(ax, labels, shares)
                top -= bars_h + AXIS_IN
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def _draw_panel(ax: Axes, labels: Sequence[str], shares: Sequence[float]) -> None:
    from matplotlib.ticker import FuncFormatter

    ys = range(len(labels))
    bars = [0.0 if math.isnan(s) else s for s in shares]
    ax.barh(ys, bars, color=[MET_COLOUR if s >= 1 else OTHER_COLOUR for s in bars], height=0.7)
    ax.set_yticks(list(ys), [_short(label) for label in labels], fontsize=8)
    ax.set_ylim(len(labels) - 0.5, -0.5)  # best on top
    ax.set_xlim(0, 1.15)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: vn_percent(v, 0)))
    for y, s in zip(ys, shares, strict=True):
        if not math.isnan(s):
            ax.text(s + 0.01, y, vn_percent(s), va="center", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)


def embed_png(ws: Worksheet, png: bytes, anchor: str, width_px: int) -> int:
    """Place `png` at `anchor` scaled to `width_px`; returns its height in pixels."""
    img = Image(io.BytesIO(png))
    img.height = round(img.height * width_px / img.width)
    img.width = width_px
    ws.add_image(img, anchor)
    return img.height
