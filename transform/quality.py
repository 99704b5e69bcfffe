"""Data-quality warnings: figures that load but deserve a second look before leaders read them.

Uses the modified z-score (Iglewicz–Hoaglin: 0.6745·(x − median)/MAD, flagged above 3.5), which
unlike a plain z-score is not dragged by the very outlier it should catch, and works on the
small samples a unit's history gives. Warnings never block a file; they name the cell.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, cast

import pandas as pd

from core import layout as L
from core.catalogue import Catalogue, Kind
from core.records import Finding, Submission
from core.text import vn_count

THRESHOLD = 3.5
MIN_HISTORY = 3
MIN_PEERS = 8
VND_FLOOR = 100_000  # budget below 100.000 đồng was almost surely typed in millions
# Stored peer statistics serve while at most this share of an indicator's peers changed since they were computed:
# a median and MAD of 10,000 communes hardly move when 100 of them resubmit, and reading them all again for
# every file would cost seconds. Groups under 100 peers are recomputed on every change, so stay exact.
STALE_SHARE = 0.01


def robust_stats(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group of `keys`: the median, count and median absolute deviation of `value`."""
    grouped = frame.groupby(keys)["value"]
    stats = grouped.agg(median="median", n="count").reset_index()
    dev = frame.merge(stats[[*keys, "median"]], on=keys)
    dev["dev"] = (dev["value"] - dev["median"]).abs()
    return stats.merge(dev.groupby(keys)["dev"].median().rename("mad").reset_index(), on=keys)


def _flag(batch: pd.DataFrame, stats: pd.DataFrame, keys: list[str], minimum: int) -> pd.DataFrame:
    """Rows of `batch` whose modified z-score against `stats` exceeds the threshold."""
    if not len(stats):
        return batch.iloc[0:0].assign(median=[])
    m = batch.merge(stats, on=keys, how="inner")
    m = m[(m["n"] >= minimum) & (m["mad"] > 0)]
    z = 0.6745 * (m["value"] - m["median"]) / m["mad"]
    return m[z.abs() > THRESHOLD]


class _Figure(Protocol):
    """A row of `batch` from `itertuples`, whose fields pandas-stubs type as any scalar."""

    file_id: str
    sheet: str
    cell: str
    value: float
    denominator: float  # NaN for a count


class _Flagged(_Figure, Protocol):
    """A row `_flag` returns: the figure with its group's median."""

    median: float


def _fmt(x: float, share: bool) -> str:
    return f"{x:.1%}".replace(".", ",") if share else f"{x:,.0f}".replace(",", ".")


def quality_warnings(batch: pd.DataFrame, history: pd.DataFrame, peers: pd.DataFrame) -> list[Finding]:
    """Vectorised: cost grows with rows, one groupby per source whatever the number of files.

    `batch`: file_id, unit_code, level, indicator_code, denominator, value, sheet, cell (new figures);
    `history`: unit_code, indicator_code, year, value (earlier years);
    `peers`: level, indicator_code, median, n, mad: `robust_stats` of this year's current figures, all units.
    """
    batch = batch.dropna(subset=["value"])
    out: list[Finding] = []
    if len(history):
        flagged = _flag(
            batch, robust_stats(history, ["unit_code", "indicator_code"]), ["unit_code", "indicator_code"], MIN_HISTORY
        )
        for r in cast(Iterator[_Flagged], flagged.itertuples(index=False)):
            out.append(
                Finding(
                    r.file_id,
                    "warning",
                    "outlier_history",
                    r.sheet,
                    r.cell,
                    _fmt(r.value, pd.notna(r.denominator)),
                    f"Gần với các năm trước (trung vị {_fmt(r.median, pd.notna(r.denominator))})",
                    "Số liệu chênh lệch lớn so với các năm trước của đơn vị. Hãy kiểm tra lại; nếu đúng, không cần sửa.",
                )
            )
    if len(peers):
        flagged = _flag(batch, peers, ["level", "indicator_code"], MIN_PEERS)
        for r in cast(Iterator[_Flagged], flagged.itertuples(index=False)):
            out.append(
                Finding(
                    r.file_id,
                    "warning",
                    "outlier_peers",
                    r.sheet,
                    r.cell,
                    _fmt(r.value, pd.notna(r.denominator)),
                    f"Gần với các đơn vị cùng cấp (trung vị {_fmt(r.median, pd.notna(r.denominator))})",
                    "Số liệu khác thường so với các đơn vị cùng cấp. Hãy kiểm tra lại đơn vị tính "
                    "và số liệu; nếu đúng, không cần sửa.",
                )
            )
    budget = batch[(batch["indicator_code"] == "HD_KINHPHI") & (batch["value"] > 0) & (batch["value"] < VND_FLOOR)]
    for row in cast(Iterator[_Figure], budget.itertuples(index=False)):
        out.append(
            Finding(
                row.file_id,
                "warning",
                "implausible",
                row.sheet,
                row.cell,
                _fmt(row.value, pd.notna(row.denominator)),
                "Kinh phí ghi bằng đồng (ví dụ 15000000)",
                "Kinh phí quá nhỏ, có thể đã ghi theo triệu đồng. Hãy ghi số tiền bằng đồng.",
            )
        )
    return sorted(out, key=lambda f: (f.file_id, f.sheet, f.cell, f.rule))


def dropped_figure(catalogue: Catalogue, file_id: str, sub: Submission, code: str,
                   previous: tuple[float | None, float | None], previous_name: str) -> Finding:
    """A warning for a figure the unit's current version has and this file leaves out: it names the code and its
    label, the cell left blank (where the row still is) and the figure that will vanish from the report."""
    item = catalogue.get(code)
    kind = item.kind if item else Kind.COUNT
    label = f"{code} «{item.label}»" if item else code
    num, den = previous
    shown = ((L.YES if num else L.NO) if kind is Kind.YES_NO
             else f"{vn_count(num)}/{vn_count(den)}" if kind is Kind.RATIO else vn_count(num))
    here = next((c for c in sub.cells if c["item_code"] == code and c["field"] in ("numerator", "yes_no", "count")),
                None)
    sheet = here["sheet"] if here else (L.SHEET_ACTIVITIES if kind is Kind.COUNT else L.SHEET_TARGETS)
    where = f"ô {here['cell']} đang để trống" if here else "không còn dòng của chỉ tiêu này"
    source = f"tệp «{previous_name}»" if previous_name else "bản trước"
    return Finding(file_id, "warning", "figure_dropped", sheet, here["cell"] if here else "", "",
                   f"Số liệu {label} như bản đang dùng: {shown}",
                   f"Bản đang dùng ({source}) có số liệu {label} = {shown}; tệp này {where}, nên số liệu đó sẽ không "
                   "còn trong báo cáo. Nếu bỏ trống là đúng thì không cần làm gì; nếu bị sót, hãy điền lại và nộp lại "
                   "tệp.")
