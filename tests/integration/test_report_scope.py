"""Report scope (issue 6): any unit, on demand, for any date range, each under its own name."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from core.config import Window, load_config, write_config
from core.units import load_registry
from dvctt.demo import demo_config
from dvctt.pipeline import build_report, report_path
from tests.support import SAMPLES
from tests.support.oracle_readers import read_data_sheet
from transform.scope import UnknownUnitError

DISTRICT = "105"  # Thành phố Lai Châu, a district of the 3-level demo
FIGURES = ["numerator", "denominator", "value", "reporting_units", "split_units"]


@pytest.fixture(scope="module")
def scoped(demo_run: Path, tmp_path_factory) -> Path:
    ws = tmp_path_factory.mktemp("scope") / "ws"
    shutil.copytree(demo_run, ws, symlinks=True)
    return ws


def _status_rows(path: Path) -> dict[str, tuple]:
    """Tình hình nộp's unit list: code → (status, deadline, arrival)."""
    rows = load_workbook(path)["Tình hình nộp"].iter_rows(values_only=True)
    return {r[1]: (r[6], r[4], r[5]) for r in rows if r[6] in ("Đúng hạn", "Trễ hạn", "Chưa nộp")}


def test_a_district_report_is_the_district_part_of_the_province_report(scoped: Path) -> None:
    config = load_config(scoped)
    province = report_path(scoped, config)
    before = province.read_bytes()
    result = build_report(scoped, unit=DISTRICT)
    assert result.path == report_path(scoped, config, unit=DISTRICT)
    assert result.path == province.with_name("bao_cao_dvctt_12_2025_dv105.xlsx")
    assert province.read_bytes() == before  # the province's report is untouched
    subtree = {u.code for u in load_registry(config).walk(DISTRICT)}
    whole, part = read_data_sheet(province), read_data_sheet(result.path)
    whole = whole[whole["unit_code"].isin(subtree)].set_index(["unit_code", "indicator_code"])
    part = part.set_index(["unit_code", "indicator_code"])
    assert part.index.tolist() == whole.index.tolist() and len(part) > 100
    pd.testing.assert_frame_equal(part[FIGURES], whole[FIGURES])
    assert pd.isna(part.loc[DISTRICT, "parent_code"]).all()  # the district is this report's root
    statuses = _status_rows(province)
    mine = _status_rows(result.path)
    assert mine == {code: s for code, s in statuses.items() if code in subtree}
    assert (result.unit, result.units_expected) == (DISTRICT, len(mine))
    assert result.units_reported == sum(s[0] != "Chưa nộp" for s in mine.values())
    book = load_workbook(result.path)
    assert book["Tổng hợp"]["A2"].value.startswith("Thành phố Lai Châu – Năm 2025")
    sources = {r[0] for r in book["Nguồn số liệu"].iter_rows(min_row=5, values_only=True) if r[0]}
    assert sources and sources <= subtree


def test_unknown_or_abolished_units_are_refused_in_vietnamese(scoped: Path) -> None:
    with pytest.raises(UnknownUnitError, match="«99999» không có trong danh mục"):
        build_report(scoped, unit="99999")
    with pytest.raises(UnknownUnitError, match=r"không có trong hệ thống 2 cấp.*--hierarchy 3"):
        build_report(scoped, unit=DISTRICT, hierarchy=2)


def test_each_scope_has_its_own_file_name() -> None:
    config = demo_config("12", 2025)
    ws = Path("/ws")
    default = report_path(ws, config)
    assert default == ws / "outbox" / "2025" / "bao_cao_dvctt_12_2025.xlsx"
    half = Window(start=date(2025, 1, 1), end=date(2025, 6, 30))
    names = {
        report_path(ws, config, unit=DISTRICT),
        report_path(ws, config, hierarchy=2),
        report_path(ws, config, window=half),
        report_path(ws, config, unit=DISTRICT, window=half),
        report_path(ws, config, unit=DISTRICT, hierarchy=2, window=half),
        report_path(ws, config.for_year(2024)),
    }
    assert len(names) == 6 and default not in names
    assert report_path(ws, config, window=half).name == "bao_cao_dvctt_12_2025_20250101-20250630.xlsx"
    # the defaults spelt out are the default report
    assert report_path(ws, config, unit="12", hierarchy=3, window=config.report_window) == default


def test_ad_hoc_window_drives_portal_figures_deadlines_and_says_so(scoped: Path) -> None:
    """A half-year report: the portal's dossiers counted by reception date in the window, deadlines no later
    than its end, unit figures the year's current ones (and the workbook says so)."""
    (scoped / "portal").mkdir(exist_ok=True)
    shutil.copy(SAMPLES / "mau_hoso_chitiet.csv", scoped / "portal")
    result = build_report(scoped, date_from=date(2025, 1, 1), date_to=date(2025, 6, 30))
    assert result.path.name == "bao_cao_dvctt_12_2025_20250101-20250630.xlsx" and result.ad_hoc
    dossiers = pd.read_csv(SAMPLES / "mau_hoso_chitiet.csv", dtype=str, encoding="utf-8-sig")
    received = pd.to_datetime(dossiers["Ngày tiếp nhận"], format="%d/%m/%Y %H:%M").dt.date
    half = dossiers[(received >= date(2025, 1, 1)) & (received <= date(2025, 6, 30))]
    channel, level = half["Kênh tiếp nhận"].str.lower(), half["Mức độ DVC"].str.lower()
    online = int(((channel == "trực tuyến") & (level == "toàn trình")).sum())  # processed fully online
    total = int(channel.isin(["trực tuyến", "trực tiếp", "bcci"]).sum())
    data = read_data_sheet(result.path).set_index(["unit_code", "indicator_code"])
    assert (data.at[("12", "HOSO_TRUCTUYEN"), "numerator"], data.at[("12", "HOSO_TRUCTUYEN"), "denominator"]) == (
        online, total)
    yearly = read_data_sheet(report_path(scoped, load_config(scoped))).set_index(["unit_code", "indicator_code"])
    units_only = [i for i in data.index if not i[1].startswith(("HOSO", "TTHC", "DINHDANH", "HAILONG", "YKIEN"))]
    pd.testing.assert_frame_equal(data.loc[units_only, FIGURES], yearly.loc[units_only, FIGURES])
    book = load_workbook(result.path)
    assert "ĐỘT XUẤT" in book["Tổng hợp"]["A1"].value and "số liệu năm 2025 hiện có" in book["Tổng hợp"]["A3"].value
    assert "Số liệu đến ngày 30/06/2025" in str(book["Tổng hợp"].oddHeader.right.text)
    statuses = _status_rows(result.path)
    assert {s[1].date() for s in statuses.values()} == {date(2025, 6, 30)}
    assert all(s[0] == "Trễ hạn" for s in statuses.values() if s[2] is not None)  # every file came after 30/06


def test_a_province_from_a_national_workspace_is_the_province_workspace_report(demo_run: Path, tmp_path: Path) -> None:
    """The same warehouse read as a national workspace (province VN), narrowed to Lai Châu."""
    national = tmp_path / "vn"
    national.mkdir()
    write_config(national, demo_config("VN", 2025))
    shutil.copy(demo_run / "warehouse.sqlite", national / "warehouse.sqlite")
    result = build_report(national, unit="12")
    assert result.path.name == "bao_cao_dvctt_VN_2025_dv12.xlsx"
    province = read_data_sheet(report_path(demo_run, load_config(demo_run)))
    pd.testing.assert_frame_equal(read_data_sheet(result.path), province)
    assert _status_rows(result.path) == _status_rows(report_path(demo_run, load_config(demo_run)))


def test_cli_passes_the_scope_through_and_refuses_unknown_units(scoped: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "dvctt.cli", "report", "-w", str(scoped), *args],
                              capture_output=True, text=True, check=False, env={"COLUMNS": "200", "PATH": ""})

    done = cli("--unit", DISTRICT, "--hierarchy", "3", "--from", "01/01/2025", "--to", "30/06/2025", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert Path(out["path"]).name == "bao_cao_dvctt_12_2025_dv105_20250101-20250630.xlsx"
    assert (out["unit"], out["window"], out["ad_hoc"]) == (DISTRICT, {"start": "2025-01-01", "end": "2025-06-30"}, True)
    for args, message in ((["--unit", "99999"], "Mã đơn vị «99999» không có"),
                          (["--from", "31/12/2025", "--to", "01/01/2025"], "ngày kết thúc 01/01/2025 trước"),
                          (["--from", "2025-13-01"], "Ngày «2025-13-01» (--from) không hợp lệ")):
        done = cli(*args)
        assert done.returncode == 1 and message in " ".join(done.stderr.split()), done.stderr
