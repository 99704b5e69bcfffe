"""Feedback for clerks: a small Vietnamese workbook next to their file, and the same text for an e-mail.

It opens with one sentence saying whether the file was accepted, how many errors and warnings it has and
what to do next, then lists one row per mistake in the order the clerk meets them (sheet by sheet, D7
before D10). Several findings about one cell are one mistake to the clerk: they share a row. Rows are
sized for their wrapped text and the sheet prints on A4 across the page width, so «Cách sửa» can be read
on paper too. `<name>.phan_hoi.txt` beside the workbook carries the same content as plain UTF-8 text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from core import layout as L
from core.clock import vn_wall
from core.records import Finding
from core.text import fold
from report import styles as S
from report.tables import fit_row, text_lines
from report.xlsx import atomic_write_bytes, save_workbook, write_text

HEADERS = ["STT", "Mức độ", "Trang tính", "Ô", "Giá trị tìm thấy", "Yêu cầu", "Cách sửa"]
WIDTHS = [5, 10, 16, 7, 18, 34, 60]
HEADER_ROW = 5
SEVERITY = {"error": "Lỗi", "warning": "Cảnh báo"}
WHOLE_FILE, BLANK = "Cả tệp", "(trống)"
_SHEET_ORDER = {fold(name): n for n, name in enumerate([L.SHEET_INFO, L.SHEET_TARGETS, L.SHEET_ACTIVITIES, L.SHEET_TEXT])}
_A1 = re.compile(r"^([A-Z]*)(\d*)$")


@dataclass(frozen=True)
class Row:
    """One mistake as the clerk reads it: where, what was found, what is expected, how to fix it."""

    severity: str
    sheet: str
    cell: str
    found: str
    expected: str
    fix: str


def feedback_rows(findings: Sequence[Finding]) -> list[Row]:
    """One row per cell (findings about the same cell merged, the most severe first), sorted as the clerk reads
    the workbook: the whole file first, then the template's sheets in order, each by row then column."""
    groups: dict[tuple, list[Finding]] = {}
    for f in findings:
        key = (f.sheet, f.cell) if _A1.match(f.cell) and any(c.isdigit() for c in f.cell) else (f,)
        groups.setdefault(key, []).append(f)
    rows = []
    for group in groups.values():
        group.sort(key=lambda f: f.severity != "error")
        first = group[0]
        rows.append(Row(first.severity, first.sheet, first.cell, next((f.found for f in group if f.found), ""),
                        "; ".join(dict.fromkeys(f.expected for f in group if f.expected)),
                        "\n".join(dict.fromkeys(f.fix for f in group if f.fix))))
    return sorted(rows, key=_reading_order)


def _reading_order(row: Row) -> tuple:
    match = _A1.match(row.cell.upper())
    letters, digits = (match.group(1), match.group(2)) if match else (row.cell, "")
    sheet = (-1, "") if not row.sheet else (_SHEET_ORDER.get(fold(row.sheet), len(_SHEET_ORDER)), row.sheet)
    return (*sheet, int(digits or 0), len(letters), letters, row.severity != "error", row.expected, row.fix)


def summary(accepted: bool, rows: Sequence[Row]) -> tuple[str, str]:
    """The verdict sentence and what to do next."""
    errors = sum(r.severity == "error" for r in rows)
    warnings = len(rows) - errors
    counts = " và ".join(part for part in (f"{errors} lỗi" if errors else "", f"{warnings} cảnh báo" if warnings else "")
                         if part)
    if not accepted:
        return (f"Tệp bị TỪ CHỐI: có {counts}. Số liệu trong tệp CHƯA được ghi nhận.",
                "Cần làm: sửa từng ô nêu trong bảng dưới đây theo cột «Cách sửa», lưu tệp rồi chép lại vào thư mục "
                "của đơn vị. Tệp mới sẽ được kiểm tra lại tự động.")
    if not rows:
        return "Tệp ĐÃ ĐƯỢC TIẾP NHẬN, không có lỗi hay cảnh báo.", "Không cần làm gì thêm."
    return (f"Tệp ĐÃ ĐƯỢC TIẾP NHẬN, có {counts}. Số liệu đã được ghi nhận.",
            "Cần làm: xem lại các ô nêu trong bảng dưới đây. Nếu số liệu đúng thì không cần làm gì; nếu sai thì sửa "
            "và nộp lại tệp (tệp mới sẽ thay thế tệp này).")


def _cells(n: int, row: Row) -> list[object]:
    return [n, SEVERITY.get(row.severity, row.severity), row.sheet or WHOLE_FILE, row.cell, row.found or BLANK,
            row.expected, row.fix]


def write_feedback(path: Path, *, unit_name: str, file_name: str, arrived_at: datetime, accepted: bool,
                   findings: Sequence[Finding]) -> Path:
    """Write `path` (.xlsx) and its plain-text copy (.txt, same stem); returns the workbook's path."""
    rows = feedback_rows(findings)
    verdict, todo = summary(accepted, rows)
    heading = [f"PHẢN HỒI VỀ TỆP BÁO CÁO: {file_name}",
               f"Đơn vị: {unit_name} – Thời điểm nhận: {vn_wall(arrived_at):%d/%m/%Y %H:%M}", verdict, todo]
    atomic_write_bytes(path.with_suffix(".txt"), feedback_text(heading, rows).encode("utf-8"))
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = "Phản hồi"
    width = sum(WIDTHS)
    for n, (text, font) in enumerate(zip(heading, [S.TITLE, S.NORMAL, S.BOLD, S.NORMAL], strict=True), start=1):
        cell = ws.cell(row=n, column=1)
        write_text(cell, text)
        cell.font, cell.alignment = font, S.WRAP
        if n == 3:
            cell.fill = S.MET_FILL if accepted else S.NOT_MET_FILL
        ws.merge_cells(start_row=n, start_column=1, end_row=n, end_column=len(HEADERS))
        fit_row(ws, n, text_lines(text, width * (0.6 if n == 1 else 0.9)))  # capitals and bold take more room
    for col, (text, w) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        head = ws.cell(row=HEADER_ROW, column=col, value=text)
        head.font, head.fill, head.border, head.alignment = S.BOLD, S.HEADER_FILL, S.BOX, S.CENTER
        ws.column_dimensions[head.column_letter].width = w
    for n, row in enumerate(rows, start=1):
        r = HEADER_ROW + n
        lines = 1
        for col, (value, w) in enumerate(zip(_cells(n, row), WIDTHS, strict=True), start=1):
            cell = ws.cell(row=r, column=col)
            write_text(cell, value) if isinstance(value, str) else setattr(cell, "value", value)
            cell.font, cell.border, cell.alignment = S.NORMAL, S.BOX, S.WRAP
            lines = max(lines, text_lines(str(value), w))
            if col == 2:
                cell.fill = S.NOT_MET_FILL if row.severity == "error" else S.WARN_FILL
        fit_row(ws, r, lines)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    if ws.oddFooter is not None:
        ws.oddFooter.left.text = f"Phản hồi tệp {file_name}".replace("&", "&&")
        ws.oddFooter.right.text = "Trang &P/&N"
        for part in (ws.oddFooter.left, ws.oddFooter.right):
            part.font, part.size = f"{S.FONT_NAME},Regular", 9
    return save_workbook(wb, path)


def feedback_text(heading: Sequence[str], rows: Sequence[Row]) -> str:
    """The feedback as plain text, for an e-mail: the same heading and rows as the workbook."""
    lines = [*heading, ""]
    for n, row in enumerate(rows, start=1):
        where = f"trang «{row.sheet}», ô {row.cell}" if row.sheet and row.cell else \
            f"trang «{row.sheet}»" if row.sheet else WHOLE_FILE.lower()
        lines += [f"{n}. {SEVERITY.get(row.severity, row.severity)} – {where}",
                  f"   Giá trị tìm thấy: {row.found or BLANK}",
                  f"   Yêu cầu: {row.expected}",
                  *(f"   {'Cách sửa: ' if i == 0 else '   '}{part}" for i, part in enumerate(row.fix.split("\n"))),
                  ""]
    return "\n".join(lines)
