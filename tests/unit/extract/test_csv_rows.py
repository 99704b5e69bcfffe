"""A CSV row that does not line up with its header never loses a field unseen, and a text's type is read strictly."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import Limits
from extract.reader import ReadJob, ReadResult, read_one

COMMUNE = "03386"
HEADER = "Mã đơn vị;Năm báo cáo;Mã;Tử số;Mẫu số;Có/Không;Số lượng;Loại;Nội dung\n"  # 9 columns, A–I


def _read(tmp_path: Path, *lines: str) -> ReadResult:
    path = tmp_path / "bao_cao.csv"
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return read_one(ReadJob("f", path, COMMUNE, 2025, Limits()))


def _findings(res: ReadResult) -> list[tuple[str, str, str, str]]:
    assert res.submission is not None, res.problem
    return [(f.severity, f.rule, f.cell, f.found) for f in res.submission.findings]


def _values(res: ReadResult) -> dict[str, float | None]:
    assert res.submission is not None
    return {c["item_code"]: c["value"] for c in res.submission.cells if c["field"] in ("count", "numerator")}


def test_unquoted_separator_in_a_text_is_an_error_naming_what_was_cut(tmp_path: Path) -> None:
    res = _read(tmp_path,
                f"{COMMUNE};2025;HD_TINBAI;;;;12;;",
                f"{COMMUNE};2025;;;;;;Khó khăn, vướng mắc;Thiếu máy tính; mạng chập chờn")
    assert _findings(res) == [("error", "csv_row_too_wide", "J3", "mạng chập chờn")]
    fix = res.submission.findings[0].fix
    assert "Dòng 3" in fix and "10 ô" in fix and "9 cột" in fix and "ngoặc kép" in fix
    assert res.submission.texts == []  # the half sentence is not loaded as if it were the whole
    assert _values(res) == {"HD_TINBAI": 12}


def test_empty_fields_past_the_header_are_a_warning_and_the_row_is_read(tmp_path: Path) -> None:
    res = _read(tmp_path, f"{COMMUNE};2025;HD_TINBAI;;;;12;;;;", f"{COMMUNE};2025;HD_VIDEO;;;;3;;")
    assert _findings(res) == [("warning", "csv_row_extra_empty", "J2", "1 dòng")]
    assert "Dòng 2" in res.submission.findings[0].fix
    assert _values(res) == {"HD_TINBAI": 12, "HD_VIDEO": 3}


def test_a_short_row_reads_its_missing_trailing_fields_as_blank(tmp_path: Path) -> None:
    res = _read(tmp_path, f"{COMMUNE};2025;HD_TINBAI;;;;12", f"{COMMUNE};2025;CB_TRUYENTHONG;4;5")
    assert _findings(res) == []
    assert _values(res) == {"HD_TINBAI": 12, "CB_TRUYENTHONG": 4}


@pytest.mark.parametrize(("line", "cell", "found"), [
    (f"{COMMUNE};2025;HD_TINBAI;12", "D2", "12"),  # the empty fields before «Số lượng» left out: 12 under «Tử số»
    (f"{COMMUNE};2025;CB_TRUYENTHONG;4;5;;9;;", "G2", "9"),  # a ratio with a stray count
    (f"{COMMUNE};2025;DV_TUYENTRUYEN_CONG;1;;Có", "D2", "1"),  # a yes/no answer with a stray numerator
    (f"{COMMUNE};2025;;;;;7;;", "G2", "7"),  # a figure on a row without a code
])
def test_a_value_in_a_column_its_code_does_not_use_is_an_error(tmp_path: Path, line: str, cell: str,
                                                                found: str) -> None:
    res = _read(tmp_path, line)
    assert _findings(res) == [("error", "csv_misplaced", cell, found)]


@pytest.mark.parametrize(("kind", "expected"), [("Khó khăn, vướng mắc", "kho_khan"), ("KIEN NGHI, DE XUAT", "kien_nghi"),
                                                ("  kiến   nghị,đề xuất ", "kien_nghi")])
def test_either_type_in_any_spelling_is_read(tmp_path: Path, kind: str, expected: str) -> None:
    res = _read(tmp_path, f'{COMMUNE};2025;HD_TINBAI;;;;1;"{kind}";Cần thêm máy tính')
    assert _findings(res) == []
    assert [t["kind"] for t in res.submission.texts] == [expected]


@pytest.mark.parametrize("kind", ["đề xuất", "Kiến nghị", "", "vướng mắc"])
def test_a_text_without_one_of_the_two_types_is_an_error_at_its_type_cell(tmp_path: Path, kind: str) -> None:
    res = _read(tmp_path, f"{COMMUNE};2025;HD_TINBAI;;;;1;{kind};Cần thêm máy tính")
    assert _findings(res) == [("error", "text_kind", "H2", kind)]
    assert "Khó khăn, vướng mắc" in res.submission.findings[0].fix
    assert res.submission.texts == []  # never filed as a difficulty by default

