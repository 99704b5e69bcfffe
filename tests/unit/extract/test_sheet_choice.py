"""Which sheet is read when several fold to the same name: the visible one, with a warning naming the others; two
visible ones are an error naming both; a hidden one alone is read, with a warning."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from core.config import Limits
from extract.reader import ReadJob, ReadResult, read_one
from tests.support.factory import set_ratio, template_for
from tests.support.zipparts import workbook_bytes

COMMUNE = "03386"


def _read(tmp_path: Path, wb: Workbook) -> ReadResult:
    path = tmp_path / "bao_cao.xlsx"
    path.write_bytes(workbook_bytes(wb))
    return read_one(ReadJob("f", path, COMMUNE, 2025, Limits()))


def _stale_copy(wb: Workbook, title: str, state: str, before: bool) -> None:
    """A copy of «Chỉ tiêu» with other figures, named `title`, as an office keeps last year's sheet around."""
    copy = wb.copy_worksheet(wb["Chỉ tiêu"])
    copy.title = title
    copy.sheet_state = state
    copy["D4"], copy["E4"] = 1, 2
    if before:
        wb.move_sheet(copy, offset=wb.sheetnames.index("Chỉ tiêu") - wb.sheetnames.index(title))


def _ratio(res: ReadResult) -> tuple:
    assert res.submission is not None, res.problem
    return next((r["numerator"], r["denominator"], r["sheet"]) for r in res.submission.ratios
                if r["item_code"] == "CB_TRUYENTHONG")


def test_visible_sheet_wins_over_a_hidden_one_placed_before_it(small_ws: Path, tmp_path: Path) -> None:
    wb = template_for(small_ws, COMMUNE)
    set_ratio(wb, "CB_TRUYENTHONG", 45, 50)
    _stale_copy(wb, "Chi tieu", "hidden", before=True)
    assert wb.sheetnames.index("Chi tieu") < wb.sheetnames.index("Chỉ tiêu")
    res = _read(tmp_path, wb)
    assert _ratio(res) == (45, 50, "Chỉ tiêu")
    warnings = [f for f in res.submission.findings if f.rule == "sheet_choice"]
    assert len(warnings) == 1 and warnings[0].severity == "warning"
    assert "«Chỉ tiêu»" in warnings[0].fix and "«Chi tieu»" in warnings[0].fix


def test_very_hidden_copy_is_never_read_either(small_ws: Path, tmp_path: Path) -> None:
    wb = template_for(small_ws, COMMUNE)
    set_ratio(wb, "CB_TRUYENTHONG", 45, 50)
    _stale_copy(wb, "CHI TIÊU", "veryHidden", before=True)
    res = _read(tmp_path, wb)
    assert _ratio(res) == (45, 50, "Chỉ tiêu")
    assert any(f.rule == "sheet_choice" and "«CHI TIÊU»" in f.fix for f in res.submission.findings)


def test_two_visible_candidates_are_an_error_naming_both(small_ws: Path, tmp_path: Path) -> None:
    wb = template_for(small_ws, COMMUNE)
    set_ratio(wb, "CB_TRUYENTHONG", 45, 50)
    _stale_copy(wb, "Chi tieu", "visible", before=False)
    res = _read(tmp_path, wb)
    assert res.submission is None and res.problem is not None
    assert res.problem.severity == "error"
    assert "«Chỉ tiêu»" in res.problem.fix and "«Chi tieu»" in res.problem.fix


def test_a_hidden_sheet_alone_is_read_with_a_warning(small_ws: Path, tmp_path: Path) -> None:
    wb = template_for(small_ws, COMMUNE)
    set_ratio(wb, "CB_TRUYENTHONG", 45, 50)
    wb["Chỉ tiêu"].sheet_state = "hidden"
    res = _read(tmp_path, wb)
    assert _ratio(res) == (45, 50, "Chỉ tiêu")
    assert [f.rule for f in res.submission.findings] == ["sheet_choice"]
    assert "ẩn" in res.submission.findings[0].fix
