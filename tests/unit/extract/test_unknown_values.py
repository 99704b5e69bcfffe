"""A cell whose value cannot be known (a formula saved without its result, an error value) is an error that names the
sheet, the cell and the formula, for every kind of cell the reader takes a value from; it is never read as blank."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import Limits
from extract.reader import ReadJob, ReadResult, read_one
from tests.support.factory import set_count, set_ratio, set_yes_no, template_for
from tests.support.zipparts import with_cells, workbook_bytes

COMMUNE = "03386"
TARGETS, ACTIVITIES, INFO = "Chỉ tiêu", "Hoạt động", "Thông tin chung"


@pytest.fixture
def filled(small_ws: Path) -> bytes:
    """A good file: the cells the cases below spoil all hold values first."""
    wb = template_for(small_ws, COMMUNE)
    set_ratio(wb, "CB_TRUYENTHONG", 45, 50)  # D4, E4
    set_yes_no(wb, "DV_TUYENTRUYEN_CONG", "Có")  # F6
    set_count(wb, "HD_TINBAI", 7)  # E4 of «Hoạt động»
    set_count(wb, "HD_HINHANH", 2)  # E5
    return workbook_bytes(wb)


def _read(tmp_path: Path, data: bytes) -> ReadResult:
    path = tmp_path / "bao_cao.xlsx"
    path.write_bytes(data)
    return read_one(ReadJob("f", path, COMMUNE, 2025, Limits()))


def _problems(res: ReadResult) -> list[tuple[str, str, str, str]]:
    assert res.submission is not None, res.problem
    return [(f.rule, f.sheet, f.cell, f.found) for f in res.submission.findings if f.severity == "error"]


def _cell(res: ReadResult, sheet: str, ref: str) -> dict:
    assert res.submission is not None
    return next(c for c in res.submission.cells if c["sheet"] == sheet and c["cell"] == ref)


# Ways a count cell (E4 of «Hoạt động») can hold a formula or error whose value is not known; expected (rule, found).
COUNT_CASES = {
    "openpyxl_empty_value": (b'<c r="E4"><f>3+4</f><v /></c>', ("formula_no_value", "=3+4")),
    "empty_value_element": (b'<c r="E4" t="n"><f>3+4</f><v></v></c>', ("formula_no_value", "=3+4")),
    "no_value_element": (b'<c r="E4"><f>SUM(E5:E6)</f></c>', ("formula_no_value", "=SUM(E5:E6)")),
    "string_result_missing": (b'<c r="E4" t="str"><f>"7"</f></c>', ("formula_no_value", '="7"')),
    "division_by_zero": (b'<c r="E4" t="e"><f>1/0</f><v>#DIV/0!</v></c>', ("cell_error", "=1/0 → #DIV/0!")),
    "ref_error_typed": (b'<c r="E4" t="e"><v>#REF!</v></c>', ("cell_error", "#REF!")),
    "escaped_formula": (b'<c r="E4"><f>IF(E5&gt;0,E5,0)</f><v/></c>', ("formula_no_value", "=IF(E5>0,E5,0)")),
    "namespace_prefix": (b'<x:c r="E4"><x:f>3+4</x:f></x:c>', ("formula_no_value", "=3+4")),
}


@pytest.mark.parametrize("case", list(COUNT_CASES))
def test_count_whose_value_is_not_known_is_an_error_naming_the_formula(filled: bytes, tmp_path: Path,
                                                                       case: str) -> None:
    cell, (rule, found) = COUNT_CASES[case]
    head = b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"' if case == "namespace_prefix" else b""
    res = _read(tmp_path, with_cells(filled, ACTIVITIES, {"E4": cell}, head))
    assert _problems(res) == [(rule, ACTIVITIES, "E4", found)]
    finding = res.submission.findings[0]
    assert "E4" in finding.fix and "HD_TINBAI" in finding.fix
    assert not any(c["cell"] == "E4" and c["sheet"] == ACTIVITIES for c in res.submission.cells)  # nor a blank count


def test_shared_formula_cell_names_the_formula_it_shares(filled: bytes, tmp_path: Path) -> None:
    cells = {"E4": b'<c r="E4"><f t="shared" ref="E4:E5" si="0">F4*2</f><v>8</v></c>',
             "E5": b'<c r="E5"><f t="shared" si="0"/></c>'}  # the second cell of the pair, saved without its result
    res = _read(tmp_path, with_cells(filled, ACTIVITIES, cells))
    assert _problems(res) == [("formula_no_value", ACTIVITIES, "E5", "=F4*2")]
    assert "ô E4" in res.submission.findings[0].fix
    assert _cell(res, ACTIVITIES, "E4")["value"] == 8


def test_array_formula_cells_without_values_are_errors(filled: bytes, tmp_path: Path) -> None:
    """An array formula over D4:E4 with a value in its first cell only: the denominator is not known."""
    cells = {"D4": b'<c r="D4"><f t="array" ref="D4:E4">G4:H4</f><v>45</v></c>', "E4": b'<c r="E4" s="6"/>'}
    res = _read(tmp_path, with_cells(filled, TARGETS, cells))
    assert _problems(res) == [("formula_no_value", TARGETS, "E4", "{=G4:H4}")]
    assert res.submission.ratios == []  # a ratio with a half not known is not checked or loaded


@pytest.mark.parametrize(("sheet", "ref", "what"), [
    (TARGETS, "D4", "tử số"), (TARGETS, "E4", "mẫu số"), (TARGETS, "F6", "Có/Không"), (TARGETS, "B5", "mã"),
    (INFO, "B3", "Mã đơn vị"), (INFO, "B6", "Năm báo cáo")])
@pytest.mark.parametrize("cell", [b'<c r="{ref}"><f>1+1</f><v /></c>', b'<c r="{ref}" t="e"><f>A1/0</f><v>#DIV/0!</v></c>'],
                         ids=["no_value", "error_value"])
def test_every_cell_read_is_checked(filled: bytes, tmp_path: Path, sheet: str, ref: str, what: str,
                                    cell: bytes) -> None:
    res = _read(tmp_path, with_cells(filled, sheet, {ref: cell.replace(b"{ref}", ref.encode())}))
    problems = _problems(res)
    assert [(rule, s, c) for rule, s, c, _ in problems] == [
        ("cell_error" if b"#DIV" in cell else "formula_no_value", sheet, ref)]
    assert what in res.submission.findings[0].fix
    assert not any(c["cell"] == ref and c["sheet"] == sheet for c in res.submission.cells)
    if ref == "D4":  # the old message called the numerator "empty or unreadable"; now the formula is named
        assert "trống hoặc không đọc được" not in res.submission.findings[0].fix
        assert "=1+1" in res.submission.findings[0].fix or "=A1/0" in res.submission.findings[0].fix


def test_empty_string_result_is_known_and_blank(filled: bytes, tmp_path: Path) -> None:
    """Excel's `=IF(…;"";…)` showing nothing: the result was saved, and it is an empty text, so the count is blank."""
    res = _read(tmp_path, with_cells(filled, ACTIVITIES, {"E4": b'<c r="E4" t="str"><f>IF(1,"",1)</f><v></v></c>'}))
    assert _problems(res) == []
    assert _cell(res, ACTIVITIES, "E4")["raw"] is None


def test_formulas_with_saved_results_read_as_their_results(filled: bytes, tmp_path: Path) -> None:
    cells = {"E4": b'<c r="E4"><f>3+4</f><v>7</v></c>', "E5": b'<c r="E5" t="str"><f>"2"</f><v>2</v></c>'}
    res = _read(tmp_path, with_cells(filled, ACTIVITIES, cells))
    assert _problems(res) == []
    values = {c["cell"]: c["value"] for c in res.submission.cells if c["sheet"] == ACTIVITIES}
    assert (values["E4"], values["E5"]) == (7, 2)
