"""Empty and shrinking submissions, checked in the warehouse and in the report.

A file with no figure filled in is rejected with «tệp chưa điền số liệu»: never counted as reported, never replacing
an earlier version. A resubmission that leaves out figures the unit's current version has is loaded, with a warning
listing each one (code and label) in the feedback file and on the report's «Cảnh báo dữ liệu» sheet.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from core.catalogue import load_catalogue
from dvctt.pipeline import build_report, ingest
from load import connect
from load.warehouse import Warehouse, warehouse_url
from tests.support.factory import drop, set_count, set_ratio, set_yes_no, template_for
from tests.support.oracle_readers import read_data_sheet, sheet_table

COMMUNE, OTHER = "03386", "03387"
EMPTY = "tệp chưa điền số liệu"


def _wh(ws: Path) -> Warehouse:
    return Warehouse(connect(warehouse_url(ws)))


def _status(report: Path) -> dict[str, str]:
    return {str(r["Mã"]): str(r["Tình trạng"]) for r in sheet_table(report, "Tình hình nộp", ["Mã", "Tình trạng"])}


def _feedback(ws: Path, unit: str, stem: str) -> list[tuple]:
    path = ws / "inbox" / unit / "phan_hoi" / f"{stem}.phan_hoi.xlsx"
    return [r for r in load_workbook(path).active.iter_rows(values_only=True) if any(v is not None for v in r)]


def test_blank_template_is_rejected_and_the_unit_is_not_reported(small_ws: Path) -> None:
    drop(small_ws, COMMUNE, template_for(small_ws, COMMUNE), "mau_trang.xlsx")
    only_texts = template_for(small_ws, OTHER)
    only_texts["Khó khăn, kiến nghị"]["C4"] = "Thiếu máy tính"
    drop(small_ws, OTHER, only_texts, "chi_co_kho_khan.xlsx")
    summary = ingest(small_ws)
    outcomes = {f.name: f for f in summary.files}
    for name in ("mau_trang.xlsx", "chi_co_kho_khan.xlsx"):
        assert outcomes[name].status == "quarantined"
        assert EMPTY in outcomes[name].reason.lower()
    assert "Chỉ tiêu" in outcomes["mau_trang.xlsx"].reason and "Hoạt động" in outcomes["mau_trang.xlsx"].reason
    assert any(EMPTY in str(row).lower() for row in _feedback(small_ws, COMMUNE, "mau_trang"))
    assert _wh(small_ws).sources(2025).empty  # nothing counts as a submission
    report = build_report(small_ws).path
    status = _status(report)
    assert status[COMMUNE] == status[OTHER] == "Chưa nộp"


def test_a_single_figure_is_a_submission(small_ws: Path) -> None:
    wb = template_for(small_ws, COMMUNE)
    set_yes_no(wb, "DV_TUYENTRUYEN_CONG", "Không")
    drop(small_ws, COMMUNE, wb, "mot_so.xlsx")
    assert ingest(small_ws).files[0].status == "accepted"
    report = build_report(small_ws).path
    assert _status(report)[COMMUNE] != "Chưa nộp"
    data = read_data_sheet(report).set_index(["unit_code", "indicator_code"])
    assert data.loc[(COMMUNE, "DV_TUYENTRUYEN_CONG"), "numerator"] == 0


def test_blank_template_after_a_good_file_replaces_nothing(small_ws: Path) -> None:
    good = template_for(small_ws, COMMUNE)
    set_ratio(good, "CB_TRUYENTHONG", 40, 50)
    drop(small_ws, COMMUNE, good, "lan1.xlsx")
    ingest(small_ws)
    drop(small_ws, COMMUNE, template_for(small_ws, COMMUNE), "lan2_trang.xlsx")
    assert ingest(small_ws).files[-1].status == "quarantined"
    sources = _wh(small_ws).sources(2025)
    assert list(sources["original_name"]) == ["lan1.xlsx"] and list(sources["is_current"]) == [True]
    data = read_data_sheet(build_report(small_ws).path).set_index(["unit_code", "indicator_code"])
    assert (data.loc[(COMMUNE, "CB_TRUYENTHONG"), "numerator"], data.loc[(COMMUNE, "CB_TRUYENTHONG"), "denominator"]) \
        == (40, 50)


def test_resubmission_dropping_figures_loads_with_a_warning_listing_them(small_ws: Path) -> None:
    labels = {i.code: i.label for i in load_catalogue().items}
    first = template_for(small_ws, COMMUNE)
    set_ratio(first, "CB_TRUYENTHONG", 40, 50)
    set_yes_no(first, "DV_TUYENTRUYEN_CONG", "Có")
    set_count(first, "HD_TINBAI", 12)
    set_count(first, "HD_VIDEO", 2)
    drop(small_ws, COMMUNE, first, "lan1.xlsx")
    ingest(small_ws)
    second = template_for(small_ws, COMMUNE)
    set_count(second, "HD_TINBAI", 15)  # keeps one figure, changes it; leaves the other three out
    cell = set_ratio(second, "CB_TRUYENTHONG", None, None)
    drop(small_ws, COMMUNE, second, "lan2.xlsx")
    outcome = ingest(small_ws).files[-1]
    assert (outcome.name, outcome.status, outcome.warnings) == ("lan2.xlsx", "accepted", 3)

    current = _wh(small_ws).current_facts(2025)
    assert list(current["indicator_code"]) == ["HD_TINBAI"]  # the new version is current, as sent
    dropped = {"CB_TRUYENTHONG": cell, "DV_TUYENTRUYEN_CONG": None, "HD_VIDEO": None}
    rows = [r for r in _feedback(small_ws, COMMUNE, "lan2") if r[1] and "Cảnh báo" in str(r[1])]
    assert len(rows) == 3
    for code in dropped:
        assert any(code in str(r) and labels[code] in str(r) for r in rows), code
    assert any(r[3] == cell and "40/50" in str(r) for r in rows)  # the cell left blank, the figure it had
    assert not any("HD_TINBAI" in str(r) for r in rows)

    report = build_report(small_ws).path
    warned = sheet_table(report, "Cảnh báo dữ liệu", ["Mã", "Tệp", "Cách xử lý"])
    assert {r["Tệp"] for r in warned} == {"lan2.xlsx"}
    for code in dropped:
        assert any(code in str(r["Cách xử lý"]) and labels[code] in str(r["Cách xử lý"]) for r in warned), code


def test_shrinking_within_one_batch_compares_with_the_earlier_file(small_ws: Path) -> None:
    import os

    first = template_for(small_ws, COMMUNE)
    set_count(first, "HD_TINBAI", 12)
    set_count(first, "HD_VIDEO", 2)
    early = drop(small_ws, COMMUNE, first, "a_lan1.xlsx")
    second = template_for(small_ws, COMMUNE)
    set_count(second, "HD_TINBAI", 12)
    late = drop(small_ws, COMMUNE, second, "b_lan2.xlsx")
    os.utime(late, (early.stat().st_mtime + 60, early.stat().st_mtime + 60))  # saved a minute later
    summary = ingest(small_ws)
    by_name = {f.name: f for f in summary.files}
    assert (by_name["a_lan1.xlsx"].warnings, by_name["b_lan2.xlsx"].warnings) == (0, 1)
    rows = _feedback(small_ws, COMMUNE, "b_lan2")
    assert any("HD_VIDEO" in str(r) and "a_lan1.xlsx" in str(r) for r in rows)
