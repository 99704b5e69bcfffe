"""Vietnamese numbers from a clerk's workbook to the leadership workbook's «Dữ liệu» sheet (issue 16.11).

Real template files are written with openpyxl, as text cells and as number cells with number formats (percent
included), ingested, reported, and the «Dữ liệu» sheet is read back with openpyxl. The expected figures are typed
here by hand. A value that is a number but not a count (1.234,5; -12), a percentage where a count goes (85,5%;
100%, which would be the count 1) or a value that cannot be read for certain (1,234; 1.2.3) rejects its file, naming
the cell, and leaves the unit blank (never zero) in the report. Every figure a unit reports is a count, so the
percent scale itself (85,5% = 0.855) is proven at the parser, tests/unit/extract/test_numbers.py. A number cell
formatted as a percentage holds its value (3 shown as 300%); the reader sees the value only, as Excel computes with.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from core import layout as L
from core.config import load_config
from core.units import load_registry
from dvctt.pipeline import build_report, ingest
from tests.support.factory import drop, row_of, template_for

NBSP, NARROW = "\u00a0", "\u202f"


def number_cell(wb: Workbook, sheet: str, code: str, column: int, value: float, fmt: str) -> None:
    cell = wb[sheet].cell(row=row_of(wb[sheet], code), column=column, value=value)
    cell.number_format = fmt


def text_cell(wb: Workbook, sheet: str, code: str, column: int, text: str) -> str:
    cell = wb[sheet].cell(row=row_of(wb[sheet], code), column=column, value=text)
    cell.data_type = "s"  # stored as text, as a clerk's «'1.234» or a pasted value is
    return cell.coordinate


# (sheet, code, column, value written, number format or None for a text cell, value expected in «Dữ liệu»)
N, D, C = 4, 5, 5  # numerator and denominator on «Chỉ tiêu», count on «Hoạt động»
ACCEPTED = [
    (L.SHEET_TARGETS, "CB_TRUYENTHONG", N, "1.234", None, 1234),
    (L.SHEET_TARGETS, "CB_TRUYENTHONG", D, "1.234.567", None, 1234567),
    (L.SHEET_TARGETS, "CB_DAOTAO", N, " 12 ", None, 12),
    (L.SHEET_TARGETS, "CB_DAOTAO", D, f"12{NBSP}000", None, 12000),
    (L.SHEET_TARGETS, "TTCS_TUYENTRUYEN", N, "2", None, 2),
    (L.SHEET_TARGETS, "TTCS_TUYENTRUYEN", D, f"1{NARROW}000", None, 1000),
    (L.SHEET_TARGETS, "NGUOIDAN_SUDUNG", N, 3.0, "0%", 3),  # shown as 300%, but the cell holds 3 (see README)
    (L.SHEET_TARGETS, "NGUOIDAN_SUDUNG", D, "12.000", None, 12000),
    (L.SHEET_TARGETS, "TCNSCD_TAPHUAN", N, "+7", None, 7),
    (L.SHEET_TARGETS, "TCNSCD_TAPHUAN", D, 1234.0, "#,##0", 1234),
    (L.SHEET_ACTIVITIES, "HD_TINBAI", C, "1.000", None, 1000),
    (L.SHEET_ACTIVITIES, "HD_HINHANH", C, "0", None, 0),  # a written 0 is a zero
    (L.SHEET_ACTIVITIES, "HD_VIDEO", C, "1 000", None, 1000),
    (L.SHEET_ACTIVITIES, "HD_PHATTHANH", C, "00012", None, 12),
    (L.SHEET_ACTIVITIES, "HD_KINHPHI", C, "1.234.567,0", None, 1234567),
    (L.SHEET_ACTIVITIES, "HD_MANGXAHOI", C, 5.0, "0.00", 5),
]
# one file each: (numerator written on CB_TRUYENTHONG, number format or None, what the feedback says)
REJECTED = [
    ("1.234,5", None, "Số nguyên không âm"),  # 1234.5: not a whole count
    ("85,5%", None, "tỷ lệ phần trăm"),  # 0.855, and a percentage where a count goes
    ("100%", None, "tỷ lệ phần trăm"),  # would be the count 1
    ("1,5", None, "Số nguyên không âm"),
    ("1.2.3", None, "Không đọc được số"),
    ("1,234", None, "Không rõ số"),  # 1.234 or 1234: never guessed
    ("1 23", None, "Không đọc được số"),
    ("-12", None, "Số nguyên không âm"),
    (0.855, "0.0%", "Số nguyên không âm"),  # a percent-formatted number cell: its value, 0.855
]


def data_sheet(path: Path) -> dict[tuple[str, str], tuple[object, object]]:
    rows = load_workbook(path, read_only=True)["Dữ liệu"].iter_rows(values_only=True)
    header = list(next(rows))
    at = {name: header.index(name) for name in ("unit_code", "indicator_code", "numerator", "denominator")}
    return {(r[at["unit_code"]], r[at["indicator_code"]]): (r[at["numerator"]], r[at["denominator"]]) for r in rows}


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, list[str]]:
    from core.config import write_config
    from dvctt.demo import demo_config

    ws = tmp_path_factory.mktemp("numbers") / "ws"
    ws.mkdir()
    write_config(ws, demo_config("12", 2025))
    communes = [u.code for u in load_registry(load_config(ws)).of_levels({"commune"})][: 1 + len(REJECTED)]
    good = template_for(ws, communes[0])
    for sheet, code, column, value, fmt, _ in ACCEPTED:
        if fmt is None:
            text_cell(good, sheet, code, column, str(value))
        else:
            number_cell(good, sheet, code, column, float(value), fmt)  # type: ignore[arg-type]
    drop(ws, communes[0], good, "dung.xlsx")
    for unit, (value, fmt, _) in zip(communes[1:], REJECTED, strict=True):
        wb = template_for(ws, unit)
        if fmt is None:
            text_cell(wb, L.SHEET_TARGETS, "CB_TRUYENTHONG", N, str(value))
        else:
            number_cell(wb, L.SHEET_TARGETS, "CB_TRUYENTHONG", N, float(value), fmt)
        text_cell(wb, L.SHEET_TARGETS, "CB_TRUYENTHONG", D, "2.000")
        drop(ws, unit, wb, "sai.xlsx")
    summary = ingest(ws)
    statuses = {f.unit_code: f.status for f in summary.files}
    assert statuses == {communes[0]: "accepted", **{u: "quarantined" for u in communes[1:]}}
    return ws, data_sheet(build_report(ws).path), communes


def test_accepted_numbers_reach_the_data_sheet_exactly(reported: tuple[Path, dict, list[str]]) -> None:
    _, data, communes = reported
    unit = communes[0]
    for sheet, code, column, value, _, expected in ACCEPTED:
        numerator, denominator = data[(unit, code)]
        got = denominator if (sheet, column) == (L.SHEET_TARGETS, D) else numerator
        assert got == expected, (code, value, got)


@pytest.mark.parametrize("case", range(len(REJECTED)), ids=[repr(r[0]) for r in REJECTED])
def test_unreadable_or_fractional_numbers_reject_the_file_at_their_cell(reported: tuple[Path, dict, list[str]],
                                                                        case: int) -> None:
    ws, data, communes = reported
    unit = communes[1 + case]
    _, _, says = REJECTED[case]
    feedback = load_workbook(ws / "inbox" / unit / "phan_hoi" / "sai.phan_hoi.xlsx").active
    rows = [r for r in feedback.iter_rows(min_row=6, values_only=True) if r[0] is not None]
    cell = f"D{row_of(template_for(ws, unit)[L.SHEET_TARGETS], 'CB_TRUYENTHONG')}"
    assert any(r[2] == L.SHEET_TARGETS and r[3] == cell and says in " ".join(map(str, r)) for r in rows), rows
    assert data[(unit, "CB_TRUYENTHONG")] == (None, None)  # blank in the report, not zero
