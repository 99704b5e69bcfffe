"""The leadership workbook the way a recipient meets it: opened in a spreadsheet, printed to PDF.

Oracles are independent of the writer: openpyxl reads the cells back, the ranking rule is
recomputed from the "Dữ liệu" sheet, and LibreOffice renders the file as a recipient would.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from core.catalogue import Kind, load_catalogue
from core.config import WorkspaceConfig, load_config
from core.layout import HEADER_ROW, INFO_FIRST_ROW, INFO_ROWS, SHEET_INFO, SHEET_TEXT
from core.records import FACT_COLUMNS, Finding
from core.text import fold
from core.units import load_registry
from dvctt.pipeline import build_report, ingest, report_path
from report import styles as S
from report.charts import RankingPanel, ranking_png, vn_percent
from report.feedback import write_feedback
from report.workbook import SHEET_DATA, TECHNICAL_SHEETS, ReportInputs, write_report
from report.xlsx import save_workbook, write_text
from tests.support import REPO
from tests.support.factory import drop, set_count, set_ratio, template_for
from tests.support.oracle_readers import read_data_sheet
from tests.support.services import unavailable
from transform import rollup, split_list, unit_status, unplaced_list
from transform.comparison import portal_comparison

ROOT = "12"
CUTOFF = "14/12/2025"
INJECTIONS = ['=HYPERLINK("http://x","y")', "+84 912 345 678 không liên lạc được", "-Thiếu kinh phí in tờ rơi",
              "@Sở TT&TT chưa có hướng dẫn"]
OLD_TEMPLATE = "DVCTT-0"
MET_RGB, NOT_MET_RGB = S.MET_FILL.fgColor.rgb, S.NOT_MET_FILL.fgColor.rgb
PRODUCED_AT = datetime(2025, 12, 10, 1, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def report_file(demo_run: Path) -> Path:
    return report_path(demo_run, load_config(demo_run))


@pytest.fixture(scope="module")
def book(report_file: Path):
    return load_workbook(report_file)


@pytest.fixture(scope="module")
def province(report_file: Path) -> pd.DataFrame:
    data = read_data_sheet(report_file)
    return data[data["unit_code"] == ROOT].set_index("indicator_code")


@dataclass
class Resubmission:
    workspace: Path
    unit: str
    report: Path


@pytest.fixture(scope="module")
def resubmitted(demo_run: Path, tmp_path_factory) -> Resubmission:
    """A copy of the demo where one commune sends a second file: formula-looking free text (the clerk
    typed '=…' with an apostrophe, or pasted it) and an old template version (a data-quality warning)."""
    ws = tmp_path_factory.mktemp("resubmitted") / "ws"
    shutil.copytree(demo_run, ws)
    src = sorted(p for p in (ws / "inbox").glob("*/*.xlsx") if re.fullmatch(r"\d{5}", p.parent.name))[0]
    wb = load_workbook(src)
    for row, text in enumerate(INJECTIONS, start=HEADER_ROW + 1):
        write_text(wb[SHEET_TEXT].cell(row=row, column=3), text)
    version_row = INFO_FIRST_ROW + [key for _label, key in INFO_ROWS].index("PHIEN_BAN")
    wb[SHEET_INFO].cell(row=version_row, column=2).value = OLD_TEMPLATE
    again = save_workbook(wb, src.with_name(f"{src.stem}_lan2.xlsx"))
    settled = time.time() - 600
    os.utime(again, (settled, settled))
    assert ingest(ws).to_dict()["new_accepted"] == 1
    return Resubmission(ws, src.parent.name, build_report(ws, produced_at=PRODUCED_AT).path)


@dataclass
class Rendered:
    returncode: int
    output: str
    report: Path
    feedback: Path


@pytest.fixture(scope="module")
def rendered(resubmitted: Resubmission, tmp_path_factory) -> Rendered:
    """One LibreOffice session converts the report and a feedback file to PDF, in a Vietnamese locale."""
    soffice = shutil.which("soffice")
    if soffice is None:
        unavailable("LibreOffice is not installed (no `soffice` on PATH); .ci/run installs libreoffice-calc")
    tmp = tmp_path_factory.mktemp("pdf")
    feedback = write_feedback(
        tmp / "bao_cao.phan_hoi.xlsx", unit_name="UBND xã Tân Hòa", file_name="bao_cao.xlsx",
        arrived_at=datetime(2025, 12, 6, 2, 0, tzinfo=UTC), accepted=False,
        findings=[Finding("k", "error", "not_a_number", "Chỉ tiêu", "D7", "=1+1", "Số nguyên không âm",
                          "Nhập con số, không nhập công thức.")])
    out = tmp / "out"
    cmd = [soffice, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless", "--norestore",
           "--convert-to", "pdf", "--outdir", str(out), str(resubmitted.report), str(feedback)]
    env = {**os.environ, "LC_ALL": "vi_VN.UTF-8", "LANG": "vi_VN.UTF-8"}  # 1.234 and 85,5% as leaders see them
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, check=False)
    return Rendered(done.returncode, done.stdout + done.stderr, out / f"{resubmitted.report.stem}.pdf",
                    out / f"{feedback.stem}.pdf")


def _pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes()))


def _pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    if shutil.which("pdftotext") is None:
        unavailable("pdftotext is not installed (poppler-utils); .ci/run installs it")
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    return subprocess.run(["pdftotext", "-layout", *pages, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


# --- what the cells say -----------------------------------------------------------------------


def _summary_rows(ws) -> dict[str, int]:
    """indicator code → its row on «Tổng hợp» (those with a goal for the year first)."""
    codes = {i.code for i in load_catalogue().indicators}
    return {ws.cell(row=r, column=2).value: r for r in range(5, ws.max_row + 1) if ws.cell(row=r, column=2).value in codes}


def test_summary_equals_the_province_row_of_the_data_sheet(book, province: pd.DataFrame) -> None:
    ws = book["Tổng hợp"]
    rows = _summary_rows(ws)
    assert set(rows) == {i.code for i in load_catalogue().indicators}
    for code, row in rows.items():
        for col, field in ((6, "value"), (7, "numerator"), (8, "denominator")):
            got, want = ws.cell(row=row, column=col).value, province.loc[code, field]
            assert (got is None and pd.isna(want)) or got == pytest.approx(want, rel=1e-12), (code, field)


def test_verdicts_follow_the_target_for_the_year_and_are_coloured(book, province: pd.DataFrame) -> None:
    """A target of year T is judged from T on: CQ_CAITIEN's 2030 target is progress in 2025, never «Chưa đạt»."""
    ws = book["Tổng hợp"]
    seen = set()
    rows = _summary_rows(ws)
    for ind in load_catalogue().indicators:
        row = rows[ind.code]
        judged, later = ind.target(2025), ind.horizon(2025)
        value = province.loc[ind.code, "value"]
        verdict = ws.cell(row=row, column=9)
        assert ws.cell(row=row, column=4).value == (judged.goal if judged else None), ind.code
        if judged is None and later is None:
            assert verdict.value is None, ind.code  # no goal, no verdict
        elif pd.isna(value):
            assert verdict.value == "Chưa có số liệu", ind.code
        elif judged is None:
            assert verdict.value == "Đang thực hiện", ind.code
        else:
            assert verdict.value == ("Đạt" if value >= judged.goal else "Chưa đạt"), ind.code
            assert verdict.fill.fgColor.rgb == (MET_RGB if verdict.value == "Đạt" else NOT_MET_RGB)
        seen.add(verdict.value)
    assert {"Đạt", "Chưa đạt", "Đang thực hiện"} <= seen
    assert rows["CQ_CAITIEN"] and ws.cell(row=rows["CQ_CAITIEN"], column=9).value == "Đang thực hiện"
    assert ws.column_dimensions["B"].hidden  # the codes are not printed
    assert ws.cell(row=5, column=6).number_format == S.VN_PCT_FMT
    assert ws.cell(row=5, column=7).number_format == S.VN_INT_FMT


def test_by_unit_cells_are_coloured_against_their_target(book) -> None:
    ws = book["Theo đơn vị"]
    goals = {i.label: i.target_for(2025)[1] for i in load_catalogue().indicators if i.target_for(2025)}
    coloured = 0
    for col in range(4, ws.max_column + 1):
        goal = goals.get(ws.cell(row=4, column=col).value)
        if goal is None:
            continue
        for row in range(5, ws.max_row + 1):
            cell = ws.cell(row=row, column=col)
            if isinstance(cell.value, float | int):
                assert cell.fill.fgColor.rgb == (MET_RGB if cell.value >= goal else NOT_MET_RGB), cell.coordinate
                coloured += 1
    assert coloured > 500


def _ranking_table(ws) -> pd.DataFrame:
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=2).value == "Xếp hạng")
    names = [c.value for c in ws[header]]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=header + 1)]
    return pd.DataFrame(rows, columns=names)


def test_ranking_follows_the_published_rule(book, report_file: Path) -> None:
    """Recompute the rule printed on the sheet from the Dữ liệu sheet and compare, unit by unit."""
    catalogue = load_catalogue()
    goals = {i.code: (i.target_for(2025)[1], set(i.applies_to), i.source) for i in catalogue.indicators
             if i.target_for(2025)}
    data = read_data_sheet(report_file)
    reported = data.groupby("unit_code")["reporting_units"].max() > 0
    names = dict(zip(data["unit_code"], data["unit_name"], strict=False))
    levels = data.drop_duplicates("unit_code").groupby("level")["unit_code"].apply(set).to_dict()
    expected = {}
    for (code, level), rows in data[data["level"] != "province"].groupby(["unit_code", "level"]):
        met = applicable = 0
        reached = 0.0
        for r in rows.itertuples():
            if r.indicator_code not in goals or level not in goals[r.indicator_code][1]:
                continue
            goal, _applies, source = goals[r.indicator_code]
            education = {u for u in levels[level] if "giao duc" in fold(names[u])}
            if source == "education" and education and code not in education:
                continue  # an education target concerns the education agencies alone
            if pd.notna(r.numerator) and r.denominator == 0:
                continue
            applicable += 1
            met += bool(pd.notna(r.value) and r.value >= goal)
            reached += min(1.0, r.value / goal) if pd.notna(r.value) else 0.0
        ok = reported[code] and applicable
        expected[code] = (met, applicable, met / applicable if ok else None, reached / applicable if ok else None)
    table = _ranking_table(book["Xếp hạng"])
    assert set(table["Mã"]) == set(expected)
    for r in table.itertuples():
        met, applicable, share, score = expected[r.Mã]
        assert (r[6], r[7]) == (met, applicable), r.Mã
        assert pd.isna(r[8]) == (share is None) and (share is None or r[8] == pytest.approx(share)), r.Mã
        assert pd.isna(r[9]) == (score is None) and (score is None or r[9] == pytest.approx(score)), r.Mã
    for level, rows in table.groupby("Cấp", sort=False):
        ranked = rows[rows["Xếp hạng"].notna()]
        keys = [round(expected[c][3], 9) for c in ranked["Mã"]]  # by score; equal scores share a rank (1, 1, 3)
        assert list(ranked["Xếp hạng"]) == [1 + sum(k > mine for k in keys) for mine in keys], level
        assert keys == sorted(keys, reverse=True), level
        assert (rows["Xếp hạng"].isna() == rows["Ghi chú"].notna()).all(), level  # unranked units say why
    assert "cùng hạng (ví dụ 1, 1, 3)" in book["Xếp hạng"]["A3"].value


def test_every_sheet_prints_a4_landscape_with_titles_frozen_panes_and_cutoff(book) -> None:
    assert book.sheetnames == ["Tóm tắt", "Tổng hợp", "Theo đơn vị", "Xếp hạng", "Hoạt động", "Tình hình nộp",
                               "Cảnh báo dữ liệu", "Khó khăn, kiến nghị", "Cổng DVC và đơn vị", "Kiểm tra tệp Cổng DVC",
                               "Đối chiếu số liệu", "Sáp nhập, chia tách", "So với năm trước", "Nhiệm vụ, kế hoạch",
                               "Nguồn số liệu", "Dữ liệu"]
    for ws in book.worksheets:
        setup = ws.page_setup
        assert (setup.orientation, setup.paperSize) == ("landscape", 9), ws
        assert setup.fitToHeight == (1 if ws.title == "Tóm tắt" else 0) and setup.fitToWidth >= 1, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.print_title_rows and ws.freeze_panes, ws.title
        assert ws.sheet_state == ("hidden" if ws.title in TECHNICAL_SHEETS else "visible"), ws.title
        header, footer = str(ws.oddHeader.right), str(ws.oddFooter)
        assert f"Số liệu đến ngày {CUTOFF}" in header and "Sở Khoa học và Công nghệ" in str(ws.oddHeader.left)
        assert re.search(r"DỰ THẢO – lập lúc \d\d:\d\d ngày \d\d/\d\d/\d{4}", ws.oddHeader.center.text), ws.title
        assert not re.search(r"&[DT]", header + footer), "no print date or time: the time produced is an input"
        assert setup.firstPageNumber == 1 and setup.useFirstPageNumber, ws.title
    assert book["Theo đơn vị"].page_setup.fitToWidth == 1  # hidden: its width does not matter
    assert book["Tổng hợp"].page_setup.fitToWidth == 1  # one page wide at 9 pt
    assert [c.value for c in book["Dữ liệu"][1]] == ["unit_code", "unit_name", "level", "parent_code",
                                                    "indicator_code", "numerator", "denominator", "value",
                                                    "reporting_units", "split_units", "previous_year",
                                                    "previous_numerator", "previous_denominator", "previous_value",
                                                    "previous_split_units", "change"]


def test_charts_are_pictures_without_a_stamp(report_file: Path) -> None:
    """The targets' chart and the ranking are pictures (their labels read 77,1% in any program and locale)."""
    with zipfile.ZipFile(report_file) as z:
        names = z.namelist()
        assert not [n for n in names if n.startswith("xl/charts/chart")]
        pngs = [z.read(n) for n in names if n.startswith("xl/media/") and n.endswith(".png")]
    assert len(pngs) == 2
    for png in pngs:
        chunks, pos = [], 8
        while pos < len(png):
            length, kind = struct.unpack(">I4s", png[pos:pos + 8])
            chunks.append((kind, png[pos + 8:pos + 8 + length]))
            pos += 12 + length
        assert b"tIME" not in {k for k, _ in chunks}
        assert not any(b"Software" in body or b"Date" in body for k, body in chunks if k in (b"tEXt", b"iTXt", b"zTXt"))


def test_ranking_picture_is_byte_identical_for_the_same_figures() -> None:
    panels = [RankingPanel("Xã/Phường/Thị trấn: tỷ lệ chỉ tiêu đạt", [f"{n}. Xã Mường Tè {n}" for n in range(1, 30)],
                           [1 - n / 40 for n in range(29)])]
    render = ("import sys; from report.charts import RankingPanel, ranking_png; "
              f"sys.stdout.buffer.write(ranking_png([RankingPanel({panels[0].title!r}, {list(panels[0].labels)!r}, "
              f"{list(panels[0].shares)!r})]))")
    made = [subprocess.run([sys.executable, "-c", render], capture_output=True, check=True, cwd=REPO,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")]
    assert made[0] == made[1] == ranking_png(panels)  # separate processes, different hash seeds
    assert vn_percent(0.855) == "85,5%"


def test_portal_comparison_shows_both_figures_and_the_difference(demo_run: Path, report_file: Path, tmp_path: Path) -> None:
    """Both sides cover a unit and everything under it; the difference needs both."""
    config = load_config(demo_run)
    data = read_data_sheet(report_file)
    registry = load_registry(config)
    nobody = unit_status(registry, pd.DataFrame(columns=["unit_code", "arrived_at"]), config)
    inputs = ReportInputs(config, registry, load_catalogue(), data, nobody,
                          pd.DataFrame(columns=["unit_code", "kind", "seq", "text"]),
                          pd.DataFrame(columns=["unit_code", "version", "is_current", "arrived_at", "original_name",
                                                "sha256"]),
                          pd.DataFrame(columns=["unit_code", "original_name", "arrived_at", "sha256", "reason"]))
    empty = portal_comparison(data, inputs.portal_facts, registry, inputs.catalogue)
    portal_codes = [i.code for i in load_catalogue().indicators if i.source == "portal"]
    assert list(empty["indicator_code"]) == portal_codes and set(empty["unit_code"]) == {ROOT}
    assert empty["value_portal"].isna().all()
    commune = data[(data["level"] == "commune") & (data["indicator_code"] == "NGUOIDAN_SUDUNG")
                   & data["numerator"].notna()].iloc[0]
    inputs.portal_facts = pd.DataFrame(
        [(ROOT, "HOSO_TRUCTUYEN", 800, 1000), ("105", "HOSO_TRUCTUYEN", 30, 40), ("03386", "HOSO_TRUCTUYEN", 5, 10),
         (ROOT, "NGUOIDAN_SUDUNG", 150000, 250000), (commune.unit_code, "NGUOIDAN_SUDUNG", 10, 20),
         (ROOT, "PORTAL_RECEIVED_TOTAL", 1000, None)], columns=FACT_COLUMNS)
    frame = portal_comparison(data, inputs.portal_facts, registry, inputs.catalogue)
    frame = frame.set_index(["unit_code", "indicator_code"])
    assert frame.loc[(ROOT, "HOSO_TRUCTUYEN"), "value_portal"] == pytest.approx(835 / 1050)  # own + descendants
    assert frame.loc[("105", "HOSO_TRUCTUYEN"), ["numerator_portal", "denominator_portal"]].tolist() == [35, 50]
    assert ("03386", "HOSO_TRUCTUYEN") not in frame.index  # below the root's children: "Theo đơn vị" has it
    assert pd.isna(frame.loc[(ROOT, "HOSO_TRUCTUYEN"), "value"])  # units do not report the portal's indicators
    own = data[(data["unit_code"] == ROOT) & (data["indicator_code"] == "NGUOIDAN_SUDUNG")]["value"].iloc[0]
    assert frame.loc[(ROOT, "NGUOIDAN_SUDUNG"), "difference"] == pytest.approx(150010 / 250020 - own)
    assert frame.loc[(commune.unit_code, "NGUOIDAN_SUDUNG"), "difference"] == pytest.approx(0.5 - commune.value)
    assert "PORTAL_RECEIVED_TOTAL" not in frame.index.get_level_values(1)
    sheet = load_workbook(write_report(inputs, tmp_path / "r.xlsx"))["Cổng DVC và đơn vị"]
    assert [sheet.cell(row=5, column=c).value for c in (1, 7, 8)] == [ROOT, None, None]  # TTHC_TOANTRINH: none yet
    assert any(sheet.cell(row=r, column=9).value == pytest.approx(835 / 1050) for r in range(5, sheet.max_row + 1))


def test_data_sheet_rows_read_back_exactly_and_never_as_formulas(demo_run: Path, report_file: Path,
                                                                 tmp_path: Path) -> None:
    """The streamed "Dữ liệu" rows: text with markup, spaces or a leading "=" stays text; blanks stay blank."""
    config = load_config(demo_run)
    data = read_data_sheet(report_file)
    data.loc[0, "unit_name"] = '=HYPERLINK("http://x","y")'
    data.loc[1, "unit_name"] = " Xã <A> & B "
    registry = load_registry(config)
    inputs = ReportInputs(config, registry, load_catalogue(), data, unit_status(registry, pd.DataFrame(
        columns=["unit_code", "arrived_at"]), config), pd.DataFrame(columns=["unit_code", "kind", "seq", "text"]),
        pd.DataFrame(columns=["unit_code", "version", "is_current", "arrived_at", "original_name", "sha256"]),
        pd.DataFrame(columns=["unit_code", "original_name", "arrived_at", "sha256", "reason"]))
    path = write_report(inputs, tmp_path / "r.xlsx")
    pd.testing.assert_frame_equal(read_data_sheet(path), data)
    ws = load_workbook(path)[SHEET_DATA]
    assert ws["B2"].data_type == "s" and ws["B2"].value == data.loc[0, "unit_name"]
    assert ws.auto_filter.ref == f"A1:{get_column_letter(data.shape[1])}{len(data) + 1}" and ws.max_row == len(data) + 1
    with zipfile.ZipFile(path) as z:
        sheet = z.read(f"xl/worksheets/sheet{load_workbook(path).sheetnames.index(SHEET_DATA) + 1}.xml")
    assert b"<f>" not in sheet and b"<f " not in sheet
    assert write_report(inputs, tmp_path / "again.xlsx").read_bytes() == path.read_bytes()


# --- a resubmission with hostile-looking text and a warning -------------------------------------


def test_formula_looking_text_arrives_as_plain_text(resubmitted: Resubmission) -> None:
    wb = load_workbook(resubmitted.report)
    ws = wb["Khó khăn, kiến nghị"]
    cells = {row[4].value: row[4] for row in ws.iter_rows(min_row=5) if row[2].value == resubmitted.unit}
    for text in INJECTIONS:
        assert text in cells, text
        assert cells[text].data_type == "s" and cells[text].quotePrefix, text
    with zipfile.ZipFile(resubmitted.report) as z:
        sheet = z.read(f"xl/worksheets/sheet{wb.sheetnames.index(ws.title) + 1}.xml")
    assert b"<f>" not in sheet and b"<f " not in sheet


def test_warnings_sheet_lists_the_current_files_warnings(resubmitted: Resubmission) -> None:
    wb = load_workbook(resubmitted.report)
    rows = [[c.value for c in row] for row in wb["Cảnh báo dữ liệu"].iter_rows(min_row=5)]
    mine = [r for r in rows if r[0] == resubmitted.unit]
    assert mine and mine[0][2].endswith("_lan2.xlsx") and mine[0][5] == OLD_TEMPLATE
    current = {(r[0].value, r[2].value) for r in wb["Nguồn số liệu"].iter_rows(min_row=5) if r[5].value == "Đang dùng"}
    assert {(r[0], r[2]) for r in rows} <= current  # a superseded file's warnings no longer matter


def test_same_state_gives_a_byte_identical_workbook(resubmitted: Resubmission) -> None:
    first = resubmitted.report.read_bytes()
    assert build_report(resubmitted.workspace, produced_at=PRODUCED_AT).path.read_bytes() == first


# --- the way a recipient opens it ---------------------------------------------------------------


def test_libreoffice_prints_the_report_and_the_feedback_file(rendered: Rendered) -> None:
    assert rendered.returncode == 0, rendered.output
    assert _pdf_pages(rendered.report) > 10
    assert _pdf_pages(rendered.feedback) >= 1


def test_pdf_shows_vietnamese_text_and_number_formats(rendered: Rendered, resubmitted: Resubmission) -> None:
    data = read_data_sheet(resubmitted.report)
    row = data[(data["unit_code"] == ROOT) & (data["indicator_code"] == "CB_TRUYENTHONG")].iloc[0]
    page1 = _pdf_text(rendered.report, 1, 1)
    assert "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU ĐỀ ÁN 1588/QĐ-TTg" in page1 and "Chưa đạt" in page1
    assert f"{int(row.numerator):,}".replace(",", ".") in page1  # #,##0 → 2.821
    assert vn_percent(row.value) in page1  # 0.0% → 77,1%
    assert f"Số liệu đến ngày {CUTOFF}" in page1


def test_pdf_shows_formula_looking_text_not_errors(rendered: Rendered) -> None:
    text = _pdf_text(rendered.report)
    for injected in INJECTIONS:
        assert injected in text, injected
    assert not re.search(r"Err:\d{3}|#NAME\?|#VALUE!", text)
    assert "=1+1" in _pdf_text(rendered.feedback)


def test_activity_counts_have_integer_format(book) -> None:
    ws = book["Hoạt động"]
    acts = [a for a in load_catalogue().activities if a.kind is Kind.COUNT]
    assert ws.cell(row=5, column=5).number_format == S.VN_INT_FMT and len(acts) == ws.max_column - 3  # totals, units


def test_crosswalk_sheets_show_splits_as_estimates_and_what_was_left_out(tmp_path: Path) -> None:
    """Quảng Trị from 1/7/2025: old Quảng Tiến (19039) was split between 19030 and 19075; an old district's own
    file has no place in 2 levels."""
    config = WorkspaceConfig(province="44", year=2025)
    registry = load_registry(config)
    district = next(c for c, u in sorted(registry.outside.items()) if u.level == "district")
    facts = pd.DataFrame([("19039", "CB_TRUYENTHONG", 10.0, 20.0), ("19027", "CB_TRUYENTHONG", 5.0, 5.0),
                          (district, "CB_TRUYENTHONG", 99.0, 100.0)],
                         columns=["unit_code", "indicator_code", "numerator", "denominator"])
    catalogue = load_catalogue()
    data = rollup(registry, facts, catalogue)
    inputs = ReportInputs(config, registry, catalogue, data,
                          unit_status(registry, pd.DataFrame(columns=["unit_code", "arrived_at"]), config),
                          pd.DataFrame(columns=["unit_code", "kind", "seq", "text"]),
                          pd.DataFrame(columns=["unit_code", "version", "is_current", "arrived_at", "original_name",
                                                "sha256"]),
                          pd.DataFrame(columns=["unit_code", "original_name", "arrived_at", "sha256", "reason"]),
                          splits=split_list(registry, facts), unplaced=unplaced_list(registry, facts))
    book = load_workbook(write_report(inputs, tmp_path / "r.xlsx"))
    rows = [r for r in book["Sáp nhập, chia tách"].iter_rows(values_only=True) if r[0]]
    assert ("19039", registry.get("19039").name, "19030", registry.units["19030"].name, 0.5, "Ước tính", 2025) in rows
    estimated = {r[0]: r[3] for r in rows if isinstance(r[3], str) and r[3].startswith("Ước tính:")}
    assert estimated == {"44": "Ước tính: gồm phần chia của 1 đơn vị cũ", "19030": "Ước tính: gồm phần chia của 1 đơn vị "
                         "cũ", "19075": "Ước tính: gồm phần chia của 1 đơn vị cũ"}
    left_out = {r[0]: r[3] for r in rows if isinstance(r[3], str) and "không được cộng" in r[3]}
    assert set(left_out) == {district} and "hệ thống 2 cấp" in left_out[district]
    notes = {r[0]: r[-1] for r in book["Theo đơn vị"].iter_rows(min_row=5, values_only=True)}
    assert {code: note for code, note in notes.items() if note} == estimated


def test_a_districts_own_figures_are_reconciled_not_added(demo_run: Path, tmp_path: Path) -> None:
    """District 105 sends its own consolidated file: the rollup ignores it, "Đối chiếu số liệu" shows it beside
    the sum of its children, with the differences."""
    ws = tmp_path / "ws"
    shutil.copytree(demo_run, ws, symlinks=True)
    wb = template_for(ws, "105")
    set_ratio(wb, "CB_TRUYENTHONG", 500, 600)
    set_count(wb, "HD_TINBAI", 70)
    drop(ws, "105", wb, "tong_hop_huyen.xlsx")
    assert ingest(ws).to_dict()["new_accepted"] == 1
    before = read_data_sheet(report_path(demo_run, load_config(demo_run)))
    path = build_report(ws).path
    data = read_data_sheet(path)
    pd.testing.assert_frame_equal(data, before)  # a parent's own file never adds to the figures
    children = data[data["unit_code"] == "105"].set_index("indicator_code")
    rows = {r[3]: r for r in load_workbook(path)["Đối chiếu số liệu"].iter_rows(min_row=5, values_only=True) if r[0]}
    labels = {i.code: i.label for i in load_catalogue().items}
    ratio, count = rows[labels["CB_TRUYENTHONG"]], rows[labels["HD_TINBAI"]]
    kids = children.loc["CB_TRUYENTHONG"]
    assert ratio[:2] == ("105", "Thành phố Lai Châu") and ratio[4:7] == (500, 600, pytest.approx(500 / 600))
    assert ratio[7:10] == (kids.numerator, kids.denominator, pytest.approx(kids.value))
    assert ratio[10:13] == (500 - kids.numerator, 600 - kids.denominator, pytest.approx(500 / 600 - kids.value))
    assert count[4] == 70 and count[10] == 70 - children.loc["HD_TINBAI", "numerator"] and count[6] is None
    assert set(rows) == {labels["CB_TRUYENTHONG"], labels["HD_TINBAI"]}
