"""A small table writer shared by every report sheet: headers, borders, formats, print setup."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime

from openpyxl.worksheet.worksheet import Worksheet

from dvctt.xlsx import write_text
from templates import styles as S


def _clean(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalar → Python
        return _clean(value.item())
    if isinstance(value, datetime):
        return value.replace(microsecond=0)
    return value


def setup_sheet(ws: Worksheet, title: str, subtitle: str, header_row: int, footer: str) -> None:
    ws["A1"] = title
    ws["A1"].font = S.TITLE
    ws["A2"] = subtitle
    ws["A2"].font = S.ITALIC
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.oddHeader.center.text = title
    ws.oddFooter.left.text = footer
    ws.oddFooter.right.text = "Trang &P/&N"


def write_table(ws: Worksheet, header_row: int, headers: Sequence[str], rows: Sequence[Sequence[object]],
                widths: Sequence[int], formats: dict[int, str] | None = None) -> int:
    """Write a bordered table; returns the last row written. `formats` maps 0-based column → number format."""
    formats = formats or {}
    for col, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row=header_row, column=col, value=text)
        cell.font, cell.fill, cell.border, cell.alignment = S.BOLD, S.HEADER_FILL, S.BOX, S.CENTER
        ws.column_dimensions[cell.column_letter].width = width
    r = header_row
    for r, values in enumerate(rows, start=header_row + 1):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            value = _clean(value)
            if isinstance(value, str):
                write_text(cell, value)
            else:
                cell.value = value
            cell.font, cell.border = S.NORMAL, S.BOX
            if isinstance(value, datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
            elif isinstance(value, date):
                cell.number_format = "dd/mm/yyyy"
            elif c - 1 in formats:
                cell.number_format = formats[c - 1]
            if isinstance(value, str) and len(value) > 40:
                cell.alignment = S.WRAP
    if rows:
        ws.auto_filter.ref = f"A{header_row}:{ws.cell(row=r, column=len(headers)).coordinate}"
    return r
