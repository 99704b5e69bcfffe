"""Reused codes resolved by date (issue 14.3): portal rows dated before and after 1/7/2025 under a reused code.

Lạng Sơn's old Kiên Mộc (06625) was split between the new Kiên Mộc, which kept the code 06625, and Châu Sơn
(06637). A dossier under 06625 received before 1/7/2025 is the old commune's, so half of it goes to each new
commune; one received from 1/7/2025 is the new Kiên Mộc's alone. A Form 06a period spanning 1/7/2025 under that code
cannot be told apart and counts at the province. Gia Lai's old A Dơk (23710) went entirely into Ia Băng (23869),
while the code 23710 now names another commune. Every expected figure below is written by hand.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from core.catalogue import load_catalogue
from core.config import WorkspaceConfig, write_config
from core.units import load_registry
from dvctt.demo import demo_config
from dvctt.pipeline import build_report
from dvctt.portal import ingest_portal
from extract.portal import read_portal_file
from report.workbook import SHEET_CROSSWALK
from tests.support.oracle_readers import read_data_sheet
from transform.portal import portal_measures
from transform.rollup import rollup

HEADER = ["Mã hồ sơ", "Mã đơn vị", "Mức độ DVC", "Kênh tiếp nhận", "Ngày tiếp nhận"]


def dossiers(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """One row per dossier: (unit code, channel, received on)."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows([f"HS{n}", code, "Toàn trình", channel, day] for n, (code, channel, day) in enumerate(rows))
    return path


BEFORE = [("06625", "Trực tuyến", "10/03/2025")] * 4 + [("06625", "Trực tiếp", "11/03/2025")] * 2
AFTER = [("06625", "Trực tuyến", "10/09/2025")] * 3 + [("06625", "Trực tiếp", "12/09/2025")]


def form_06a(path: Path) -> Path:
    """Form 06a with one row under 06625 whose period spans 1/7/2025."""
    wb = Workbook()
    ws = wb.active
    ws.append(["Mã đơn vị", "Từ ngày", "Đến ngày", "Tổng số hồ sơ tiếp nhận", "Hồ sơ trực tuyến",
               "Hồ sơ trực tuyến toàn trình", "Số hồ sơ tiếp nhận trực tiếp"])
    ws.append(["06625", "15/06/2025", "14/07/2025", 10, 8, 6, 2])
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def lang_son(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("reused") / "ws"
    ws.mkdir()
    write_config(ws, demo_config("20", 2025, hierarchy=2))
    (ws / "portal").mkdir()
    dossiers(ws / "portal" / "hoso.csv", BEFORE + AFTER)
    form_06a(ws / "portal" / "06a.xlsx")
    ingest_portal(ws)
    return ws


def test_rows_before_1_7_2025_are_the_old_communes_and_split_by_shares(lang_son: Path) -> None:
    data = read_data_sheet(build_report(lang_son).path).set_index(["unit_code", "indicator_code"])
    # 06625: 3 of 4 received after the merger, plus half of the old commune's 4 of 6.
    assert data.loc[("06625", "HOSO_TRUCTUYEN"), ["numerator", "denominator"]].tolist() == [3 + 2, 4 + 3]
    assert data.loc[("06637", "HOSO_TRUCTUYEN"), ["numerator", "denominator"]].tolist() == [2, 3]
    assert data.loc[("06625", "HOSO_TRUCTUYEN"), "split_units"] == 1  # estimated: half of old Kiên Mộc
    assert data.loc[("06637", "HOSO_TRUCTUYEN"), "split_units"] == 1
    # the province: every dossier once, and the row spanning 1/7/2025 (6 of 10) counted there only
    assert data.loc[("20", "HOSO_TRUCTUYEN"), ["numerator", "denominator"]].tolist() == [4 + 3 + 6, 6 + 4 + 10]


def test_the_report_lists_the_split_and_the_row_it_could_not_place(lang_son: Path) -> None:
    book = load_workbook(build_report(lang_son).path, read_only=True)
    rows = list(book[SHEET_CROSSWALK].iter_rows(values_only=True))
    assert ("06625", "Xã Kiên Mộc", "06625", "Xã Kiên Mộc", 0.5, "Ước tính", 2025) in rows
    assert ("06625", "Xã Kiên Mộc", "06637", "Xã Châu Sơn", 0.5, "Ước tính", 2025) in rows
    raised = [r for r in rows if r[0] == "06625" and isinstance(r[3], str) and r[3].startswith("Tính vào 20")]
    assert len(raised) == 1, rows
    assert any(isinstance(r[0], str) and "trước 01/07/2025 là đơn vị cũ" in r[0] for r in rows)  # the rule, stated


def test_under_three_levels_only_the_rows_before_the_merger_are_old_kien_moc(lang_son: Path) -> None:
    data = read_data_sheet(build_report(lang_son, hierarchy=3).path).set_index(["unit_code", "indicator_code"])
    assert data.loc[("06625", "HOSO_TRUCTUYEN"), ["numerator", "denominator"]].tolist() == [4, 6]
    # the new Kiên Mộc cannot be cut back into old communes: its rows count at the province, as does the 06a row
    assert data.loc[("20", "HOSO_TRUCTUYEN"), ["numerator", "denominator"]].tolist() == [4 + 3 + 6, 6 + 4 + 10]


def test_a_registry_split_that_is_not_real_is_corrected_by_configuration() -> None:
    """Old Hưng Phú (31588, Sóc Trăng) is listed as split into Long Hưng (31579) and a Cần Thơ ward 40 km away
    (31201), probably a match on the name: the registry is kept as published, and a share of 0 says so."""
    listed = load_registry(WorkspaceConfig(province="92", year=2025))
    assert sorted((x.target, x.weight, x.partial) for x in listed.links["31588"]) == [("31201", 0.5, True),
                                                                                     ("31579", 0.5, True)]
    fixed = load_registry(WorkspaceConfig(province="92", year=2025, merge_weights={"31588": {"31579": 1, "31201": 0}}))
    assert [(x.target, x.weight, x.partial) for x in fixed.links["31588"]] == [("31579", 1.0, False)]


def test_a_reused_code_given_to_another_territory(tmp_path: Path) -> None:
    """Gia Lai: rows under 23710 before 1/7/2025 are old A Dơk's, which went into Ia Băng (23869)."""
    path = dossiers(tmp_path / "gl.csv", [("23710", "Trực tuyến", "05/05/2025")] * 2
                    + [("23710", "Trực tiếp", "06/05/2025")] + [("23710", "Trực tuyến", "05/08/2025")] * 5)
    registry = load_registry(WorkspaceConfig(province="52", year=2025))
    known = set(registry.units) | set(registry.outside)
    facts = portal_measures([read_portal_file(path)], date(2024, 12, 15), date(2025, 12, 14), known).facts
    assert sorted(zip(facts["indicator_code"], facts["era"], facts["numerator"], facts["denominator"], strict=True)) \
        >= [("HOSO_TRUCTUYEN", "new", 5, 5), ("HOSO_TRUCTUYEN", "old", 2, 3)]
    data = rollup(registry, facts.iloc[0:0][["unit_code", "indicator_code", "numerator", "denominator"]],
                  load_catalogue(), facts).set_index(["unit_code", "indicator_code"])
    assert data.loc[("23869", "HOSO_TRUCTUYEN"), ["numerator", "denominator"]].tolist() == [2, 3]
    assert data.loc[("23710", "HOSO_TRUCTUYEN"), ["numerator", "denominator"]].tolist() == [5, 5]
    assert data.loc[("23869", "HOSO_TRUCTUYEN"), "split_units"] == 0  # a whole merge is no estimate
    # without a date to read it by (era unknown), the code is the report's own unit, as before
    undated = facts.assign(era=None)
    plain = rollup(registry, undated.iloc[0:0][["unit_code", "indicator_code", "numerator", "denominator"]],
                   load_catalogue(), undated).set_index(["unit_code", "indicator_code"])
    assert plain.loc[("23710", "HOSO_TRUCTUYEN"), ["numerator", "denominator"]].tolist() == [7, 8]
    shutil.rmtree(tmp_path, ignore_errors=True)
