"""The template a clerk fills in, read back from the saved file: lists, protection, input messages, checks, print.

Oracles: openpyxl reads the saved workbook back; the expected input cells come from the catalogue and the
layout's headers; the numerator check is evaluated by a small evaluator written here, not by the writer.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from core import layout as L
from core.catalogue import Kind, load_catalogue
from core.config import load_config
from core.units import Unit, load_registry
from extract.workbook import read_submission
from report import styles as S
from templates.submission import write_template

COMMUNE, DEPT = "03386", "12-SKHCN"
KINDS = ["Khó khăn, vướng mắc", "Kiến nghị, đề xuất"]  # hand-written: what the leaders' report distinguishes
INPUT_RGB = S.INPUT_FILL.fgColor.rgb
DATA_SHEETS = [L.SHEET_INFO, L.SHEET_TARGETS, L.SHEET_ACTIVITIES, L.SHEET_TEXT]


def _unit(ws: Path, code: str) -> Unit:
    unit = load_registry(load_config(ws)).get(code)
    assert unit is not None
    return unit


def _saved(ws: Path, tmp_path: Path, code: str = COMMUNE, unit: Unit | None = None) -> Path:
    config = load_config(ws)
    return write_template(unit or _unit(ws, code), config.year, config.report_window, load_catalogue(),
                          tmp_path / f"{code}.xlsx")


@pytest.fixture
def saved(small_ws: Path, tmp_path: Path) -> Path:
    return _saved(small_ws, tmp_path)


@pytest.fixture
def book(saved: Path) -> Workbook:
    return load_workbook(saved)


def _validation(ws: Worksheet, ref: str) -> DataValidation:
    found = [dv for dv in ws.data_validations.dataValidation if ref in dv.sqref]
    assert len(found) == 1, (ws.title, ref, found)
    return found[0]


def _named_choices(wb: Workbook, name: str) -> list[object]:
    """The values a named range points at, resolved through the saved file's defined names."""
    destinations = list(wb.defined_names[name].destinations)
    assert len(destinations) == 1, destinations
    sheet, ref = destinations[0]
    return [cell.value for row in wb[sheet][ref.replace("$", "")] for cell in row]


def _header_col(ws: Worksheet, label: str) -> str:
    return next(c.column_letter for c in ws[L.HEADER_ROW] if c.value == label)


def _expected_inputs(wb: Workbook, level: str) -> dict[str, set[str]]:
    """Where a clerk types, worked out from the catalogue and the headers: nothing else may be open."""
    catalogue = load_catalogue()
    targets = wb[L.SHEET_TARGETS]
    col = {h: _header_col(targets, h) for h in ("Tử số", "Mẫu số", "Có/Không", "Ghi chú")}
    out: dict[str, set[str]] = {name: set() for name in DATA_SHEETS}
    for n, ind in enumerate(catalogue.for_unit_kind(level), start=1):
        row = L.HEADER_ROW + n
        assert targets.cell(row=row, column=2).value == ind.code
        typed = ("Tử số", "Mẫu số") if ind.kind is Kind.RATIO else ("Có/Không",)
        out[L.SHEET_TARGETS] |= {f"{col[h]}{row}" for h in (*typed, "Ghi chú")}
    acts = wb[L.SHEET_ACTIVITIES]
    qty, note = (_header_col(acts, h) for h in ("Số lượng", "Ghi chú"))
    for n, act in enumerate(catalogue.activities_for(level), start=1):
        assert acts.cell(row=L.HEADER_ROW + n, column=2).value == act.code
        out[L.SHEET_ACTIVITIES] |= {f"{qty}{L.HEADER_ROW + n}", f"{note}{L.HEADER_ROW + n}"}
    rows = 2 * L.TEXT_ROWS_PER_KIND + L.TEXT_SPARE_ROWS
    out[L.SHEET_TEXT] = {f"{c}{L.HEADER_ROW + n}" for c in "BC" for n in range(1, rows + 1)}
    labels = [label for label, _ in L.INFO_ROWS]
    out[L.SHEET_INFO] = {f"B{L.INFO_FIRST_ROW + labels.index(x)}"
                         for x in ("Người lập biểu", "Số điện thoại", "Ngày lập", "Kế hoạch của đơn vị (số, ngày)")}
    return out


def test_drop_down_lists_resolve_through_named_ranges_to_exactly_the_intended_choices(book: Workbook) -> None:
    text = book[L.SHEET_TEXT]
    rows = 2 * L.TEXT_ROWS_PER_KIND + L.TEXT_SPARE_ROWS
    for row in (L.HEADER_ROW + 1, L.HEADER_ROW + rows):  # the typed rows and the spare ones below them
        dv = _validation(text, f"B{row}")
        assert dv.type == "list" and not dv.formula1.startswith('"'), dv.formula1  # a named range, not "a,b"
        assert _named_choices(book, dv.formula1) == KINDS
        assert dv.showErrorMessage and dv.errorStyle in (None, "stop")  # anything else typed is refused
    targets = book[L.SHEET_TARGETS]
    yes_no = [c for c in targets["F"] if c.fill.fgColor.rgb == INPUT_RGB]
    assert yes_no
    for cell in yes_no:
        dv = _validation(targets, cell.coordinate)
        assert dv.type == "list" and _named_choices(book, dv.formula1) == ["Có", "Không"]
    literal = [dv.formula1 for ws in book.worksheets for dv in ws.data_validations.dataValidation
               if dv.type == "list" and (dv.formula1 or "").startswith('"')]
    assert literal == []


def test_only_input_cells_are_open_and_each_explains_itself(book: Workbook) -> None:
    expected = _expected_inputs(book, "commune")
    for ws in book.worksheets:
        assert ws.protection.sheet, ws.title
        assert ws.protection.password is None and ws.protection.hashValue is None, ws.title  # no password
        opened = {c.coordinate for row in ws.iter_rows() for c in row if c.protection.locked is False}
        assert opened == expected.get(ws.title, set()), ws.title
        for ref in opened:
            assert ws[ref].fill.fgColor.rgb == INPUT_RGB, (ws.title, ref)
            dv = _validation(ws, ref)
            assert dv.showInputMessage and dv.prompt and dv.promptTitle, (ws.title, ref)
    for ws in book.worksheets:  # Excel refuses (repairs) a file with longer messages
        for dv in ws.data_validations.dataValidation:
            assert len(dv.prompt or "") <= 255 and len(dv.promptTitle or "") <= 32, dv.prompt
            assert len(dv.error or "") <= 255 and len(dv.errorTitle or "") <= 32, dv.error
    assert book[L.SHEET_TEXT].protection.insertRows is False  # rows may be inserted for more texts
    assert book[L.SHEET_TARGETS].protection.insertRows is True


def test_prompts_say_what_the_numerator_and_denominator_count(book: Workbook) -> None:
    targets = book[L.SHEET_TARGETS]
    ratios = [i for i in load_catalogue().for_unit_kind("commune") if i.kind is Kind.RATIO]
    assert ratios
    for ind in ratios:
        row = next(c.row for c in targets["B"] if c.value == ind.code)
        assert ind.numerator_label in _validation(targets, f"D{row}").prompt
        assert ind.denominator_label in _validation(targets, f"E{row}").prompt
    acts = book[L.SHEET_ACTIVITIES]
    for n, act in enumerate(load_catalogue().activities_for("commune"), start=1):
        prompt = _validation(acts, f"E{L.HEADER_ROW + n}").prompt
        assert act.label in prompt and act.unit in prompt


class _Blank:
    """An empty cell: ISBLANK is true, and in a comparison it counts as 0, as in Excel."""

    def __float__(self) -> float:
        return 0.0


def _excel(formula: str, cells: dict[str, object]) -> bool:
    """Evaluate the small Excel subset the checks use (AND, OR, ISNUMBER, ISBLANK, INT, comparisons); arguments
    are all evaluated, as in Excel, so text in a number's place errs."""
    funcs = {"AND": lambda *a: all(a), "OR": lambda *a: any(a), "INT": lambda x: float(int(x // 1)),
             "ISBLANK": lambda x: isinstance(x, _Blank),
             "ISNUMBER": lambda x: isinstance(x, int | float) and not isinstance(x, bool)}
    expr = re.sub(r"(?<![<>])=", "==", formula)
    expr = re.sub(r"\b([A-Z]+\d+)\b", r"_c('\1')", expr)
    env = {**funcs, "_c": lambda ref: cells.get(ref, _Blank())}
    py = re.sub(r"_c\('([A-Z]+\d+)'\)(\s*(?:[<>]=?|==))", r"float(_c('\1'))\2", expr)  # numbers in comparisons
    py = re.sub(r"((?:[<>]=?|==)\s*)_c\('([A-Z]+\d+)'\)", r"\1float(_c('\2'))", py)
    try:
        return bool(eval(py, env))  # the formulas of the file under test, rewritten as Python
    except (TypeError, ValueError):  # Excel: an error value, and a check that errs refuses the entry
        return False


@pytest.mark.parametrize(("numerator", "denominator", "ok"), [
    (45, 50, True), (50, 50, True), (0, 12, True), (51, 50, False), (-1, 50, False), (1.5, 50, False),
    (45, None, True), ("45", 50, False),
])
def test_numerator_is_checked_against_its_own_rows_denominator(book: Workbook, numerator, denominator, ok) -> None:
    targets = book[L.SHEET_TARGETS]
    code = next(i.code for i in load_catalogue().for_unit_kind("commune") if i.kind is Kind.RATIO)
    row = next(c.row for c in targets["B"] if c.value == code)
    cells = {f"D{row}": numerator, **({f"E{row}": denominator} if denominator is not None else {})}
    num, den = _validation(targets, f"D{row}"), _validation(targets, f"E{row}")
    assert num.type == den.type == "custom" and num.showErrorMessage and den.showErrorMessage
    assert set(re.findall(r"[A-Z]+\d+", num.formula1)) == {f"D{row}", f"E{row}"}  # this row, no other
    assert _excel(num.formula1, cells) is ok
    if isinstance(numerator, int) and numerator >= 0 and denominator is not None:  # typed after the numerator
        assert _excel(den.formula1, cells) is ok


def test_activity_counts_are_whole_numbers_not_below_zero(book: Workbook) -> None:
    acts = book[L.SHEET_ACTIVITIES]
    dv = _validation(acts, f"E{L.HEADER_ROW + 1}")
    assert (dv.type, dv.operator, dv.formula1, dv.showErrorMessage) == ("whole", "greaterThanOrEqual", "0", True)


def test_required_contact_fields_are_marked_validated_and_still_read(small_ws: Path, saved: Path) -> None:
    book = load_workbook(saved)
    info = book[L.SHEET_INFO]
    labels = {info.cell(row=L.INFO_FIRST_ROW + n, column=1).value: L.INFO_FIRST_ROW + n for n in range(len(L.INFO_ROWS))}
    kinds = {"Người lập biểu *": "textLength", "Số điện thoại *": "textLength", "Ngày lập *": "date"}
    for label, kind in kinds.items():
        assert label in labels, labels
        assert _validation(info, f"B{labels[label]}").type == kind
    assert info[f"B{labels['Số điện thoại *']}"].number_format == "@"  # the leading 0 stays
    info[f"B{labels['Người lập biểu *']}"] = "Lò Thị Hoa"
    book.save(saved)
    sub = read_submission(saved, "f", unit_code=COMMUNE, year=2025, catalogue=load_catalogue())
    assert sub.meta["NGUOI_LAP"] == "Lò Thị Hoa" and sub.meta["MA_DON_VI"] == COMMUNE


def test_the_filled_example_is_marked_and_never_read(saved: Path) -> None:
    book = load_workbook(saved)
    example = book[L.SHEET_EXAMPLE]
    assert "KHÔNG ĐƯỢC ĐỌC" in example["A1"].value
    figures = [c.value for row in example.iter_rows() for c in row if isinstance(c.value, int)]
    assert 45 in figures and 50 in figures  # the example really is filled
    sub = read_submission(saved, "f", unit_code=COMMUNE, year=2025, catalogue=load_catalogue())
    assert [c for c in sub.cells if c["value"] is not None and c["field"] not in ("unit_code", "year")] == []
    assert sub.ratios == [] and sub.texts == []
    assert book.sheetnames[:5] == [L.SHEET_GUIDE, *DATA_SHEETS]  # the reader's sheets keep their places


def test_every_sheet_prints_on_a4_across_the_page_width_with_rows_sized_for_their_text(book: Workbook) -> None:
    for ws in book.worksheets:
        setup = ws.page_setup
        assert (setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("9", 1, 0) or \
            (setup.paperSize, setup.fitToWidth, setup.fitToHeight) == (9, 1, 0), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    for name in (L.SHEET_TARGETS, L.SHEET_ACTIVITIES, L.SHEET_TEXT):
        assert book[name].print_title_rows == f"${L.HEADER_ROW}:${L.HEADER_ROW}", name
    targets = book[L.SHEET_TARGETS]
    for row in range(L.HEADER_ROW + 1, targets.max_row + 1):
        label = targets.cell(row=row, column=3).value
        lines = label.count("\n") + 1
        if lines > 1:  # a lower bound any renderer needs: one 12 pt line per paragraph
            assert (targets.row_dimensions[row].height or 0) >= 15 * lines, (row, label)
    guide = book[L.SHEET_GUIDE]
    assert guide.column_dimensions["A"].width <= 85  # LibreOffice cuts one column wider than the page
    assert all(guide.cell(row=r, column=1).alignment.wrap_text for r in range(1, guide.max_row + 1))


def test_same_unit_gives_the_same_bytes_and_text_is_never_a_formula(small_ws: Path, tmp_path: Path) -> None:
    first = _saved(small_ws, tmp_path / "a").read_bytes()
    assert _saved(small_ws, tmp_path / "b").read_bytes() == first
    odd = Unit("03386", '=HYPERLINK("http://x","y")', "commune", None, "Xã")
    info = load_workbook(_saved(small_ws, tmp_path / "c", unit=odd))[L.SHEET_INFO]
    cell = info[f"B{L.INFO_FIRST_ROW + 1}"]
    assert cell.value == odd.name and cell.data_type == "s" and cell.quotePrefix


def test_a_department_gets_its_own_indicators(small_ws: Path, tmp_path: Path) -> None:
    book = load_workbook(_saved(small_ws, tmp_path, DEPT))
    expected = _expected_inputs(book, "department")
    opened = {c.coordinate for row in book[L.SHEET_TARGETS].iter_rows() for c in row if c.protection.locked is False}
    assert opened == expected[L.SHEET_TARGETS]
    codes = [c.value for c in book[L.SHEET_TARGETS]["B"][L.HEADER_ROW:]]
    assert codes == [i.code for i in load_catalogue().for_unit_kind("department")]
    assert range_boundaries(book[L.SHEET_TARGETS].dimensions)[2] == len(L.TARGET_HEADERS)
