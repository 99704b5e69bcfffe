"""Portal figures in the leadership workbook, end to end: demo units + sample portal exports → report.

The oracle reads `Warehouse.portal_facts` and walks each code up the registry with plain loops:
a unit's portal figure is its own dossiers plus every descendant's (a district UBND's dossiers are
its own, unlike its consolidated file), and a ratio is the sum of numerators over the sum of
denominators. Under the 2-level hierarchy old codes go through the crosswalk and an old district,
which has no place, counts at the province.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from core.catalogue import load_catalogue
from core.config import load_config
from core.units import UnitRegistry, load_registry
from dvctt.pipeline import build_report, report_path
from dvctt.portal import ingest_portal
from load import connect
from load.warehouse import Warehouse, warehouse_url
from report.workbook import SHEET_BY_UNIT, SHEET_CROSSWALK, SHEET_PORTAL, SHEET_PORTAL_CHECKS, SHEET_SUMMARY
from tests.support import SAMPLES
from tests.support.oracle_readers import read_data_sheet

PORTAL_CODES = [i.code for i in load_catalogue().indicators if i.source == "portal"]
UNKNOWN_AGENCY = "99-KHONGCO"


@dataclass
class PortalRun:
    workspace: Path
    facts: pd.DataFrame  # Warehouse.portal_facts
    problems: pd.DataFrame
    unknown: pd.DataFrame


@pytest.fixture(scope="module")
def portal_run(demo_run: Path, tmp_path_factory) -> PortalRun:
    """The demo with both sample exports and one export naming an agency the registry does not know."""
    ws = tmp_path_factory.mktemp("portal_report") / "ws"
    shutil.copytree(demo_run, ws, symlinks=True)
    (ws / "portal").mkdir()
    for name in ("mau_06a_tonghop.xlsx", "mau_hoso_chitiet.csv"):
        shutil.copy(SAMPLES / name, ws / "portal")
    sample = pd.read_csv(SAMPLES / "mau_hoso_chitiet.csv", dtype=str, encoding="utf-8-sig").head(3)
    sample["Mã đơn vị"] = UNKNOWN_AGENCY
    sample["Mã hồ sơ"] = sample["Mã hồ sơ"] + "X"
    sample.to_csv(ws / "portal" / "xuat_them.csv", index=False, encoding="utf-8-sig")
    ingest_portal(ws)
    wh = Warehouse(connect(warehouse_url(ws)))
    problems, unknown = wh.portal_issues(2025)
    return PortalRun(ws, wh.portal_facts(2025), problems, unknown)


def portal_oracle(registry: UnitRegistry, facts: pd.DataFrame, items: list[str] = PORTAL_CODES
                  ) -> dict[tuple[str, str], tuple[float, float, int]]:
    """(unit, indicator) → (numerator, denominator, codes) over the unit and everything under it."""
    num: dict[tuple[str, str], float] = defaultdict(float)
    den: dict[tuple[str, str], float] = defaultdict(float)
    codes: dict[tuple[str, str], set[str]] = defaultdict(set)
    for code, item, n, d in facts[["unit_code", "indicator_code", "numerator", "denominator"]].itertuples(index=False):
        if item not in items:
            continue
        targets = [(link.target, link.weight) for link in registry.links[code]] or [(registry.root, 1.0)]
        for target, weight in targets:
            unit: str | None = target
            while unit is not None:
                num[(unit, item)] += n * weight
                den[(unit, item)] += d * weight
                codes[(unit, item)].add(code)
                unit = registry.units[unit].parent_code
    return {k: (num[k], den[k], len(codes[k])) for k in num}


def _check_data_sheet(data: pd.DataFrame, expected: dict, registry: UnitRegistry) -> int:
    rows = data[data["indicator_code"].isin(PORTAL_CODES)]
    assert len(rows) == len(registry.units) * len(PORTAL_CODES)
    checked = 0
    for r in rows.itertuples():
        want = expected.get((r.unit_code, r.indicator_code))
        if want is None:
            assert pd.isna(r.numerator) and pd.isna(r.denominator) and r.reporting_units == 0, r
            continue
        n, d, codes = want
        assert r.numerator == pytest.approx(n) and r.denominator == pytest.approx(d), (r.unit_code, r.indicator_code)
        assert (pd.isna(r.value) if d == 0 else r.value == pytest.approx(n / d)), (r.unit_code, r.indicator_code)
        assert r.reporting_units == codes, (r.unit_code, r.indicator_code)
        checked += 1
    return checked


def test_portal_facts_include_old_codes_and_unknown_agencies_are_listed(portal_run: PortalRun) -> None:
    assert {"105", "03386", "12-STP"} <= set(portal_run.facts["unit_code"])  # old codes kept for the crosswalk
    assert set(portal_run.unknown["agency_code"]) == {UNKNOWN_AGENCY}
    assert UNKNOWN_AGENCY not in set(portal_run.facts["unit_code"])


@pytest.mark.parametrize("hierarchy", [3, 2])
def test_portal_indicators_at_every_level_equal_the_oracle(portal_run: PortalRun, hierarchy: int) -> None:
    ws = portal_run.workspace
    config = load_config(ws)
    result = build_report(ws, hierarchy=hierarchy)  # type: ignore[arg-type]
    registry = load_registry(config, hierarchy)  # type: ignore[arg-type]
    expected = portal_oracle(registry, portal_run.facts)
    data = read_data_sheet(result.path)
    assert _check_data_sheet(data, expected, registry) >= (60 if hierarchy == 3 else 20)
    root_hoso = expected[("12", "HOSO_TRUCTUYEN")]
    facts = portal_run.facts[portal_run.facts["indicator_code"] == "HOSO_TRUCTUYEN"]
    assert root_hoso[:2] == (facts["numerator"].sum(), facts["denominator"].sum())  # nothing lost, nothing twice

    book = load_workbook(result.path)
    summary = {r[1]: r for r in book[SHEET_SUMMARY].iter_rows(min_row=5, max_row=40, values_only=True)}
    # Coverage: the units whose own dossiers the portal counts (every leaf but the press) and those with a figure.
    leaves = [u for u in registry.units.values() if u.code not in registry.parents and u.level != "press"]
    for code in PORTAL_CODES:
        n, d, _ = expected[("12", code)]
        assert summary[code][5] == pytest.approx(n / d) and (summary[code][6], summary[code][7]) == (n, d), code
        covered = sum((u.code, code) in expected for u in leaves)
        assert (summary[code][9], summary[code][10], summary[code][13]) == (covered, len(leaves), "Cổng DVC"), code
    by_unit = book[SHEET_BY_UNIT]
    header = [c.value for c in by_unit[4]]
    labels = {i.label: i.code for i in load_catalogue().indicators}
    plain = {h: h.removesuffix(" (Cổng DVC)").removesuffix(" (chỉ số thay thế)") for h in header if h}
    columns = {labels[plain[h]]: n for n, h in enumerate(header)
               if h and h.endswith("(Cổng DVC)") and plain[h] in labels}
    assert sorted(columns) == sorted(PORTAL_CODES)
    for row in by_unit.iter_rows(min_row=5, values_only=True):
        for code, col in columns.items():
            n, d, _ = expected.get((row[0], code), (0.0, 0.0, 0))
            assert (row[col] is None) if d == 0 else row[col] == pytest.approx(n / d), (row[0], code)

    crosswalk = book[SHEET_CROSSWALK].iter_rows(values_only=True)
    raised = {r[0]: r[3] for r in crosswalk if r[3] and "Tính vào" in str(r[3])}
    if hierarchy == 2:  # the old districts have no place: their dossiers count at the province
        assert {"105", "112"} <= set(raised) and all("Tính vào 12 –" in v for v in raised.values())
    else:
        assert raised == {}


@pytest.mark.parametrize("hierarchy", [3, 2])
def test_on_time_rate_is_shown_for_the_area_and_every_unit(portal_run: PortalRun, hierarchy: int) -> None:
    """(early + on time) / resolved from the portal, with numerator and denominator on «Cổng DVC và đơn vị» and
    the rate on «Theo đơn vị», for every unit of the report and the area, against the oracle's walk."""
    ws = portal_run.workspace
    result = build_report(ws, hierarchy=hierarchy)  # type: ignore[arg-type]
    registry = load_registry(load_config(ws), hierarchy)  # type: ignore[arg-type]
    expected = portal_oracle(registry, portal_run.facts, ["PORTAL_GIAIQUYET_DUNGHAN"])
    assert expected[("12", "PORTAL_GIAIQUYET_DUNGHAN")][1] > 0  # the samples resolve dossiers
    book = load_workbook(result.path)
    rows = list(book[SHEET_PORTAL].iter_rows(values_only=True))
    header = next(n for n, r in enumerate(rows) if r[3] == "Hồ sơ giải quyết trước hạn và đúng hạn (tử số)")
    table = {r[0]: r[3:6] for r in rows[header + 1:] if r[0]}
    assert list(table) == [u.code for u in registry.walk()]  # every unit, the area first
    by_unit = book[SHEET_BY_UNIT]
    column = [c.value for c in by_unit[4]].index("Tỷ lệ hồ sơ giải quyết trước hạn và đúng hạn (Cổng DVC)")
    rates = {r[0]: r[column] for r in by_unit.iter_rows(min_row=5, values_only=True)}
    shown = 0
    for code, (numerator, denominator, rate) in table.items():
        n, d, _ = expected.get((code, "PORTAL_GIAIQUYET_DUNGHAN"), (None, None, 0))
        if d is None:
            assert (numerator, denominator, rate, rates[code]) == (None, None, None, None), code
            continue
        assert (numerator, denominator) == (pytest.approx(n), pytest.approx(d)), code
        assert rate == rates[code] == (pytest.approx(n / d) if d else None), code
        shown += 1
    assert shown >= (10 if hierarchy == 3 else 3)


def test_ranking_ignores_portal_figures(portal_run: PortalRun, demo_run: Path) -> None:
    """Portal figures make no unit "reported" and count for no rank: the ranking is the units' own."""
    with_portal = build_report(portal_run.workspace).path
    without = report_path(demo_run, load_config(demo_run))
    tables = [[row for row in load_workbook(p)["Xếp hạng"].iter_rows(values_only=True) if row[2]]
              for p in (with_portal, without)]
    assert tables[0] == tables[1] and len(tables[0]) > 100


def test_portal_sheet_compares_and_lists_the_exports_problems(portal_run: PortalRun) -> None:
    ws = portal_run.workspace
    path = build_report(ws).path
    registry = load_registry(load_config(ws))
    expected = portal_oracle(registry, portal_run.facts)
    rows = list(load_workbook(path)[SHEET_PORTAL].iter_rows(values_only=True))
    labels = {i.label: i.code for i in load_catalogue().indicators}
    plain = {r[2]: str(r[2]).removesuffix(" (chỉ số thay thế)") for r in rows}  # stand-ins are marked as such
    compared = {(r[0], labels[plain[r[2]]]): r for r in rows if r[0] and plain[r[2]] in labels}
    top = {"12"} | {u.code for u in registry.children("12")}
    assert {k for k in expected if k[0] in top} == set(compared)  # the province and its direct units
    for key, r in compared.items():
        assert (r[6], r[7]) == pytest.approx(expected[key][:2]), key
        assert r[3] is None and r[9] is None, key  # no unit reports a portal indicator: nothing to subtract
    checks = list(load_workbook(path)[SHEET_PORTAL_CHECKS].iter_rows(values_only=True))
    texts = [str(c) for r in checks for c in r if c is not None]
    assert UNKNOWN_AGENCY in texts
    messages = set(portal_run.problems["message"])
    assert messages and messages <= set(texts)  # every problem of the exports, word for word
