"""The annex's Vietnamese text figures, its print width and the draft/final stamp."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from openpyxl import Workbook

from report.numbers import vn_number, vn_percent, vn_points, vn_signed
from report.tables import keep_legible
from report.workbook import stamp


@pytest.mark.parametrize(("text", "expected"), [
    (vn_number(2821), "2.821"),
    (vn_number(1234567.5, 1), "1.234.567,5"),
    (vn_number(12), "12"),
    (vn_percent(0.771), "77,1%"),
    (vn_percent(1.0, 0), "100%"),
    (vn_percent(0.00049), "0,0%"),
    (vn_points(3.25), "+3,2 điểm %"),  # half to even, as Python rounds
    (vn_points(-12.34), "-12,3 điểm %"),
    (vn_points(-0.04), "0,0 điểm %"),  # no "-0,0"
    (vn_signed(-1234), "-1.234"),
    (vn_signed(5), "+5"),
])
def test_vietnamese_figures_as_text(text: str, expected: str) -> None:
    assert text == expected


@pytest.mark.parametrize(("widths", "hidden", "pages"), [
    ([40, 40, 40], (), 1),  # 120 units: one page wide at 100 %
    ([46] * 4, (), 1),  # 184 units: one page at 76 %, 12 pt prints at 9.1 pt
    ([47] * 4, (), 2),  # 188 units: one page would print at 8.9 pt
    ([60] * 4, (), 2),  # 240 units: one page would print at 7.0 pt
    ([60] * 4, ("B",), 1),  # a hidden column does not print
])
def test_a_sheet_is_as_many_pages_wide_as_keep_9_pt(widths: list[int], hidden: tuple[str, ...], pages: int) -> None:
    ws = Workbook().active
    for n, w in enumerate(widths):
        letter = "ABCD"[n]
        ws[f"{letter}1"] = "x"
        ws.column_dimensions[letter].width = w
        ws.column_dimensions[letter].hidden = letter in hidden
    keep_legible(ws)
    # printable landscape A4 ≈ 140 units at 100 %; 9 pt of 12 pt allows 140 / 0.75 ≈ 187 units a page
    assert ws.page_setup.fitToWidth == pages


def test_a_print_area_limits_the_width_counted() -> None:
    ws = Workbook().active
    for letter in "ABCDEFGH":
        ws[f"{letter}1"] = "x"
        ws.column_dimensions[letter].width = 60
    ws.print_area = "A1:C10"  # 180 units printed (of 480)
    keep_legible(ws)
    assert ws.page_setup.fitToWidth == 1


def test_the_stamp_says_draft_or_final_and_when_in_vietnam() -> None:
    at = datetime(2026, 12, 1, 18, 30, tzinfo=UTC)  # 01:30 on 2 December in Vietnam
    assert stamp(at, final=False) == "DỰ THẢO – lập lúc 01:30 ngày 02/12/2026"
    assert stamp(at, final=True) == "CHÍNH THỨC – lập lúc 01:30 ngày 02/12/2026"
    assert stamp(None, final=False) == "DỰ THẢO"
