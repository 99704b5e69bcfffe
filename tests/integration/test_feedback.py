"""What a clerk gets back after dropping a spoiled file: the feedback files beside it, values as they see them.

Oracles: the values are written by hand as a spreadsheet in a Vietnamese locale shows them; openpyxl reads
the feedback workbook back.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from core import layout as L
from dvctt.pipeline import ingest
from report.feedback import HEADER_ROW
from tests.support.factory import drop, row_of, set_count, set_ratio, template_for

COMMUNE = "03386"


def test_feedback_quotes_values_as_seen_one_row_per_mistake_with_a_text_copy(small_ws: Path) -> None:
    wb = template_for(small_ws, COMMUNE)
    percent = set_ratio(wb, "CB_TRUYENTHONG", 0.85, 50)  # the clerk typed 85% where a count goes
    wb[L.SHEET_TARGETS][percent].number_format = "0%"
    unreadable = set_ratio(wb, "CB_DAOTAO", "nhiều", 12)  # not a number, so also a ratio without a numerator
    money = set_count(wb, "HD_KINHPHI", 1234.5)
    wb[L.SHEET_ACTIVITIES][money].number_format = "#,##0.0"
    drop(small_ws, COMMUNE, wb, "bao_cao.xlsx")
    summary = ingest(small_ws)
    assert summary.files[0].status == "quarantined"
    folder = small_ws / "inbox" / COMMUNE / "phan_hoi"
    ws = load_workbook(folder / "bao_cao.phan_hoi.xlsx").active
    rows = [r for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True) if r[0] is not None]
    by_cell = {(r[2], r[3]): r for r in rows}
    assert by_cell[(L.SHEET_TARGETS, percent)][4] == "85%" and "«85%»" in by_cell[(L.SHEET_TARGETS, percent)][6]
    assert by_cell[(L.SHEET_ACTIVITIES, money)][4] == "1.234,5"
    assert by_cell[(L.SHEET_TARGETS, unreadable)][4] == "nhiều"
    assert len(rows) == len(by_cell) == 3  # «nhiều» broke two rules in one cell: one row
    assert [r[3] for r in rows] == [percent, unreadable, money]  # D before D, Chỉ tiêu before Hoạt động
    assert row_of(wb[L.SHEET_TARGETS], "CB_TRUYENTHONG") < row_of(wb[L.SHEET_TARGETS], "CB_DAOTAO")
    assert ws["A3"].value == "Tệp bị TỪ CHỐI: có 3 lỗi. Số liệu trong tệp CHƯA được ghi nhận."
    text = (folder / "bao_cao.phan_hoi.txt").read_text(encoding="utf-8")
    assert ws["A3"].value in text and "Giá trị tìm thấy: 85%" in text and "Giá trị tìm thấy: 1.234,5" in text
