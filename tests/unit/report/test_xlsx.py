"""Streamed rows (report.xlsx): they land between openpyxl's rows, styled, and never overwrite a cell."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from report.tables import CHUNK_ROWS, write_frame_table, write_table
from report.xlsx import CellXml, RowBlock, row_xml, save_workbook, stream_rows, workbook_bytes


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


def _sheet_xml(write) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "tiêu đề"
    write(ws)
    with zipfile.ZipFile(io.BytesIO(workbook_bytes(wb))) as z:
        return z.read("xl/worksheets/sheet1.xml")


TRICKY_ROWS = [  # text to wrap, a line break, formula-looking text, blanks, NaN, ints, floats, dates, a repeated value
    ["VN", "Toàn quốc", 1, 0.25, "=SUM(A1)", date(2025, 6, 30)],
    ["01", "Một tên đơn vị rất dài cần xuống dòng khi in ra giấy A4", 2, float("nan"), None, None],
    ["02", "Hai dòng\nvăn bản", -3, 1e-9, "+84 90", datetime(2025, 7, 1, 8, 30)],  # noqa: DTZ001 - wall time
    ["01", "Toàn quốc", 0, 2.5, "@x", date(2025, 6, 30)],
]


@pytest.mark.parametrize("repeat", [1, CHUNK_ROWS // 2 + 1])
def test_a_frame_table_is_written_as_write_table_writes_its_rows(repeat: int) -> None:
    """`write_frame_table` (whole columns at once) gives the bytes `write_table` (cell by cell) gives."""
    rows = TRICKY_ROWS * repeat
    headers, widths, formats = ["Mã", "Tên", "Số", "Tỷ lệ", "Ghi chú", "Ngày"], [6, 12, 8, 8, 10, 12], {3: "0.0%"}
    bold = [n for n, r in enumerate(rows) if r[0] == "VN"]
    by_cell = _sheet_xml(lambda ws: write_table(ws, 3, headers, [[None if isinstance(v, float) and np.isnan(v) else v
                                                                    for v in r] for r in rows],
                                                widths, formats, bold_rows=bold, wrap_columns=[1]))
    frame = pd.DataFrame(rows, columns=headers)
    by_column = _sheet_xml(lambda ws: write_frame_table(ws, 3, headers, frame, widths, formats,
                                                        bold=frame["Mã"].eq("VN").to_numpy(), wrap_columns=[1]))
    assert by_column == by_cell
