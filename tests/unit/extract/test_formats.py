"""Numbers quoted as the clerk's spreadsheet shows them. Expected strings are written by hand, the way a
spreadsheet in a Vietnamese locale displays each format; the workbooks are made with openpyxl."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from core.records import Finding
from extract.formats import as_shown, shown


@pytest.mark.parametrize(("value", "code", "seen"), [
    (0.85, "0%", "85%"), (0.855, "0.0%", "85,5%"), (1234, "#,##0", "1.234"), (1234567.5, "#,##0.00", "1.234.567,50"),
    (-1234, "#,##0", "-1.234"), (45996, "dd/mm/yyyy", "05/12/2025"), (45996, "m/d/yyyy", "05/12/2025"),
    (45996.4375, "dd/mm/yyyy hh:mm", "05/12/2025 10:30"), (45996, '[$-42A]d" tháng "m" năm "yyyy', "05/12/2025"),
    (0.85, "General", "0,85"), (1234, "General", "1234"), (12, "0", "12"), (12.5, "0.00", "12,50"),
    (7, "@", None), (1, "dd/mm/yyyy", "01/01/1900"), (61, "dd/mm/yyyy", "01/03/1900"),
])
def test_a_number_looks_as_its_format_shows_it(value: float, code: str, seen: str | None) -> None:
    assert shown(value, code) == seen


def test_dates_from_1904_workbooks() -> None:
    assert shown(0, "dd/mm/yyyy", date1904=True) == "01/01/1904"


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Chỉ tiêu"
    ws["D7"], ws["D7"].number_format = 0.85, "0%"
    ws["E7"], ws["E7"].number_format = 1234, "#,##0"
    ws["D8"], ws["D8"].number_format = date(2025, 12, 5), "dd/mm/yyyy"
    ws["D9"] = "85%"  # text: shown as typed already
    ws["D10"] = 0.5  # General
    ws["D11"], ws["D11"].number_format = 45, "#,##0"
    path = tmp_path / "bao_cao.xlsx"
    wb.save(path)
    return path


def _f(cell: str, found: str, sheet: str = "Chỉ tiêu") -> Finding:
    return Finding("k", "error", "r", sheet, cell, found, "e", f"Ô {cell} đang ghi «{found}».")


def test_findings_quote_numbers_as_the_clerk_sees_them(workbook: Path) -> None:
    findings = [_f("D7", "0.85"), _f("E7", "1234"), _f("D8", "2025-12-05"), _f("D9", "85%"), _f("D10", "0.5"),
                _f("D11", "77,1%"),  # a ratio worked out from the cell, not the cell: left as written
                _f("D12", ""), _f("B", "x"), _f("D7", "0.85", sheet="Hoạt động")]
    seen = as_shown(findings, workbook)
    assert [f.found for f in seen] == ["85%", "1.234", "05/12/2025", "85%", "0,5", "77,1%", "", "x", "0.85"]
    assert seen[0].fix == "Ô D7 đang ghi «85%»." and seen[5].fix == "Ô D11 đang ghi «77,1%»."


def test_anything_unreadable_leaves_the_findings_as_they_were(tmp_path: Path) -> None:
    findings = [_f("D7", "0.85")]
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    csv = tmp_path / "bao_cao.csv"
    csv.write_text("a;b\n", encoding="utf-8")
    for path in (broken, csv, None, tmp_path / "missing.xlsx"):
        assert as_shown(findings, path) == findings
