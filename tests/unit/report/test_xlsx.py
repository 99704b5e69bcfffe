"""Streamed rows (report.xlsx): they land between openpyxl's rows, styled, and never overwrite a cell."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from report.tables import write_table
from report.xlsx import CellXml, RowBlock, row_xml, save_workbook, stream_rows


def test_streamed_rows_land_in_order_with_styles_and_the_sheet_dimension(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "tiêu đề"
    last = write_table(ws, 3, ["Mã", "Số", "Ngày"], [["=1+1", 2.5, date(2025, 6, 30)], ["b", None, None]],
                       [10, 10, 10], {1: "0.0%"}, bold_rows=[1])
    ws.cell(row=last + 2, column=1, value="ghi chú")
    path = save_workbook(wb, tmp_path / "t.xlsx")
    back = load_workbook(path).active
    assert [[c.value for c in row] for row in back.iter_rows(min_row=4, max_row=5)] == \
        [["=1+1", 2.5, datetime(2025, 6, 30)], ["b", None, None]]  # noqa: DTZ001 - a date reads back as midnight
    assert back["A4"].data_type == "s" and back["A4"].quotePrefix  # text, and stays text when edited
    assert back["B4"].number_format == "0.0%" and back["A5"].font.b and not back["A4"].font.b
    assert back["B5"].border.left.style == "thin"  # a blank table cell keeps its border
    assert back["A7"].value == "ghi chú" and back.max_row == 7 and back.max_column == 3


def test_a_cell_written_inside_streamed_rows_is_refused(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    render = CellXml()
    stream_rows(ws, RowBlock(2, 3, 1, [row_xml(r, [render.cell(f"A{r}", r)]).encode() for r in (2, 3)]))
    ws["A3"] = "x"  # an openpyxl cell in rows 2–3 would be written twice
    with pytest.raises(ValueError, match="row 3"):
        save_workbook(wb, tmp_path / "t.xlsx")
    assert not (tmp_path / "t.xlsx").exists()
