"""Form 06a with the citizens' rating under «Đánh giá của người dân» and its variants (issue 16.9).

The workbook is written here with merged two-row headers, the figures are typed by hand, and the
expected indicators are the hand sums of the rows inside the window.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from extract.portal import read_portal_file
from transform.portal import portal_measures

WINDOW = (date(2025, 1, 1), date(2025, 6, 30))
# (code, period, received total, online, resolved, early, on time, late, ratings, satisfied)
ROWS = [
    ("105", "Quý I/2025", 120, 90, 100, 30, 60, 10, 40, 36),
    ("105", "Quý II/2025", 80, 70, 75, 5, 65, 5, 20, 15),
    ("106", "Quý I/2025", 50, 10, 45, 0, 44, 1, 8, 8),
    ("106", "Quý III/2025", 999, 999, 999, 0, 999, 0, 999, 999),  # outside the window
]


def write_06a(path: Path, group: str, total: str, satisfied: str) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Biểu 06a"
    ws["A1"] = "TÌNH HÌNH TIẾP NHẬN, GIẢI QUYẾT TTHC VÀ ĐÁNH GIÁ CỦA NGƯỜI DÂN"
    ws.merge_cells("A1:M1")
    singles = ["STT", "Mã đơn vị", "Tên đơn vị", "Kỳ báo cáo"]
    for c, text in enumerate(singles, start=1):
        ws.cell(3, c, text)
        ws.merge_cells(start_row=3, start_column=c, end_row=4, end_column=c)
    col = len(singles) + 1
    for top, subs in (("Số hồ sơ tiếp nhận", ["Tổng số", "Trực tuyến"]),
                      ("Số hồ sơ đã giải quyết", ["Tổng số", "Trước hạn", "Đúng hạn", "Quá hạn"]),
                      (group, [total, satisfied])):
        ws.cell(3, col, top)
        ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + len(subs) - 1)
        for i, sub in enumerate(subs):
            ws.cell(4, col + i, sub)
        col += len(subs)
    for n, (code, period, *figures) in enumerate(ROWS, start=1):
        ws.append([n, code, f"Đơn vị {code}", period, *figures])
    wb.save(path)


@pytest.mark.parametrize(("group", "total", "satisfied"), [
    ("Đánh giá của người dân", "Số lượt", "Hài lòng"),
    ("Danh gia cua nguoi dan", "So luot", "Hai long"),
    ("ĐÁNH GIÁ CỦA NGƯỜI DÂN", "Tổng số lượt đánh giá", "Số lượt hài lòng"),
    ("Kết quả đánh giá", "Số lượt", "Số lượt hài lòng"),
    ("Ket qua danh gia", "Tong so luot danh gia", "So luot hai long"),
    ("Mức độ hài lòng", "Tổng số lượt đánh giá", "Hài lòng"),
    ("Đánh giá của người dân, doanh nghiệp", "Số lượt", "Hài lòng và rất hài lòng"),
])
def test_citizen_rating_group_gives_satisfaction(tmp_path: Path, group: str, total: str, satisfied: str) -> None:
    path = tmp_path / "06a.xlsx"
    write_06a(path, group, total, satisfied)
    export = read_portal_file(path)
    assert export.shape == "aggregated"
    assert {"ratings_total", "ratings_satisfied"} <= set(export.columns)
    assert export.ignored == []
    result = portal_measures([export], *WINDOW, {"105", "106"})
    got = {(r.unit_code, r.indicator_code): (int(r.numerator), int(r.denominator)) for r in result.facts.itertuples()}
    assert got[("105", "HAILONG")] == (36 + 15, 40 + 20)
    assert got[("106", "HAILONG")] == (8, 8)
    # the on-time rate the report shows: (early + on time) / resolved
    assert got[("105", "PORTAL_GIAIQUYET_DUNGHAN")] == (30 + 60 + 5 + 65, 100 + 75)
    assert got[("106", "PORTAL_GIAIQUYET_DUNGHAN")] == (0 + 44, 45)
    assert not [p for p in result.problems if p.rule == "indicator_missing"]


def test_unrecognised_rating_columns_name_the_missing_indicator(tmp_path: Path) -> None:
    """A header variant no alias knows still loses the figure, but never silently: the checks sheet names
    the indicator that is missing and the columns that were not recognised."""
    path = tmp_path / "06a.xlsx"
    write_06a(path, "Phiếu khảo sát", "Số phiếu", "Phiếu tốt")
    export = read_portal_file(path)
    assert export.ignored == ["Phiếu khảo sát / Số phiếu", "Phiếu khảo sát / Phiếu tốt"]
    result = portal_measures([export], *WINDOW, {"105", "106"})
    assert not any(r.indicator_code == "HAILONG" for r in result.facts.itertuples())
    [problem] = [p for p in result.problems if p.rule == "indicator_missing"]
    assert "HAILONG" in problem.message and "«Phiếu khảo sát / Số phiếu»" in problem.message
    assert "HOSO_TRUCTUYEN" in problem.message  # no «Trực tuyến toàn trình» column: dossiers processed fully online
