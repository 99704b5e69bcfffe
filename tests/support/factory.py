"""Build submission workbooks for tests from the real template, then spoil them as clerks do."""

from __future__ import annotations

import os
import time
from pathlib import Path

from openpyxl import Workbook

from core import layout as L
from core.catalogue import load_catalogue
from core.config import load_config
from core.units import load_registry
from templates.submission import build_template


def template_for(ws: Path, unit_code: str, year: int | None = None) -> Workbook:
    config = load_config(ws)
    unit = load_registry(config).get(unit_code)
    assert unit is not None, unit_code
    return build_template(unit, year or config.year, config.report_window, load_catalogue())


def row_of(sheet, code: str) -> int:
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row=row, column=2).value == code:
            return row
    raise KeyError(code)


def set_ratio(wb: Workbook, code: str, numerator: object, denominator: object) -> str:
    """Write a ratio row; returns the numerator's cell reference."""
    ws = wb[L.SHEET_TARGETS]
    r = row_of(ws, code)
    ws.cell(row=r, column=4, value=numerator)
    ws.cell(row=r, column=5, value=denominator)
    return f"D{r}"


def set_yes_no(wb: Workbook, code: str, value: object) -> str:
    ws = wb[L.SHEET_TARGETS]
    r = row_of(ws, code)
    ws.cell(row=r, column=6, value=value)
    return f"F{r}"


def set_count(wb: Workbook, code: str, value: object) -> str:
    ws = wb[L.SHEET_ACTIVITIES]
    r = row_of(ws, code)
    ws.cell(row=r, column=5, value=value)
    return f"E{r}"


def settle(path: Path) -> Path:
    """Age a file past the settle window, as if the copy finished minutes ago."""
    past = time.time() - 600
    os.utime(path, (past, past), follow_symlinks=False)
    return path


def drop(ws: Path, unit_code: str, wb: Workbook, name: str = "bao_cao.xlsx") -> Path:
    path = ws / "inbox" / unit_code / name
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return settle(path)


def drop_bytes(ws: Path, unit_code: str, data: bytes, name: str) -> Path:
    path = ws / "inbox" / unit_code / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return settle(path)
