"""Intake that survives real offices and hostile files: read exactly or quarantine with a reason."""

from __future__ import annotations

import io
import os
import unicodedata
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dvctt.pipeline import build_report, ingest
from load import connect
from load.warehouse import Warehouse, warehouse_url
from tests.support.factory import drop, drop_bytes, set_count, set_ratio, set_yes_no, settle, template_for
from tests.support.oracle_readers import read_data_sheet
from tests.support.services import unavailable

COMMUNE, OTHER_COMMUNE, DEPT = "03386", "03387", "12-SKHCN"


def facts(ws: Path) -> dict[tuple[str, str], tuple[float | None, float | None]]:
    df = Warehouse(connect(warehouse_url(ws))).current_facts(2025)
    return {(r.unit_code, r.indicator_code): (r.numerator, r.denominator) for r in df.itertuples()}


def outcome(summary, name: str):
    return next(f for f in summary.files if f.name == name)


def feedback_rows(ws: Path, unit: str, stem: str) -> list[tuple]:
    path = ws / "inbox" / unit / "phan_hoi" / f"{stem}.phan_hoi.xlsx"
    assert path.is_file(), path
    return [r for r in load_workbook(path).active.iter_rows(min_row=6, values_only=True) if r[0] is not None]


def assert_accounted(summary) -> None:
    d = summary.to_dict()
    assert d["seen"] == d["accepted"] + d["quarantined"] + d["pending"]


def test_clean_file_loads_exact_figures_and_blank_is_not_zero(small_ws: Path) -> None:
    wb = template_for(small_ws, COMMUNE)
    set_ratio(wb, "CB_TRUYENTHONG", 45, 50)
    set_ratio(wb, "TCNSCD_TAPHUAN", 0, 12)
    set_yes_no(wb, "DV_TUYENTRUYEN_CONG", "Có")
    set_yes_no(wb, "DV_TAILIEU_HUONGDAN", "Không")
    set_count(wb, "HD_TINBAI", 7)
    set_count(wb, "HD_KINHPHI", "15.000.000")  # Vietnamese thousands, stored as text
    set_count(wb, "HD_VIDEO", " 3 ")
    drop(small_ws, COMMUNE, wb)
    summary = ingest(small_ws)
    assert outcome(summary, "bao_cao.xlsx").status == "accepted"
    got = facts(small_ws)
    assert got[(COMMUNE, "CB_TRUYENTHONG")] == (45, 50)
    assert got[(COMMUNE, "TCNSCD_TAPHUAN")] == (0, 12)  # a written 0 is a zero
    assert got[(COMMUNE, "DV_TUYENTRUYEN_CONG")] == (1, 1)
    assert got[(COMMUNE, "DV_TAILIEU_HUONGDAN")] == (0, 1)
    assert got[(COMMUNE, "HD_KINHPHI")][0] == 15_000_000
    assert got[(COMMUNE, "HD_VIDEO")][0] == 3
    assert (COMMUNE, "CB_DAOTAO") not in got  # blank stays missing
    assert (COMMUNE, "HD_HINHANH") not in got
    assert_accounted(summary)


@pytest.mark.parametrize(
    ("spoil", "rule_sheet", "cell_from"),
    [
        (lambda wb: set_ratio(wb, "CB_TRUYENTHONG", 60, 50), "Chỉ tiêu", "D"),
        (lambda wb: set_ratio(wb, "CB_TRUYENTHONG", 45, None), "Chỉ tiêu", "E"),
        (lambda wb: set_count(wb, "HD_TINBAI", -2), "Hoạt động", "E"),
        (lambda wb: set_count(wb, "HD_TINBAI", "nhiều"), "Hoạt động", "E"),
        (lambda wb: set_count(wb, "HD_TINBAI", 2.5), "Hoạt động", "E"),
        (lambda wb: set_yes_no(wb, "DV_TUYENTRUYEN_CONG", "Chắc có"), "Chỉ tiêu", "F"),
        (lambda wb: set_ratio(wb, "CB_TRUYENTHONG", "=40+5", 50), "Chỉ tiêu", "D"),  # formula, no cached value
    ],
    ids=["num_gt_den", "half_ratio", "negative", "text", "fraction", "yes_no", "formula_no_value"],
)
def test_errors_quarantine_with_sheet_and_cell(small_ws: Path, spoil, rule_sheet: str, cell_from: str) -> None:
    bad = template_for(small_ws, COMMUNE)
    cell = spoil(bad)
    drop(small_ws, COMMUNE, bad, "sai.xlsx")
    good = template_for(small_ws, OTHER_COMMUNE)
    set_ratio(good, "CB_TRUYENTHONG", 10, 20)
    drop(small_ws, OTHER_COMMUNE, good, "dung.xlsx")

    summary = ingest(small_ws)
    assert outcome(summary, "sai.xlsx").status == "quarantined"
    assert outcome(summary, "dung.xlsx").status == "accepted"  # a bad file never stops others
    assert (small_ws / "inbox" / COMMUNE / "sai.xlsx").is_file()  # never deleted
    assert list((small_ws / "quarantine" / COMMUNE).glob("*-sai.xlsx"))
    reasons = list((small_ws / "quarantine" / COMMUNE).glob("*.ly_do.txt"))
    assert rule_sheet in reasons[0].read_text(encoding="utf-8")
    rows = feedback_rows(small_ws, COMMUNE, "sai")
    expected_cell = cell_from + cell[1:]  # same row as the spoiled value, in the column at fault
    assert any(r[2] == rule_sheet and r[3] == expected_cell for r in rows), rows
    got = facts(small_ws)
    assert not any(u == COMMUNE for u, _ in got)
    assert got[(OTHER_COMMUNE, "CB_TRUYENTHONG")] == (10, 20)
    assert_accounted(summary)


def test_unit_may_only_submit_for_itself(small_ws: Path) -> None:
    wb = template_for(small_ws, OTHER_COMMUNE)  # claims 03387 …
    set_ratio(wb, "CB_TRUYENTHONG", 1, 2)
    drop(small_ws, COMMUNE, wb, "gia_mao.xlsx")  # … but dropped in 03386's folder
    wrong_year = template_for(small_ws, DEPT, year=2026)  # a later year: an earlier one goes into its own year
    set_ratio(wrong_year, "CB_TRUYENTHONG", 1, 2)
    drop(small_ws, DEPT, wrong_year, "nam_cu.xlsx")
    stranger = template_for(small_ws, COMMUNE)
    drop(small_ws, "99999", stranger, "la.xlsx")
    summary = ingest(small_ws)
    assert {f.name: f.status for f in summary.files} == {
        "gia_mao.xlsx": "quarantined", "nam_cu.xlsx": "quarantined", "la.xlsx": "quarantined"}
    assert "03387" in outcome(summary, "gia_mao.xlsx").reason
    assert feedback_rows(small_ws, COMMUNE, "gia_mao")[0][3] == "B3"
    assert feedback_rows(small_ws, DEPT, "nam_cu")[0][3] == "B6"
    assert facts(small_ws) == {}


def test_resubmission_replaces_and_keeps_history(small_ws: Path) -> None:
    first = template_for(small_ws, COMMUNE)
    set_ratio(first, "CB_TRUYENTHONG", 10, 50)
    path = drop(small_ws, COMMUNE, first, "lan1.xlsx")
    ingest(small_ws)
    second = template_for(small_ws, COMMUNE)
    set_ratio(second, "CB_TRUYENTHONG", 40, 50)
    drop(small_ws, COMMUNE, second, "lan2.xlsx")
    ingest(small_ws)
    assert facts(small_ws)[(COMMUNE, "CB_TRUYENTHONG")] == (40, 50)
    # identical bytes under another name change nothing
    drop_bytes(small_ws, COMMUNE, path.read_bytes(), "lan1_copy.xlsx")
    again = ingest(small_ws)
    assert outcome(again, "lan1_copy.xlsx").new is False
    assert facts(small_ws)[(COMMUNE, "CB_TRUYENTHONG")] == (40, 50)
    sources = Warehouse(connect(warehouse_url(small_ws))).sources(2025)
    assert list(sources["version"]) == [1, 2] and list(sources["is_current"]) == [False, True]
    report = build_report(small_ws).path
    data = read_data_sheet(report).set_index(["unit_code", "indicator_code"])
    assert data.loc[(COMMUNE, "CB_TRUYENTHONG"), "numerator"] == 40


@pytest.mark.parametrize("one_batch", [False, True])
def test_a_figure_left_out_of_a_new_version_is_a_warning_naming_its_cell(small_ws: Path, one_batch: bool) -> None:
    """A later file without a figure the current version has is accepted, with a warning on the blank cell that says
    which figure leaves the report; within one batch the earlier file is the version compared with."""
    first = template_for(small_ws, COMMUNE)
    set_ratio(first, "CB_TRUYENTHONG", 10, 50)
    set_count(first, "HD_TINBAI", 7)
    settle(drop(small_ws, COMMUNE, first, "lan1.xlsx"))
    if not one_batch:
        ingest(small_ws)
    second = template_for(small_ws, COMMUNE)
    set_ratio(second, "CB_TRUYENTHONG", 40, 50)
    cell = set_count(second, "HD_TINBAI", None)
    path = settle(drop(small_ws, COMMUNE, second, "lan2.xlsx"))
    os.utime(path, (path.stat().st_mtime + 60,) * 2)  # after lan1, so it becomes the current version
    summary = ingest(small_ws)
    assert outcome(summary, "lan2.xlsx").status == "accepted"
    assert outcome(summary, "lan2.xlsx").warnings == 1
    dropped = [r for r in feedback_rows(small_ws, COMMUNE, "lan2") if "Cảnh báo" in str(r[1])]
    assert [(r[2], r[3]) for r in dropped] == [("Hoạt động", cell)]
    assert "HD_TINBAI" in dropped[0][5] and "7" in dropped[0][5] and "lan1.xlsx" in dropped[0][6]
    assert (COMMUNE, "HD_TINBAI") not in facts(small_ws) and facts(small_ws)[(COMMUNE, "CB_TRUYENTHONG")] == (40, 50)


def test_messy_but_readable_layout_is_read_exactly(small_ws: Path) -> None:
    wb = template_for(small_ws, DEPT)
    set_ratio(wb, "CB_TRUYENTHONG", "1.234", "2.000")
    targets = wb["Chỉ tiêu"]
    targets.insert_rows(5, amount=2)  # blank rows in the middle
    targets.move_range("A4:H4", rows=20)  # a row moved to the bottom
    wb["Thông tin chung"].title = "Thong tin chung"  # diacritics lost
    hidden = wb.create_sheet("Nháp")
    hidden["A1"] = "ghi chú riêng"
    hidden.sheet_state = "hidden"
    header = targets.cell(row=3, column=4)
    header.value = unicodedata.normalize("NFD", "  TỬ   SỐ ")
    drop(small_ws, DEPT, wb)
    summary = ingest(small_ws)
    assert outcome(summary, "bao_cao.xlsx").status == "accepted", outcome(summary, "bao_cao.xlsx").reason
    assert facts(small_ws)[(DEPT, "CB_TRUYENTHONG")] == (1234, 2000)


def _xlsx_bytes(ws: Path, unit: str) -> bytes:
    buf = io.BytesIO()
    template_for(ws, unit).save(buf)
    return buf.getvalue()


def _rezip(data: bytes, extra: dict[str, bytes], patch: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, (patch or {}).get(info.filename, src.read(info.filename)))
        for name, payload in extra.items():
            dst.writestr(name, payload)
    return out.getvalue()


def test_hostile_files_are_quarantined_never_deleted(small_ws: Path, tmp_path: Path) -> None:
    good = _xlsx_bytes(small_ws, COMMUNE)
    drop_bytes(small_ws, COMMUNE, b"", "rong.xlsx")
    drop_bytes(small_ws, COMMUNE, b"MZ\x90\x00" + os.urandom(2000), "virus.xlsx")
    drop_bytes(small_ws, COMMUNE, good[: len(good) // 2], "cut.xlsx")
    drop_bytes(small_ws, COMMUNE, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000, "mat_khau.xlsx")
    bomb = _rezip(good, {"xl/media/zeros.bin": b"\0" * (60 * 1024 * 1024)})
    drop_bytes(small_ws, COMMUNE, bomb, "bom.xlsx")
    entity = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>'
    with zipfile.ZipFile(io.BytesIO(good)) as zf:
        sheet1 = zf.read("xl/worksheets/sheet2.xml")
    drop_bytes(small_ws, COMMUNE, _rezip(good, {}, {"xl/worksheets/sheet2.xml": entity + sheet1[:0]}), "xml_bom.xlsx")
    drop_bytes(small_ws, COMMUNE, b"a,b\n1,2\n", "bang.csv")  # a CSV that is not our layout
    outside = tmp_path / "secret.xlsx"
    outside.write_bytes(good)
    link = small_ws / "inbox" / COMMUNE / "lien_ket.xlsx"
    link.symlink_to(outside)
    odd = "b\u00e1o c\u00e1o \u202e\u0301 " + "x" * 200 + ".xlsx"
    drop_bytes(small_ws, OTHER_COMMUNE, good, odd[:240])

    summary = ingest(small_ws)
    status = {f.name: f.status for f in summary.files}
    for name in ("rong.xlsx", "virus.xlsx", "cut.xlsx", "mat_khau.xlsx", "bom.xlsx", "xml_bom.xlsx", "bang.csv",
                 "lien_ket.xlsx"):
        assert status[name] == "quarantined", name
    assert status[odd[:240]] == "quarantined"  # a commune's template in another commune's folder
    assert_accounted(summary)
    assert len(list((small_ws / "inbox" / COMMUNE).glob("*.*"))) == 8  # nothing deleted
    reasons = {f.name: f.reason for f in summary.files}
    assert "mật khẩu" in reasons["mat_khau.xlsx"]
    assert "giải nén" in reasons["bom.xlsx"]
    assert "lối tắt" in reasons["lien_ket.xlsx"]
    assert outside.read_bytes() == good
    page = summary.html.read_text(encoding="utf-8")  # IT sees every problem of the run in one place
    assert "mật khẩu" in page and "lien_ket.xlsx" in page and page.count("Bị từ chối") >= 9


def test_pending_and_lock_files_wait_for_next_scan(small_ws: Path) -> None:
    wb = template_for(small_ws, COMMUNE)
    set_count(wb, "HD_TINBAI", 4)
    path = small_ws / "inbox" / COMMUNE / "dang_chep.xlsx"
    path.parent.mkdir(parents=True)
    wb.save(path)  # mtime = now: still being copied
    (small_ws / "inbox" / COMMUNE / "~$dang_chep.xlsx").write_bytes(b"lock")
    first = ingest(small_ws)
    assert first.to_dict()["pending"] == 2 and first.to_dict()["accepted"] == 0
    settle(path)
    second = ingest(small_ws)
    assert outcome(second, "dang_chep.xlsx").status == "accepted"
    assert_accounted(second)


def test_macro_workbook_loads_with_warning_and_feedback(small_ws: Path) -> None:
    wb = template_for(small_ws, COMMUNE)
    set_ratio(wb, "CB_TRUYENTHONG", 3, 4)
    buf = io.BytesIO()
    wb.save(buf)
    data = _rezip(buf.getvalue(), {"xl/vbaProject.bin": b"Attribute VB_Name = \"Module1\"\nSub AutoOpen()\nEnd Sub"})
    drop_bytes(small_ws, COMMUNE, data, "macro.xlsm")
    summary = ingest(small_ws)
    assert outcome(summary, "macro.xlsm").status == "accepted"
    assert outcome(summary, "macro.xlsm").warnings >= 1
    assert any("macro" in str(r[6]) for r in feedback_rows(small_ws, COMMUNE, "macro"))
    assert facts(small_ws)[(COMMUNE, "CB_TRUYENTHONG")] == (3, 4)


def test_implausible_value_loads_with_warning_feedback(small_ws: Path) -> None:
    wb = template_for(small_ws, COMMUNE)
    cell = set_count(wb, "HD_KINHPHI", 15)  # typed in millions
    drop(small_ws, COMMUNE, wb, "kinh_phi.xlsx")
    summary = ingest(small_ws)
    assert outcome(summary, "kinh_phi.xlsx").status == "accepted"
    rows = feedback_rows(small_ws, COMMUNE, "kinh_phi")
    assert any(r[2] == "Hoạt động" and r[3] == cell and "Cảnh báo" in r[1] for r in rows), rows
    assert facts(small_ws)[(COMMUNE, "HD_KINHPHI")][0] == 15


def _to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letter (ư, ô…) plus a combining tone mark."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in d if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(c for c in d if c not in tones))
            out += (base + tones).encode("cp1258")
    return bytes(out)


CSV_HEADER = "Mã đơn vị;Năm báo cáo;Mã;Tử số;Mẫu số;Có/Không;Số lượng;Loại;Nội dung\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_csv_in_any_windows_encoding(small_ws: Path, encoding: str) -> None:
    body = (CSV_HEADER
            + f"{COMMUNE};2025;CB_TRUYENTHONG;1.234;2.000;;;;\n"
            + f"{COMMUNE};2025;DV_TUYENTRUYEN_CONG;;;Có;;;\n"
            + f"{COMMUNE};2025;HD_TINBAI;;;;12;;\n"
            + f"{COMMUNE};2025;;;;;;Khó khăn, vướng mắc;Thiếu máy tính ở bộ phận một cửa\n")
    data = _to_cp1258(body) if encoding == "cp1258" else body.encode(encoding)
    drop_bytes(small_ws, COMMUNE, data, "bao_cao.csv")
    summary = ingest(small_ws)
    assert outcome(summary, "bao_cao.csv").status == "accepted", outcome(summary, "bao_cao.csv").reason
    got = facts(small_ws)
    assert got[(COMMUNE, "CB_TRUYENTHONG")] == (1234, 2000)
    assert got[(COMMUNE, "DV_TUYENTRUYEN_CONG")] == (1, 1)
    assert got[(COMMUNE, "HD_TINBAI")][0] == 12
    texts = Warehouse(connect(warehouse_url(small_ws))).current_texts(2025)
    assert list(texts["text"]) == ["Thiếu máy tính ở bộ phận một cửa"]


def test_csv_claiming_another_unit_names_its_cell(small_ws: Path) -> None:
    body = CSV_HEADER + f"{OTHER_COMMUNE};2025;CB_TRUYENTHONG;1;2;;;;\n"
    drop_bytes(small_ws, COMMUNE, body.encode("utf-8"), "gia.csv")
    summary = ingest(small_ws)
    assert outcome(summary, "gia.csv").status == "quarantined"
    assert feedback_rows(small_ws, COMMUNE, "gia")[0][2:4] == ("CSV", "A2")


def test_unchanged_file_is_not_read_again_but_one_rewritten_in_place_is(small_ws: Path) -> None:
    row = f"{COMMUNE};2025;HD_TINBAI;;;;{{}};;\n"
    path = drop_bytes(small_ws, COMMUNE, (CSV_HEADER + row.format(12)).encode(), "bao_cao.csv")
    sha = outcome(ingest(small_ws), "bao_cao.csv").sha256
    archived = small_ws / "archive" / sha[:2] / f"{sha}.csv"
    archived.unlink()  # reading a file copies it into the archive: its absence shows it was not read again
    again = outcome(ingest(small_ws), "bao_cao.csv")
    assert (again.status, again.new, again.sha256) == ("accepted", False, sha) and not archived.exists()

    mtime = path.stat().st_mtime_ns
    path.write_bytes((CSV_HEADER + row.format(13)).encode())  # same size
    os.utime(path, ns=(mtime, mtime))  # and the old timestamp, as a copy tool keeps it
    rewritten = outcome(ingest(small_ws), "bao_cao.csv")
    assert (rewritten.status, rewritten.new) == ("accepted", True) and rewritten.sha256 != sha
    assert facts(small_ws)[(COMMUNE, "HD_TINBAI")][0] == 13

    settle(path)  # touched: read again, recognised, nothing new
    assert outcome(ingest(small_ws), "bao_cao.csv").new is False
    assert list(Warehouse(connect(warehouse_url(small_ws))).sources(2025)["version"]) == [1, 2]


def test_run_page_lists_this_runs_files_and_counts_the_earlier_ones(small_ws: Path) -> None:
    row = f"{COMMUNE};2025;HD_TINBAI;;;;12;;\n"
    drop_bytes(small_ws, COMMUNE, (CSV_HEADER + row).encode(), "lan_dau.csv")
    first = ingest(small_ws).html.read_text(encoding="utf-8")
    assert "lan_dau.csv" in first and "lượt trước" not in first
    wb = template_for(small_ws, OTHER_COMMUNE)
    drop(small_ws, OTHER_COMMUNE, wb, "moi.xlsx")
    page = ingest(small_ws).html.read_text(encoding="utf-8")
    assert "moi.xlsx" in page and "lan_dau.csv" not in page
    assert "1 tệp khác đã được xử lý ở các lượt trước" in page


def _as_xls(wb, tmp_path: Path) -> bytes:
    """The workbook saved as legacy .xls by LibreOffice, which computes its formulas on the way."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        unavailable("LibreOffice (soffice) is not installed; .ci/run installs it")
    src = tmp_path / "bao_cao.xlsx"
    wb.save(src)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "xls",
                    "--outdir", str(tmp_path), str(src)], check=True, capture_output=True, timeout=180)
    return (tmp_path / "bao_cao.xls").read_bytes()


def test_legacy_xls_saved_by_an_office_suite_is_read(small_ws: Path, tmp_path: Path) -> None:
    wb = template_for(small_ws, COMMUNE)
    set_ratio(wb, "CB_TRUYENTHONG", 21, 30)
    set_count(wb, "HD_TINBAI", 5)
    drop_bytes(small_ws, COMMUNE, _as_xls(wb, tmp_path), "bao_cao.xls")
    summary = ingest(small_ws)
    assert outcome(summary, "bao_cao.xls").status == "accepted", outcome(summary, "bao_cao.xls").reason
    assert facts(small_ws)[(COMMUNE, "CB_TRUYENTHONG")] == (21, 30)
    assert facts(small_ws)[(COMMUNE, "HD_TINBAI")][0] == 5


def test_error_value_in_a_legacy_xls_is_an_error_not_a_blank(small_ws: Path, tmp_path: Path) -> None:
    """calamine shows an .xls error value as blank; the reader asks xlrd which cells hold one."""
    wb = template_for(small_ws, COMMUNE)
    set_ratio(wb, "CB_TRUYENTHONG", 21, 30)
    cell = set_count(wb, "HD_TINBAI", "=1/0")
    drop_bytes(small_ws, COMMUNE, _as_xls(wb, tmp_path), "bao_cao.xls")
    summary = ingest(small_ws)
    assert outcome(summary, "bao_cao.xls").status == "quarantined"
    rows = feedback_rows(small_ws, COMMUNE, "bao_cao")
    assert [(r[2], r[3], r[4]) for r in rows] == [("Hoạt động", cell, "#DIV/0!")]


def test_limits_and_hostile_names_stay_inside_the_workspace(small_ws: Path) -> None:
    big = os.urandom(1024) * (50 * 1024)  # a 50 MB upload
    drop_bytes(small_ws, COMMUNE, big, "50MB.xlsx")
    traversal = "..\\..\\..\\etc\\passwd.xlsx"  # a legal file name on Linux, a path on Windows
    drop_bytes(small_ws, COMMUNE, b"PK\x03\x04junk", traversal)
    wb = template_for(small_ws, OTHER_COMMUNE)
    sheet = wb["Hoạt động"]
    for r in range(10, 6010):
        sheet.cell(row=r, column=3, value="dòng thừa")
    drop(small_ws, OTHER_COMMUNE, wb, "qua_nhieu_dong.xlsx")
    summary = ingest(small_ws)
    reasons = {f.name: (f.status, f.reason) for f in summary.files}
    assert reasons["50MB.xlsx"][0] == "quarantined" and "MB" in reasons["50MB.xlsx"][1]
    assert reasons[traversal][0] == "quarantined"
    assert reasons["qua_nhieu_dong.xlsx"][0] == "quarantined" and "dòng" in reasons["qua_nhieu_dong.xlsx"][1]
    written = [p.resolve() for p in small_ws.rglob("*")]
    assert all(str(p).startswith(str(small_ws.resolve())) for p in written)
    assert not Path("/etc/passwd.phan_hoi.xlsx").exists()


def test_symlink_is_quarantined_with_a_feedback_file_and_never_followed(small_ws: Path, tmp_path: Path) -> None:
    outside = tmp_path / "ngoai" / "secret.xlsx"
    outside.parent.mkdir()
    outside.write_bytes(_xlsx_bytes(small_ws, COMMUNE))
    before = outside.read_bytes()
    folder = small_ws / "inbox" / COMMUNE
    folder.mkdir(parents=True)
    (folder / "lien_ket.xlsx").symlink_to(outside)
    other = small_ws / "inbox" / OTHER_COMMUNE
    other.mkdir(parents=True)
    (other / "lien_ket.xlsx").symlink_to(outside)
    (other / "phan_hoi").symlink_to(outside.parent, target_is_directory=True)  # a feedback folder that is a link
    summary = ingest(small_ws)
    assert {(f.unit_code, f.status) for f in summary.files} == {(COMMUNE, "quarantined"), (OTHER_COMMUNE, "quarantined")}
    feedback = folder / "phan_hoi" / "lien_ket.phan_hoi.xlsx"
    assert feedback.is_file() and not feedback.is_symlink()
    rows = feedback_rows(small_ws, COMMUNE, "lien_ket")
    assert any("lối tắt" in str(r[6]) for r in rows), rows
    assert sorted(p.name for p in outside.parent.iterdir()) == ["secret.xlsx"]  # nothing written through a link
    assert outside.read_bytes() == before
