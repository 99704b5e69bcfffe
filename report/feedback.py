"""Feedback for clerks: a small Vietnamese workbook next to their file listing every problem."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.properties import PageSetupProperties

from core.clock import vn_wall
from core.records import Finding
from report import styles as S
from report.xlsx import save_workbook, write_text

HEADERS = ["STT", "Mức độ", "Trang tính", "Ô", "Giá trị tìm thấy", "Yêu cầu", "Cách sửa"]
SEVERITY = {"error": "Lỗi (tệp bị từ chối)", "warning": "Cảnh báo (tệp vẫn được nhận)"}


def write_feedback(path: Path, *, unit_name: str, file_name: str, arrived_at: datetime, accepted: bool,
                   findings: Sequence[Finding]) -> Path:
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = "Phản hồi"
    verdict = ("ĐÃ TIẾP NHẬN, có cảnh báo cần xem lại" if accepted
               else "BỊ TỪ CHỐI – chưa ghi nhận số liệu. Hãy sửa các lỗi dưới đây rồi nộp lại tệp.")
    ws["A1"] = f"PHẢN HỒI VỀ TỆP BÁO CÁO: {file_name}"
    ws["A1"].font = S.TITLE
    ws["A2"] = f"Đơn vị: {unit_name} – Thời điểm nhận: {vn_wall(arrived_at):%d/%m/%Y %H:%M}"
    ws["A3"] = f"Kết quả: {verdict}"
    ws["A3"].font = S.BOLD
    for col, (text, width) in enumerate(zip(HEADERS, [6, 22, 20, 8, 24, 50, 70], strict=True), start=1):
        head = ws.cell(row=5, column=col, value=text)
        head.font, head.fill, head.border, head.alignment = S.BOLD, S.HEADER_FILL, S.BOX, S.CENTER
        ws.column_dimensions[head.column_letter].width = width
    for n, f in enumerate(findings, start=1):
        values = [n, SEVERITY.get(f.severity, f.severity), f.sheet, f.cell, f.found, f.expected, f.fix]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=5 + n, column=col)
            write_text(cell, value) if isinstance(value, str) else setattr(cell, "value", value)
            cell.font, cell.border, cell.alignment = S.NORMAL, S.BOX, S.WRAP
            if col == 2:
                cell.fill = S.NOT_MET_FILL if f.severity == "error" else S.WARN_FILL
    ws.freeze_panes = "A6"
    ws.print_title_rows = "5:5"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    return save_workbook(wb, path)
