"""HOSO_TRUCTUYEN is the target's measure (issue 14.5): dossiers processed fully online (toàn trình), never the share
received online under any procedure, which is PORTAL_TRUCTUYEN; an export that cannot tell gives no figure."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from extract.portal import read_portal_file
from transform.portal import portal_measures
from transform.portal_measures import needs_text

WINDOW = (date(2026, 1, 1), date(2026, 6, 30))
KNOWN = {"16681", "40-STP"}


def facts(path: Path) -> dict[tuple[str, str], tuple[int, int]]:
    result = portal_measures([read_portal_file(path)], *WINDOW, KNOWN)
    return {(r.unit_code, r.indicator_code): (int(r.numerator), int(r.denominator)) for r in result.facts.itertuples()}


def form_06a(path: Path, *, fully_online: bool) -> Path:
    """Two-row header; the «Trực tuyến toàn trình» column only when asked."""
    wb = Workbook()
    ws = wb.active
    subs = ["Tổng số", "Trực tuyến", *(["Trực tuyến toàn trình"] if fully_online else []), "Trực tiếp"]
    ws.append(["Mã đơn vị", "Từ ngày", "Đến ngày", "Số hồ sơ tiếp nhận", *[None] * (len(subs) - 1)])
    ws.append([None, None, None, *subs])
    ws.merge_cells(start_row=1, start_column=4, end_row=1, end_column=3 + len(subs))
    for c in (1, 2, 3):
        ws.merge_cells(start_row=1, start_column=c, end_row=2, end_column=c)
    ws.append(["16681", "01/01/2026", "31/03/2026", 100, 80, *([60] if fully_online else []), 20])
    ws.append(["16681", "01/04/2026", "30/06/2026", 50, 30, *([25] if fully_online else []), 20])
    wb.save(path)
    return path


def test_form_06a_with_the_fully_online_column(tmp_path: Path) -> None:
    got = facts(form_06a(tmp_path / "a.xlsx", fully_online=True))
    assert got[("16681", "HOSO_TRUCTUYEN")] == (60 + 25, 150)
    assert got[("16681", "PORTAL_TRUCTUYEN")] == (80 + 30, 150)


def test_without_it_there_is_no_figure_never_the_online_share(tmp_path: Path) -> None:
    path = form_06a(tmp_path / "b.xlsx", fully_online=False)
    got = facts(path)
    assert ("16681", "HOSO_TRUCTUYEN") not in got
    assert got[("16681", "PORTAL_TRUCTUYEN")] == (110, 150)  # kept, under its own name
    reason = needs_text("HOSO_TRUCTUYEN")
    assert reason is not None and "trực tuyến toàn trình" in reason and "Mức độ DVC" in reason


def test_dossiers_by_the_procedures_level(tmp_path: Path) -> None:
    path = tmp_path / "hs.csv"
    rows = [  # code, level, channel
        ("40-STP", "Toàn trình", "Trực tuyến"), ("40-STP", "toan trinh", "Trực tuyến"),
        ("40-STP", "Một phần", "Trực tuyến"), ("40-STP", "Toàn trình", "Trực tiếp"),
        ("40-STP", "", "Trực tuyến"), ("40-STP", "Mức độ 4", "Trực tuyến"), ("40-STP", "Cấp 5", "Trực tuyến"),
    ]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Mã đơn vị", "Mức độ DVC", "Kênh tiếp nhận", "Ngày tiếp nhận"])
        writer.writerows([code, level, channel, "05/03/2026"] for code, level, channel in rows)
    result = portal_measures([read_portal_file(path)], *WINDOW, KNOWN)
    got = {(r.unit_code, r.indicator_code): (int(r.numerator), int(r.denominator)) for r in result.facts.itertuples()}
    # online and toàn trình: rows 1, 2 and 6 ("Mức độ 4" is the former name); the unreadable level is left out
    assert got[("40-STP", "HOSO_TRUCTUYEN")] == (3, 7)
    assert got[("40-STP", "PORTAL_TRUCTUYEN")] == (6, 7)
    [bad] = [p for p in result.problems if p.rule == "service_level_invalid"]
    assert bad.value == "Cấp 5" and bad.row == 8 and "HOSO_TRUCTUYEN" in bad.message


def test_without_the_level_column_a_dossier_export_gives_no_figure(tmp_path: Path) -> None:
    path = tmp_path / "hs.csv"
    path.write_text("Mã đơn vị,Kênh tiếp nhận,Ngày tiếp nhận\n40-STP,Trực tuyến,05/03/2026\n", encoding="utf-8")
    got = facts(path)
    assert ("40-STP", "HOSO_TRUCTUYEN") not in got and got[("40-STP", "PORTAL_TRUCTUYEN")] == (1, 1)
