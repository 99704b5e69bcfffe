"""Targets by year, the headline table and a fair ranking, on a hand-made province of five units.

The expected values are written out by hand from the figures below (no call into the code under test).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pytest

from core.catalogue import Catalogue, Indicator, load_catalogue
from core.config import WorkspaceConfig
from core.records import COVERAGE_COLUMNS, DATA_COLUMNS, FACT_COLUMNS
from core.units import Unit, UnitRegistry
from dvctt.demo import demo_config
from transform.headline import HEADLINE_COLUMNS, NO_PORTAL_FILE, NOBODY_REPORTED, headline_rows
from transform.ranking import rank_units
from transform.targets import IN_PROGRESS, MET, NO_DATA, NOT_MET

ROOT = "P"
UNITS = [Unit(ROOT, "Tỉnh Thử", "province", None, "Tỉnh"),
         Unit("D1", "Sở Giáo dục và Đào tạo", "department", ROOT, "Sở"),
         Unit("D2", "Sở Tư pháp", "department", ROOT, "Sở"),
         Unit("C1", "Xã Một", "commune", ROOT, "Xã"),
         Unit("C2", "Xã Hai", "commune", ROOT, "Xã"),
         Unit("C3", "Xã Ba", "commune", ROOT, "Xã")]


def _ind(code: str, targets: dict[int, float], applies: list[str], source: str = "units") -> Indicator:
    return Indicator(code=code, label=f"Chỉ tiêu {code}", kind="ratio", source=source, applies_to=applies,
                     targets=targets, numerator_label="tử", denominator_label="mẫu")


CATALOGUE = Catalogue(version=1, activities=[], indicators=[
    _ind("R25", {2025: 0.8, 2030: 1.0}, ["department", "commune"]),
    _ind("L30", {2030: 1.0}, ["commune"]),
    _ind("EDU", {2025: 0.8}, ["department"], source="education"),
    _ind("PORTAL", {2025: 0.9}, [], source="portal"),
    _ind("NOGOAL", {}, ["commune"]),
])
# (unit, item) → (numerator, denominator); absent = blank. The root's row is the sum of its children's.
FIGURES = {("D1", "R25"): (8, 10), ("D2", "R25"): (10, 10), ("C1", "R25"): (9, 10), ("C2", "R25"): (9, 10),
           ("C3", "R25"): (12, 20), ("D1", "EDU"): (6, 10), ("C1", "L30"): (5, 10), ("C2", "L30"): (5, 10),
           ("C3", "L30"): (20, 20), ("P", "R25"): (48, 60), ("P", "EDU"): (6, 10), ("P", "L30"): (30, 40)}


def _data(figures: dict[tuple[str, str], tuple[float, float]]) -> pd.DataFrame:
    rows = []
    for u in UNITS:
        for i in CATALOGUE.indicators:
            num, den = figures.get((u.code, i.code), (None, None))
            value = None if num is None else num / den if den else None
            rows.append([u.code, u.name, u.level, u.parent_code, i.code, num, den, value,
                         1 if num is not None else 0, 0])
    return pd.DataFrame(rows, columns=DATA_COLUMNS).astype({"numerator": float, "denominator": float, "value": float})


@dataclass
class _History:
    yoy: pd.DataFrame


@dataclass
class _Inputs:
    data: pd.DataFrame
    coverage: pd.DataFrame
    config: WorkspaceConfig = field(default_factory=lambda: demo_config("12", 2025))
    registry: UnitRegistry = field(default_factory=lambda: UnitRegistry(ROOT, {u.code: u for u in UNITS}))
    catalogue: Catalogue = field(default_factory=lambda: CATALOGUE)
    portal_facts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FACT_COLUMNS))
    history: _History | None = None


COVERAGE = pd.DataFrame([["R25", 5, 5], ["L30", 3, 3], ["EDU", 1, 1], ["PORTAL", 0, 5], ["NOGOAL", 0, 3]],
                        columns=COVERAGE_COLUMNS)


@pytest.mark.parametrize(("code", "year", "goal", "maintained"), [
    ("NGUOIDAN_SUDUNG", 2025, 0.5, False),  # 2025's goal in 2025, never 2030's
    ("NGUOIDAN_SUDUNG", 2026, 0.5, True),  # kept until 2030
    ("NGUOIDAN_SUDUNG", 2030, 0.7, False),
    ("CQ_CAITIEN", 2025, None, None),  # a 2030 target is not judged in 2025 or 2026
    ("CQ_CAITIEN", 2026, None, None),
    ("CQ_CAITIEN", 2031, 1.0, True),
])
def test_a_target_is_judged_from_its_year_on(code: str, year: int, goal: float | None, maintained: bool) -> None:
    target = load_catalogue().get(code).target(year)
    assert (target.goal, target.maintained) == (goal, maintained) if goal is not None else target is None


@pytest.mark.parametrize(("year", "code", "expected"), [
    # status, goal_year, goal, gap_pp, horizon_year, horizon_goal
    (2025, "R25", (MET, 2025, 0.8, 0.0, 2030, 1.0)),  # 48/60 = 80 %
    (2025, "L30", (IN_PROGRESS, None, None, None, 2030, 1.0)),  # 75 %, judged only from 2030
    (2026, "L30", (IN_PROGRESS, None, None, None, 2030, 1.0)),
    (2030, "L30", (NOT_MET, 2030, 1.0, -25.0, None, None)),
    (2026, "R25", (MET, 2025, 0.8, 0.0, 2030, 1.0)),  # 2025's goal kept
    (2025, "EDU", (NOT_MET, 2025, 0.8, -20.0, None, None)),
    (2025, "PORTAL", (NO_DATA, 2025, 0.9, None, None, None)),
])
def test_headline_status_goal_gap_and_horizon(year: int, code: str, expected: tuple) -> None:
    table = headline_rows(_Inputs(_data(FIGURES), COVERAGE), year)
    assert list(table.columns) == HEADLINE_COLUMNS
    assert "NOGOAL" not in set(table["indicator_code"])  # no target: a task, not a headline row
    row = table.set_index("indicator_code").loc[code]
    got = (row["status"], row["goal_year"], row["goal"], row["gap_pp"], row["horizon_year"], row["horizon_goal"])
    assert got[0] == expected[0] and got[1:3] == expected[1:3] and got[4:] == expected[4:]
    assert (got[3] is None) == (expected[3] is None) and (got[3] is None or got[3] == pytest.approx(expected[3]))


def test_headline_says_why_there_is_no_figure_and_who_did_not_report() -> None:
    figures = {k: v for k, v in FIGURES.items() if k[1] != "EDU" and k != ("C3", "R25")}
    coverage = COVERAGE.assign(covered=[4, 3, 0, 0, 0])
    table = headline_rows(_Inputs(_data(figures), coverage), 2025).set_index("indicator_code")
    assert (table.loc["PORTAL", "status"], table.loc["PORTAL", "reason"]) == (NO_DATA, NO_PORTAL_FILE)
    assert (table.loc["EDU", "status"], table.loc["EDU", "reason"]) == (NO_DATA, NOBODY_REPORTED)
    assert table.loc["EDU", "value"] is None and table.loc["EDU", "gap_pp"] is None
    assert table.loc["EDU", "missing_units"] == ("Sở Giáo dục và Đào tạo",)  # not the Sở Tư pháp: not concerned
    assert table.loc["R25", "missing_units"] == ("Xã Ba",)
    assert (table.loc["R25", "units_with_data"], table.loc["R25", "units_expected"]) == (4, 5)
    assert table.loc["R25", "reason"] is None


def test_headline_change_on_last_year_in_points() -> None:
    yoy = pd.DataFrame([[ROOT, "R25", 2024, 35.0, 50.0, 0.7, 0, 0.1]],
                       columns=["unit_code", "indicator_code", "previous_year", "previous_numerator",
                                "previous_denominator", "previous_value", "previous_split_units", "change"])
    table = headline_rows(_Inputs(_data(FIGURES), COVERAGE, history=_History(yoy)), 2025).set_index("indicator_code")
    assert table.loc["R25", "previous_value"] == pytest.approx(0.7) and table.loc["R25", "change"] == pytest.approx(10)
    assert table.loc["L30", "previous_value"] is None and table.loc["L30", "change"] is None


def _ranking(figures: dict[tuple[str, str], tuple[float, float]], year: int = 2025) -> pd.DataFrame:
    registry = UnitRegistry(ROOT, {u.code: u for u in UNITS})
    return rank_units(_data(figures), registry, CATALOGUE, year).set_index("unit_code")


def test_ties_share_a_rank_and_the_next_rank_skips() -> None:
    ranking = _ranking(FIGURES)
    # communes, one target judged in 2025 (R25 ≥ 80 %): C1 9/10, C2 9/10 met; C3 12/20 = 60 % not met
    assert [ranking.loc[c, "rank"] for c in ("C1", "C2", "C3")] == [1, 1, 3]
    assert ranking.loc["C3", "score"] == pytest.approx(0.6 / 0.8)
    assert ranking.loc["C1", "score"] == pytest.approx(1.0)  # 90 % of an 80 % goal is capped at 100 %


def test_a_target_counts_only_for_the_units_it_concerns() -> None:
    ranking = _ranking(FIGURES)
    # Sở Tư pháp leaves the education target blank: it is not concerned, so 1/1 (R25 only), not 1/2.
    assert (ranking.loc["D2", "met"], ranking.loc["D2", "applicable"]) == (1, 1)
    # the education department is: R25 8/10 met, EDU 6/10 < 80 % not met; score (1 + 0.75) / 2
    assert (ranking.loc["D1", "met"], ranking.loc["D1", "applicable"]) == (1, 2)
    assert ranking.loc["D1", "score"] == pytest.approx(0.875)
    assert [ranking.loc[d, "rank"] for d in ("D2", "D1")] == [1, 2]


def test_a_later_target_is_not_counted_before_its_year() -> None:
    in_2025, in_2030 = _ranking(FIGURES, 2025), _ranking(FIGURES, 2030)
    assert in_2025.loc["C3", "applicable"] == 1  # L30 waits for 2030
    assert (in_2030.loc["C3", "met"], in_2030.loc["C3", "applicable"]) == (1, 2)  # 20/20 meets L30, 60 % misses R25
    assert in_2030.loc["C3", "rank"] == 1 and in_2030.loc["C1", "rank"] == 2 == in_2030.loc["C2", "rank"]
