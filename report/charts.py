"""Charts for leaders: the targets' results and the ranking, as pictures.

Pictures rather than native charts: a native chart's data labels follow the reader's locale (Excel's always the
system's); a picture says "77,1%" everywhere and prints the same in Excel and LibreOffice. They are drawn by
matplotlib's Agg renderer (no pyplot, no GUI, safe in an Airflow worker) in DejaVu Sans, which ships with
matplotlib and has every Vietnamese glyph, and saved at a fixed dpi without the "Software" stamp (PNG carries no
date unless asked), so the same figures give the same bytes and the workbook stays reproducible.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from openpyxl.drawing.image import Image
from openpyxl.worksheet.worksheet import Worksheet

from report.numbers import vn_percent

if TYPE_CHECKING:
    from matplotlib.axes import Axes

DPI = 100
FONT = "DejaVu Sans"
SHOWN_AT_EACH_END = 8  # a long level shows its top and bottom units; the table has them all
LABEL_CHARS = 42
TARGET_CHARS = 72
BAR_IN, TITLE_IN, AXIS_IN, LABEL_IN, MARGIN_IN = 0.24, 0.45, 0.4, 3.7, 0.1
# Pictures are drawn at the size they take on the sheet (`width_in`, 96 px to the inch), their text at 12 pt (the
# targets) or 11 pt (the ranking): fitted to the page width, the sheet prints them at 9 pt or more.
TARGET_PT, RANKING_PT = 12, 11
PX_PER_IN = 96
MET_COLOUR, NOT_MET_COLOUR, OTHER_COLOUR = "#2E7D32", "#C62828", "#4472C4"


@dataclass(frozen=True)
class RankingPanel:
    """One level's ranked units, best first, with the figure they are ranked by (a fraction)."""

    title: str
    labels: Sequence[str]
    shares: Sequence[float]


@dataclass(frozen=True)
class TargetBar:
    """One target on the results chart: its Vietnamese name, this year's figure (None: no figure, no bar), the goal
    it is judged against (None: a later target, drawn as progress) and the status (transform.targets)."""

    name: str
    value: float | None
    goal: float | None
    goal_year: int | None
    status: str
    later: str = ""  # a later target shown as progress, e.g. "mục tiêu năm 2030: 70%"


def target_png(bars: Sequence[TargetBar], colours: dict[str, str], width_in: float = 14.0) -> bytes:
    """Result vs goal per target, best read top to bottom as the table: a bar coloured by its status (`colours`:
    status → colour), the goal as a black mark, every figure written beside its bar in the Vietnamese way. A
    target without a figure gets no bar (never a 0) and says "Chưa có số liệu"."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    row_in = 0.3  # one line of 12 pt: the chart of every target fits one printed page
    height_in = TITLE_IN + row_in * len(bars) + AXIS_IN + 0.6
    with rc_context({"font.family": FONT, "font.size": TARGET_PT}):
        fig = Figure(figsize=(width_in, height_in), dpi=DPI)
        FigureCanvasAgg(fig)
        label_in = 7.2
        ax = fig.add_axes((label_in / width_in, (AXIS_IN + 0.6) / height_in, (width_in - label_in - 2.6) / width_in,
                           row_in * len(bars) / height_in))
        ys = list(range(len(bars)))
        for y, bar in zip(ys, bars, strict=True):
            if bar.value is None:
                ax.text(0.01, y, bar.status, va="center", style="italic")
                continue
            ax.barh(y, bar.value, color=colours.get(bar.status, OTHER_COLOUR), height=0.6)
            text = vn_percent(bar.value)
            if bar.goal is not None:
                ax.plot([bar.goal, bar.goal], [y - 0.38, y + 0.38], color="black", linewidth=1.5)
                text += f" (mục tiêu {vn_percent(bar.goal, 0)})"
            elif bar.later:
                text += f" ({bar.later})"
            ax.text(max(bar.value, bar.goal or 0) + 0.012, y, text, va="center")
        ax.set_yticks(ys, [_short(b.name, TARGET_CHARS) for b in bars])  # the full names are in the table
        ax.set_ylim(len(bars) - 0.5, -0.5)
        ax.set_xlim(0, 1.04)  # a 100 % goal's mark stays clear of the frame
        ax.set_xticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: vn_percent(v, 0)))
        ax.grid(axis="x", alpha=0.3)
        ax.set_axisbelow(True)
        ax.spines[["top", "right"]].set_visible(False)
        handles = [Patch(color=c, label=s) for s, c in colours.items()]
        handles.append(Patch(color="black", label="Mục tiêu (vạch đen)"))
        fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def _trim(labels: Sequence[str], shares: Sequence[float]) -> tuple[list[str], list[float]]:
    keep = SHOWN_AT_EACH_END
    if len(labels) <= 2 * keep + 1:
        return list(labels), list(shares)
    hidden = len(labels) - 2 * keep
    return ([*labels[:keep], f"… {hidden} đơn vị khác …", *labels[-keep:]],
            [*shares[:keep], math.nan, *shares[-keep:]])


def _short(label: str, chars: int = LABEL_CHARS) -> str:
    return label if len(label) <= chars else label[: chars - 1] + "…"


def ranking_png(panels: Sequence[RankingPanel], width_in: float = 15.0) -> bytes:
    """Horizontal bars of what the units are ranked by (the score), one panel per level, best unit on top.

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
    with rc_context({"font.family": FONT, "font.size": RANKING_PT}):
        fig = Figure(figsize=(width_in, height_in), dpi=DPI)
        FigureCanvasAgg(fig)  # Agg explicitly: no display, same pixels everywhere
        for col, members in enumerate(columns):
            top = height_in - MARGIN_IN
            for i in members:
                (labels, shares), panel = shown[i], panels[i]
                fig.text((col * col_w + MARGIN_IN) / width_in, (top - 0.3) / height_in, panel.title,
                         fontweight="bold", fontsize=RANKING_PT + 1)
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
    ax.set_yticks(list(ys), [_short(label) for label in labels])
    ax.set_ylim(len(labels) - 0.5, -0.5)  # best on top
    ax.set_xlim(0, 1.15)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: vn_percent(v, 0)))
    for y, s in zip(ys, shares, strict=True):
        if not math.isnan(s):
            ax.text(s + 0.01, y, vn_percent(s), va="center")
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
