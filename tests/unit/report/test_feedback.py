"""The clerk's feedback file: a verdict sentence, one row per mistake in reading order, the same text for e-mail.

Oracles: openpyxl reads the saved workbook back; the expected order and sentences are written out by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from openpyxl import load_workbook

from core.records import Finding
from report.feedback import HEADER_ROW, write_feedback

ARRIVED = datetime(2025, 12, 6, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam
LONG_FIX = ("Tử số là một phần của mẫu số (ví dụ: số hồ sơ nộp trực tuyến trong tổng số hồ sơ); hãy kiểm tra và sửa lại "
            "hai ô này, lưu tệp rồi chép lại vào thư mục của đơn vị.")


def _f(sheet: str, cell: str, rule: str = "r", severity: str = "error", found: str = "x", expected: str = "e",
       fix: str = "f") -> Finding:
    return Finding("k", severity, rule, sheet, cell, found, expected, fix)


def _write(tmp_path: Path, findings: list[Finding], accepted: bool = False) -> Path:
    return write_feedback(tmp_path / "phan_hoi" / "bao_cao.phan_hoi.xlsx", unit_name="UBND xã Tân Hòa",
                          file_name="bao_cao.xlsx", arrived_at=ARRIVED, accepted=accepted, findings=findings)


def _rows(path: Path) -> list[tuple]:
    ws = load_workbook(path).active
    return [r for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True) if r[0] is not None]


def test_rows_follow_the_workbook_sheet_by_sheet_and_cell_by_cell(tmp_path: Path) -> None:
    findings = [_f("Chỉ tiêu", "D10"), _f("Hoạt động", "E5"), _f("Chỉ tiêu", "D7"), _f("Thông tin chung", "B3"),
                _f("", "", rule="macros", severity="warning", found="vbaProject.bin"), _f("Chỉ tiêu", "AA7"),
                _f("Chỉ tiêu", "E7")]
    rows = _rows(_write(tmp_path, findings))
    assert [(r[2], r[3]) for r in rows] == [("Cả tệp", None), ("Thông tin chung", "B3"), ("Chỉ tiêu", "D7"),
                                            ("Chỉ tiêu", "E7"), ("Chỉ tiêu", "AA7"), ("Chỉ tiêu", "D10"),
                                            ("Hoạt động", "E5")]
    assert [r[0] for r in rows] == list(range(1, 8))


def test_one_cell_is_one_row_whatever_the_number_of_rules_it_broke(tmp_path: Path) -> None:
    findings = [_f("Chỉ tiêu", "D7", "not_a_number", found="abc", expected="Một con số", fix="Chỉ ghi chữ số."),
                _f("Chỉ tiêu", "D7", "ratio_incomplete", found="", expected="Có số ở cả tử số và mẫu số",
                   fix="Hãy điền đủ cả hai ô."),
                _f("Chỉ tiêu", "D7", "not_a_number", found="abc", expected="Một con số", fix="Chỉ ghi chữ số."),
                _f("Chỉ tiêu", "E9", "outlier_history", "warning", "85%", "Gần với các năm trước", "Kiểm tra lại."),
                _f("Chỉ tiêu", "E9", "outlier_peers", "warning", "85%", "Gần với các đơn vị cùng cấp", "Kiểm tra.")]
    rows = _rows(_write(tmp_path, findings))
    assert len(rows) == 2
    assert rows[0][1:] == ("Lỗi", "Chỉ tiêu", "D7", "abc", "Một con số; Có số ở cả tử số và mẫu số",
                           "Chỉ ghi chữ số.\nHãy điền đủ cả hai ô.")
    assert rows[1][1:5] == ("Cảnh báo", "Chỉ tiêu", "E9", "85%")
    assert rows[1][5] == "Gần với các năm trước; Gần với các đơn vị cùng cấp"


def test_the_first_lines_say_what_happened_and_what_to_do(tmp_path: Path) -> None:
    ws = load_workbook(_write(tmp_path, [_f("Chỉ tiêu", "D7"), _f("Chỉ tiêu", "D8"),
                                         _f("Chỉ tiêu", "D9", severity="warning")])).active
    assert ws["A1"].value == "PHẢN HỒI VỀ TỆP BÁO CÁO: bao_cao.xlsx"
    assert ws["A2"].value == "Đơn vị: UBND xã Tân Hòa – Thời điểm nhận: 06/12/2025 09:00"
    assert ws["A3"].value == "Tệp bị TỪ CHỐI: có 2 lỗi và 1 cảnh báo. Số liệu trong tệp CHƯA được ghi nhận."
    assert ws["A4"].value.startswith("Cần làm: sửa từng ô")
    accepted = load_workbook(_write(tmp_path, [_f("Chỉ tiêu", "D9", severity="warning")], accepted=True)).active
    assert accepted["A3"].value == "Tệp ĐÃ ĐƯỢC TIẾP NHẬN, có 1 cảnh báo. Số liệu đã được ghi nhận."
    assert "Nếu số liệu đúng thì không cần làm gì" in accepted["A4"].value


def test_readable_on_screen_and_on_a4(tmp_path: Path) -> None:
    path = _write(tmp_path, [_f("Chỉ tiêu", "D7", fix=LONG_FIX)])
    ws = load_workbook(path).active
    widths = {c: ws.column_dimensions[c].width for c in "ABCDEFG"}
    assert widths["G"] >= 50 and widths["F"] >= 30  # «Cách sửa» and «Yêu cầu» are the long ones
    fix = ws.cell(row=HEADER_ROW + 1, column=7)
    assert fix.value == LONG_FIX and fix.alignment.wrap_text
    lines = -(-len(LONG_FIX) // int(widths["G"] * 1.3))  # generous: more characters a line than any renderer fits
    assert ws.row_dimensions[HEADER_ROW + 1].height >= 15 * lines
    setup = ws.page_setup
    assert (int(setup.paperSize), setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "landscape", 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert ws.merged_cells.ranges and all(ws.cell(row=r, column=1).alignment.wrap_text for r in (3, 4))


def test_a_plain_text_copy_says_the_same(tmp_path: Path) -> None:
    findings = [_f("Chỉ tiêu", "D7", found="=1+1", expected="Số nguyên không âm", fix=LONG_FIX),
                _f("Hoạt động", "E5", found="", expected="Ô bắt buộc", fix="Điền số.\nRồi nộp lại.")]
    path = _write(tmp_path, findings)
    text = path.with_suffix(".txt").read_bytes().decode("utf-8")
    assert path.with_suffix(".txt").name == "bao_cao.phan_hoi.txt"
    ws = load_workbook(path).active
    for row in ws.iter_rows(min_row=1, values_only=True):
        for value in row:
            if isinstance(value, str) and value not in ("STT", "Mức độ", "Trang tính", "Ô", "Giá trị tìm thấy",
                                                        "Yêu cầu", "Cách sửa"):
                for part in value.split("\n"):
                    assert part in text, part
    assert "1. Lỗi – trang «Chỉ tiêu», ô D7" in text and "Giá trị tìm thấy: (trống)" in text
    cell = ws.cell(row=HEADER_ROW + 1, column=5)
    assert cell.value == "=1+1" and cell.data_type == "s"  # shown, never computed
