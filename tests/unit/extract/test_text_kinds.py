"""«Khó khăn, kiến nghị»: each text's type is one of exactly two, in any spelling; anything else is an error at its
«Loại» cell, never a difficulty by default (what the broken drop-down's «đề xuất» used to become)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import Limits
from extract.reader import ReadJob, read_one
from tests.support.factory import set_count, template_for
from tests.support.zipparts import workbook_bytes

COMMUNE = "03386"
SHEET = "Khó khăn, kiến nghị"


def _read_texts(small_ws: Path, tmp_path: Path, rows: dict[int, tuple[object, str]]):
    wb = template_for(small_ws, COMMUNE)
    set_count(wb, "HD_TINBAI", 3)
    for row, (kind, text) in rows.items():
        wb[SHEET].cell(row=row, column=2, value=kind)
        wb[SHEET].cell(row=row, column=3, value=text)
    path = tmp_path / "bao_cao.xlsx"
    path.write_bytes(workbook_bytes(wb))
    res = read_one(ReadJob("f", path, COMMUNE, 2025, Limits()))
    assert res.submission is not None, res.problem
    return res.submission


@pytest.mark.parametrize(("kind", "expected"), [
    ("Khó khăn, vướng mắc", "kho_khan"), ("Kiến nghị, đề xuất", "kien_nghi"), ("KIEN NGHI, DE XUAT", "kien_nghi"),
    ("kiến nghị ,  đề xuất", "kien_nghi"), ("khó khăn - vướng mắc", "kho_khan")])
def test_the_two_types_in_any_spelling(small_ws: Path, tmp_path: Path, kind: str, expected: str) -> None:
    sub = _read_texts(small_ws, tmp_path, {4: (kind, "Thiếu máy tính")})
    assert [(t["kind"], t["cell"], t["text"]) for t in sub.texts] == [(expected, "C4", "Thiếu máy tính")]
    assert sub.findings == []


@pytest.mark.parametrize(("row", "kind"), [(12, "đề xuất"), (5, "vướng mắc"), (12, "Kiến nghị"), (25, None),
                                           (13, "Khác")])
def test_a_text_of_no_known_type_is_an_error_at_its_type_cell(small_ws: Path, tmp_path: Path, row: int,
                                                              kind: object) -> None:
    """Row 25 stands for a row added below the table, which has no type."""
    sub = _read_texts(small_ws, tmp_path, {row: (kind, "Đề nghị hỗ trợ kinh phí"), 4: (None, "")})
    assert [(f.severity, f.rule, f.sheet, f.cell, f.found) for f in sub.findings] == [
        ("error", "text_kind", SHEET, f"B{row}", kind or "")]
    assert "Khó khăn, vướng mắc" in sub.findings[0].fix and "Kiến nghị, đề xuất" in sub.findings[0].fix
    assert sub.texts == []
