"""Independent readers for test oracles: openpyxl, not the pipeline's calamine reader."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import load_workbook


def read_data_sheet(path: Path) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name="Dữ liệu", engine="openpyxl", dtype={"unit_code": str, "parent_code": str})


def unit_file_figures(path: Path) -> dict[str, tuple[float | None, float | None]]:
    """indicator/activity code → (numerator, denominator) as written in a unit's workbook."""
    wb = load_workbook(path, data_only=True)
    out: dict[str, tuple[float | None, float | None]] = {}
    for row in wb["Chỉ tiêu"].iter_rows(min_row=4, values_only=True):
        code, num, den, yn = row[1], row[3], row[4], row[5]
        if not code:
            continue
        if yn is not None:
            out[code] = (1.0 if yn == "Có" else 0.0, 1.0)
        elif num is not None or den is not None:
            out[code] = (num, den)
    for row in wb["Hoạt động"].iter_rows(min_row=4, values_only=True):
        if row[1] and row[4] is not None:
            out[row[1]] = (row[4], None)
    return out
