"""A file with no figure filled in is refused by one file-level rule that names what is empty, in either layout."""

from __future__ import annotations

from pathlib import Path

from core.config import Limits
from expectations.submission import no_figures
from extract.reader import ReadJob, read_one
from tests.support.factory import set_yes_no, template_for
from tests.support.zipparts import workbook_bytes

COMMUNE = "03386"
HEADER = "Mã đơn vị;Năm báo cáo;Mã;Tử số;Mẫu số;Có/Không;Số lượng;Loại;Nội dung\n"


def _submission(tmp_path: Path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    res = read_one(ReadJob("f", path, COMMUNE, 2025, Limits()))
    assert res.submission is not None, res.problem
    return res.submission


def test_blank_template_names_both_sheets(small_ws: Path, tmp_path: Path) -> None:
    finding = no_figures(_submission(tmp_path, "trang.xlsx", workbook_bytes(template_for(small_ws, COMMUNE))))
    assert finding is not None and (finding.severity, finding.rule, finding.sheet) == ("error", "no_figures", "Chỉ tiêu")
    assert finding.fix.startswith("Tệp chưa điền số liệu") and "«Hoạt động»" in finding.fix
    assert "thông tin chung" in finding.fix


def test_one_answer_is_a_figure(small_ws: Path, tmp_path: Path) -> None:
    wb = template_for(small_ws, COMMUNE)
    set_yes_no(wb, "DV_TUYENTRUYEN_CONG", "Không")
    assert no_figures(_submission(tmp_path, "mot.xlsx", workbook_bytes(wb))) is None


def test_a_csv_with_only_texts_is_unfilled_and_a_zero_is_a_figure(tmp_path: Path) -> None:
    texts = HEADER + f"{COMMUNE};2025;;;;;;Khó khăn, vướng mắc;Thiếu máy tính\n"
    finding = no_figures(_submission(tmp_path, "a.csv", texts.encode()))
    assert finding is not None and (finding.rule, finding.sheet) == ("no_figures", "CSV")
    assert "Các cột Tử số" in finding.fix and "khó khăn, kiến nghị" in finding.fix
    zero = HEADER + f"{COMMUNE};2025;HD_TINBAI;;;;0;;\n"
    assert no_figures(_submission(tmp_path, "b.csv", zero.encode())) is None
