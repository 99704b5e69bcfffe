"""Last year's figures on this year's units (issue 14.2), against an oracle written by hand from the merges file.

Lạng Sơn, report 2026 (two levels). Its 2025 figures come from old communes' half-year reports made on the 3-level
template before 1/7/2025, and from one new commune's own report; a 2024 report of an old commune feeds the 2025
report's previous year. The oracle reads `merges-2025-07-01.json.gz` with gzip and json (never core.units): every old
commune goes whole into a new commune for a full merge, and 1/n of it into each of the n new communes it was split
among. Two of the old communes were split: Bính Xá (06622) between Đình Lập (06613) and Kiên Mộc (06625), and old Kiên
Mộc (06625, whose code the new Kiên Mộc kept) between Kiên Mộc and Châu Sơn (06637).
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from core.catalogue import load_catalogue
from core.config import load_config, write_config
from core.units import load_registry
from dvctt.demo import demo_config
from dvctt.pipeline import build_report, ingest
from report.workbook import SHEET_CROSSWALK, SHEET_SUMMARY
from templates.submission import build_template
from tests.support import REPO
from tests.support.factory import drop, set_count, set_ratio, set_yes_no
from tests.support.oracle_readers import read_data_sheet

MERGES = REPO / "core" / "data" / "units" / "merges-2025-07-01.json.gz"
PROVINCE = "20"
NEW_COMMUNES = ["06613", "06625", "06637"]  # Đình Lập, Kiên Mộc, Châu Sơn
OWN_2025 = "06625"  # the new Kiên Mộc also sent its own 2025 report, under the code it shares with old Kiên Mộc
OLD_2024 = "06622"  # Bính Xá's 2024 report, for the 2025 report's previous year


def merges_by_hand() -> tuple[dict[str, list[tuple[str, bool]]], dict[str, int]]:
    """new commune → [(old code, partial)] of the province, and old code → in how many new communes it went."""
    with gzip.open(MERGES, "rt", encoding="utf-8") as fh:
        data = json.load(fh)["data"]
    sources: dict[str, list[tuple[str, bool]]] = {}
    targets: dict[str, int] = defaultdict(int)
    for province in data:
        for commune in province["level2s"]:
            for m in commune["merges"]:
                targets[m["old_id"]] += 1
            if province["level1_id"] == PROVINCE:
                sources[commune["level2_id"]] = [(m["old_id"], m["type"] == "partial") for m in commune["merges"]]
    return sources, targets


def figures(code: str, salt: int) -> tuple[int, int, int, bool]:
    """The figures a unit reports (CB_TRUYENTHONG numerator and denominator, HD_TINBAI, DV_TUYENTRUYEN_CONG):
    different for every code and year, written here so the oracle never reads them back from the pipeline."""
    n = int(code) % 97 + salt
    return n + 3, n + 10, 2 * n + 1, n % 2 == 0


def _file(ws: Path, unit, year: int, config, salt: int) -> None:
    wb = build_template(unit, year, config.for_year(year).report_window, load_catalogue(), config=config.for_year(year))
    num, den, count, yes = figures(unit.code, salt)
    set_ratio(wb, "CB_TRUYENTHONG", num, den)
    set_count(wb, "HD_TINBAI", count)
    set_yes_no(wb, "DV_TUYENTRUYEN_CONG", "Có" if yes else "Không")
    drop(ws, unit.code, wb, f"bao_cao_{year}_{unit.code}_{salt}.xlsx")


@pytest.fixture(scope="module")
def lang_son(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[tuple[str, bool]]], dict[str, int]]:
    ws = tmp_path_factory.mktemp("yoy") / "ws"
    ws.mkdir()
    write_config(ws, demo_config(PROVINCE, 2026))
    config = load_config(ws)
    sources, targets = merges_by_hand()
    last, old_units = load_registry(config.for_year(2025)), load_registry(config.for_year(2025), 3)
    old = sorted({code for new in NEW_COMMUNES for code, _ in sources[new]})
    for code in old:  # half-year reports on the 3-level template (registry dvhcvn-2025-03-01)
        _file(ws, old_units.units[code], 2025, config, salt=0)
    _file(ws, last.units[OWN_2025], 2025, config, salt=50)  # the new Kiên Mộc's own report (merges-2025-07-01)
    older = load_registry(config.for_year(2024))
    _file(ws, older.units[OLD_2024], 2024, config, salt=20)
    _file(ws, load_registry(config).units["06613"], 2026, config, salt=70)  # this year: one report
    summary = ingest(ws)
    assert {f.status for f in summary.files} == {"accepted"}, [f.reason for f in summary.files]
    return ws, sources, targets


def _oracle(sources: dict[str, list[tuple[str, bool]]], targets: dict[str, int], reported: dict[str, int],
            own: dict[str, int]) -> dict[str, tuple[float, float, float, float, float, int]]:
    """new commune → (ratio num, ratio den, count, yes share num, yes share den, split units) from old communes'
    reports (`reported`: old code → salt) and new communes' own (`own`: new code → salt)."""
    out = {}
    for new in NEW_COMMUNES:
        num = den = count = yes = weight = 0.0
        split = 0
        parts = [(code, 1 / targets[code] if partial else 1.0, partial, reported[code])
                 for code, partial in sources[new] if code in reported]
        parts += [(new, 1.0, False, own[new])] if new in own else []
        for code, w, partial, salt in parts:
            n, d, c, y = figures(code, salt)
            num, den, count, yes, weight = num + w * n, den + w * d, count + w * c, yes + w * y, weight + w
            split += partial
        out[new] = (num, den, count, yes, weight, split)
    return out


def test_last_years_figures_on_this_years_units_equal_the_hand_oracle(lang_son) -> None:
    ws, sources, targets = lang_son
    old = sorted({code for new in NEW_COMMUNES for code, _ in sources[new]})
    expected = _oracle(sources, targets, dict.fromkeys(old, 0), {OWN_2025: 50})
    assert expected["06625"][5] == 2 and expected["06613"][5] == 1 and expected["06637"][5] == 1  # the two splits
    result = build_report(ws)
    assert (result.year, result.hierarchy) == (2026, 2)
    data = read_data_sheet(result.path).set_index(["unit_code", "indicator_code"])
    for new, (num, den, count, yes, weight, split) in expected.items():
        row = data.loc[(new, "CB_TRUYENTHONG")]
        assert (row["previous_numerator"], row["previous_denominator"]) == pytest.approx((num, den)), new
        assert row["previous_value"] == pytest.approx(num / den) and row["previous_split_units"] == split, new
        assert data.loc[(new, "HD_TINBAI"), "previous_value"] == pytest.approx(count), new
        assert data.loc[(new, "DV_TUYENTRUYEN_CONG"), "previous_value"] == pytest.approx(yes / weight), new
    root = data.loc[(PROVINCE, "CB_TRUYENTHONG")]
    total_num = sum(v[0] for v in expected.values())
    total_den = sum(v[1] for v in expected.values())
    assert (root["previous_numerator"], root["previous_denominator"]) == pytest.approx((total_num, total_den))
    # this year's figures are this year's only: one commune reported 2026
    num, den, _, _ = figures("06613", 70)
    assert (data.loc[("06613", "CB_TRUYENTHONG"), "numerator"], root["numerator"]) == (num, num)
    assert data.loc[("06613", "CB_TRUYENTHONG"), "change"] == pytest.approx(num / den - expected["06613"][0]
                                                                             / expected["06613"][1])
    assert pd.isna(data.loc[("06637", "CB_TRUYENTHONG"), "change"])  # no 2026 figure: no change


def test_the_report_shows_the_estimated_shares_and_last_years_column(lang_son) -> None:
    ws, _, _ = lang_son
    book = load_workbook(build_report(ws).path, read_only=True)
    rows = list(book[SHEET_CROSSWALK].iter_rows(values_only=True))
    shares = {(r[0], r[2], r[6]) for r in rows if r[5] == "Ước tính" and isinstance(r[4], float)}
    assert shares == {("06622", "06613", 2025), ("06622", "06625", 2025), ("06625", "06625", 2025),
                      ("06625", "06637", 2025)}
    assert any(r[0] == "06637" and str(r[3]).startswith("Ước tính") and r[4] == 2025 for r in rows)
    summary = list(book[SHEET_SUMMARY].iter_rows(values_only=True))
    header = next(r for r in summary if r[0] == "STT")
    assert "Kết quả năm 2025" in header
    col = {h: n for n, h in enumerate(header)}
    row = next(r for r in summary if r[1] == "CB_TRUYENTHONG")
    communes = len(merges_by_hand()[0])  # every new commune of the province, from the merges file
    agencies = len(load_config(ws).agencies)  # departments and press (no district office under two levels)
    assert (row[col["Đơn vị có số liệu"]], row[col["Đơn vị phải có số liệu"]]) == (1, communes + agencies)


def test_the_2025_report_takes_its_previous_year_from_2024(lang_son) -> None:
    ws, _, _ = lang_son
    data = read_data_sheet(build_report(ws, 2025).path).set_index(["unit_code", "indicator_code"])
    num, den, _, _ = figures(OLD_2024, 20)
    # Bính Xá's 2024 report is split between Đình Lập and the new Kiên Mộc, half each.
    for new in ("06613", "06625"):
        row = data.loc[(new, "CB_TRUYENTHONG")]
        assert (row["previous_numerator"], row["previous_denominator"]) == pytest.approx((num / 2, den / 2))
        assert row["previous_year"] == 2024 and row["previous_split_units"] == 1
    assert pd.isna(data.loc[("06637", "CB_TRUYENTHONG"), "previous_numerator"])
