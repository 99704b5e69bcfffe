"""Intake for the cycle under way (issue 14): a file goes into the year it claims, read by the registry it names,
with the plan's tasks; an older template is still read."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from core import layout as L
from core.catalogue import load_catalogue
from core.config import Task, load_config, write_config
from core.units import load_registry
from dvctt.demo import demo_config
from dvctt.pipeline import build_report, ingest
from load import connect
from load.warehouse import Warehouse, warehouse_url
from report.workbook import SHEET_TASKS
from templates.submission import build_template
from tests.support.factory import drop, row_of, set_ratio

COMMUNE, REUSED = "06613", "06625"  # Lạng Sơn: Đình Lập; Kiên Mộc (old and new)
TASKS = [Task(code="T01", title="Sản xuất nội dung tin bài về DVCTT", lead=["commune"], period="Thường xuyên"),
         Task(code="T02", title="Thiết lập mạng lưới cộng tác viên", lead=[COMMUNE], partners="Các đơn vị liên quan")]


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    write_config(ws, demo_config("20", 2026).model_copy(update={"tasks": TASKS, "plan": "Kế hoạch thử"}))
    return ws


def template(ws: Path, code: str, year: int, hierarchy: int | None = None):
    config = load_config(ws).for_year(year)
    registry = load_registry(config, hierarchy)  # type: ignore[arg-type]
    return build_template(registry.units[code], year, config.report_window, load_catalogue(), config=config)


def stored(ws: Path) -> list[tuple]:
    engine = connect(warehouse_url(ws))
    with engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(
            "SELECT unit_code, year, era, is_current FROM submissions ORDER BY year, unit_code, era")]


def test_an_earlier_year_goes_into_its_own_year_a_later_one_is_refused(ws: Path) -> None:
    last = template(ws, COMMUNE, 2025)
    set_ratio(last, "CB_TRUYENTHONG", 9, 10)
    drop(ws, COMMUNE, last, "nam_2025.xlsx")
    later = template(ws, COMMUNE, 2027)
    drop(ws, COMMUNE, later, "nam_2027.xlsx")
    summary = ingest(ws)
    status = {f.name: (f.status, f.warnings) for f in summary.files}
    assert status == {"nam_2025.xlsx": ("accepted", 1), "nam_2027.xlsx": ("quarantined", 0)}
    assert stored(ws) == [(COMMUNE, 2025, "new", True)]
    feedback = load_workbook(ws / "inbox" / COMMUNE / "phan_hoi" / "nam_2025.phan_hoi.xlsx").active
    text = " ".join(str(c) for row in feedback.iter_rows(values_only=True) for c in row if c)
    assert "được lưu vào năm 2025, không tính vào báo cáo năm 2026" in text
    wh = Warehouse(connect(warehouse_url(ws)))
    assert wh.current_facts(2026).empty and len(wh.current_facts(2025)) == 1  # never into the current year


def test_a_reused_codes_two_units_keep_their_own_current_reports(ws: Path) -> None:
    old = template(ws, REUSED, 2025, hierarchy=3)  # old Kiên Mộc, 3-level template
    assert old[L.SHEET_INFO].cell(row=row_label(old, "Danh mục đơn vị"), column=2).value.startswith("dvhcvn-2025-03-01")
    set_ratio(old, "CB_TRUYENTHONG", 10, 20)
    drop(ws, REUSED, old, "xa_cu.xlsx")
    new = template(ws, REUSED, 2025)  # the new Kiên Mộc
    assert new[L.SHEET_INFO].cell(row=row_label(new, "Danh mục đơn vị"), column=2).value.startswith("merges-2025-07-01")
    set_ratio(new, "CB_TRUYENTHONG", 30, 40)
    drop(ws, REUSED, new, "xa_moi.xlsx")
    assert {f.status for f in ingest(ws).files} == {"accepted"}
    again = template(ws, REUSED, 2025)
    set_ratio(again, "CB_TRUYENTHONG", 31, 40)
    drop(ws, REUSED, again, "xa_moi_2.xlsx")  # replaces the new unit's report, not the old one's
    ingest(ws)
    assert [r for r in stored(ws) if r[3]] == [(REUSED, 2025, "new", True), (REUSED, 2025, "old", True)]
    facts = Warehouse(connect(warehouse_url(ws))).current_facts(2025)
    assert sorted(zip(facts["era"], facts["numerator"], strict=True)) == [("new", 31), ("old", 10)]


def row_label(wb, label: str) -> int:
    sheet = wb[L.SHEET_INFO]
    return next(r for r in range(1, sheet.max_row + 1) if str(sheet.cell(row=r, column=1).value).startswith(label))


def test_an_older_template_is_read_with_the_version_warning_and_a_foreign_registry_is_refused(ws: Path) -> None:
    wb = template(ws, COMMUNE, 2026)
    info = wb[L.SHEET_INFO]
    info.cell(row=row_label(wb, "Phiên bản mẫu"), column=2, value="DVCTT-1")
    info.delete_rows(row_label(wb, "Danh mục đơn vị"))  # DVCTT-1 had no registry row
    set_ratio(wb, "CB_TRUYENTHONG", 5, 8)
    drop(ws, COMMUNE, wb, "mau_cu.xlsx")
    foreign = template(ws, "06637", 2026)
    foreign[L.SHEET_INFO].cell(row=row_label(foreign, "Danh mục đơn vị"), column=2, value="dvhcvn-2030-01-01")
    drop(ws, "06637", foreign, "la.xlsx")
    summary = ingest(ws)
    status = {f.name: (f.status, f.warnings) for f in summary.files}
    assert status["mau_cu.xlsx"] == ("accepted", 1) and status["la.xlsx"][0] == "quarantined"
    assert "danh mục đơn vị" in next(f.reason for f in summary.files if f.name == "la.xlsx").lower()
    assert stored(ws) == [(COMMUNE, 2026, "new", True)]  # the code as the year reads it


def test_tasks_are_reported_by_their_lead_units_and_summarised(ws: Path) -> None:
    lead = template(ws, COMMUNE, 2026)
    sheet = lead[L.SHEET_TASKS]
    assert [sheet.cell(row=r, column=2).value for r in range(L.HEADER_ROW + 1, sheet.max_row + 1)] == ["T01", "T02"]
    sheet.cell(row=row_of(sheet, "T01"), column=6, value="Hoàn thành")
    sheet.cell(row=row_of(sheet, "T01"), column=7, value="12 tin bài")
    sheet.cell(row=row_of(sheet, "T02"), column=6, value="Đang thực hiện")
    lead[L.SHEET_INFO].cell(row=row_label(lead, "Kế hoạch của đơn vị"), column=2, value="15/KH-UBND ngày 02/4/2026")
    drop(ws, COMMUNE, lead, "nhiem_vu.xlsx")
    other = template(ws, "06637", 2026)  # leads T01 only (every commune)
    assert [other[L.SHEET_TASKS].cell(row=r, column=2).value
            for r in range(L.HEADER_ROW + 1, other[L.SHEET_TASKS].max_row + 1)] == ["T01"]
    other[L.SHEET_TASKS].cell(row=L.HEADER_ROW + 1, column=6, value="xong rồi")  # not a status
    drop(ws, "06637", other, "sai.xlsx")
    summary = ingest(ws)
    status = {f.name: f.status for f in summary.files}
    assert status == {"nhiem_vu.xlsx": "accepted", "sai.xlsx": "quarantined"}
    assert "xong rồi" in next(f.reason for f in summary.files if f.name == "sai.xlsx")
    facts = Warehouse(connect(warehouse_url(ws))).current_facts(2026)
    assert not set(facts["indicator_code"]) & {"T01", "T02"}  # a status is stored as a task's, never as a figure
    book = load_workbook(build_report(ws).path, read_only=True)
    rows = list(book[SHEET_TASKS].iter_rows(values_only=True))
    communes = len(load_registry(load_config(ws)).of_levels({"commune"}))
    t01 = next(r for r in rows if r[0] == "T01" and r[1] == TASKS[0].title)
    assert t01[5:9] == (0, 0, 1, communes - 1)  # chưa triển khai, đang thực hiện, hoàn thành, chưa báo cáo
    t02 = next(r for r in rows if r[0] == "T02" and r[1] == TASKS[1].title)
    assert t02[5:9] == (0, 1, 0, 0)
    details = [r[:5] for r in rows]
    assert ("T01", COMMUNE, "Xã Đình Lập", "Hoàn thành", "12 tin bài") in details
    assert ("T01", "06637", "Xã Châu Sơn", "Chưa báo cáo", None) in details
    assert (COMMUNE, "Xã Đình Lập", "15/KH-UBND ngày 02/4/2026") in [r[:3] for r in rows]  # the units' plans

