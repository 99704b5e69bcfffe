"""The per-target table a leader signs: the first sheet of the workbook and section II of the Word report.

One row per indicator that has a target (this year's or a later one), in catalogue order (HEADLINE_COLUMNS).
Every value is a plain Python value (None where there is none): the table is rendered twice, by different
writers, and must say the same thing in both.
"""

from __future__ import annotations

from typing import Protocol

import pandas as pd

from core.catalogue import Catalogue, Indicator, Kind
from core.config import WorkspaceConfig
from core.units import UnitRegistry
from transform.history import expected_units
from transform.portal_measures import needs_text
from transform.targets import NO_DATA, known, status

HEADLINE_COLUMNS = ["indicator_code", "name", "unit", "goal_year", "goal", "value", "numerator", "denominator",
                    "status", "gap_pp", "reason", "units_with_data", "units_expected", "previous_value", "change",
                    "horizon_year", "horizon_goal", "missing_units"]
NO_PORTAL_FILE = "chưa có tệp xuất của Cổng DVC"
NO_PORTAL_FIGURE = "tệp xuất của Cổng DVC chưa có số liệu này"
NOBODY_REPORTED = "chưa đơn vị nào báo cáo"
NOBODY_EXPECTED = "không có đơn vị nào phải báo cáo chỉ tiêu này"
ZERO_BASE = "mẫu số bằng 0"


class PreviousYear(Protocol):
    """Last year's figures on this year's units (report.workbook.History)."""

    @property
    def yoy(self) -> pd.DataFrame: ...  # PREVIOUS_COLUMNS


class HeadlineInputs(Protocol):
    """What the table reads: `report.workbook.ReportInputs` fits it."""

    @property
    def config(self) -> WorkspaceConfig: ...
    @property
    def registry(self) -> UnitRegistry: ...
    @property
    def catalogue(self) -> Catalogue: ...
    @property
    def data(self) -> pd.DataFrame: ...  # the rollup (DATA_COLUMNS)
    @property
    def coverage(self) -> pd.DataFrame: ...  # COVERAGE_COLUMNS
    @property
    def portal_facts(self) -> pd.DataFrame: ...
    @property
    def history(self) -> PreviousYear | None: ...


def _plain(value: object) -> float | None:
    return float(value) if known(value) else None  # type: ignore[arg-type]


def _reason(inp: HeadlineInputs, ind: Indicator, row: pd.Series, covered: int, expected: int) -> str:
    """Why an indicator has no figure, in Vietnamese."""
    if ind.source == "portal":
        if inp.portal_facts.empty:
            return NO_PORTAL_FILE
        needs = needs_text(ind.code)
        return f"{NO_PORTAL_FIGURE} ({needs})" if needs else NO_PORTAL_FIGURE
    if expected == 0:
        return NOBODY_EXPECTED
    if covered == 0:
        return NOBODY_REPORTED
    return ZERO_BASE if row["denominator"] == 0 else NOBODY_REPORTED


def headline_rows(inp: HeadlineInputs, year: int) -> pd.DataFrame:
    """HEADLINE_COLUMNS for `year`: a target of year T is judged from T on, a later one is IN_PROGRESS, a figure
    that cannot be known is NO_DATA with its reason. `gap_pp` and `change` are percentage points for a share."""
    root = inp.data[inp.data["unit_code"] == inp.registry.root].set_index("indicator_code")
    reach = {c: (int(n), int(of)) for c, n, of in zip(inp.coverage["indicator_code"], inp.coverage["covered"],
                                                      inp.coverage["expected"], strict=True)}
    expected = expected_units(inp.registry, inp.catalogue, inp.config)
    d = inp.data
    reported = set(zip(d.loc[d["numerator"].notna() | d["denominator"].notna(), "unit_code"],
                       d.loc[d["numerator"].notna() | d["denominator"].notna(), "indicator_code"], strict=True))
    last: dict[str, pd.Series] = {}
    if inp.history is not None:
        yoy = inp.history.yoy
        last = {r["indicator_code"]: r for _, r in yoy[yoy["unit_code"] == inp.registry.root].iterrows()}
    rows = []
    for ind in inp.catalogue.indicators:
        judged, horizon = ind.target(year), ind.horizon(year)
        if judged is None and horizon is None:
            continue
        r = root.loc[ind.code]
        if not isinstance(r, pd.Series):
            raise ValueError(f"The report's root has {len(r)} rows for {ind.code}")
        share = ind.kind is not Kind.COUNT
        value = _plain(r["value"])
        covered, of = reach.get(ind.code, (0, 0))
        state = status(value, judged, horizon)
        before = last.get(ind.code)
        previous = _plain(before["previous_value"]) if before is not None else None
        change = _plain(before["change"]) if before is not None else None
        missing = () if ind.source == "portal" else tuple(
            u.name for u in inp.registry.walk() if u.code in expected[ind.code] and (u.code, ind.code) not in reported)
        rows.append({
            "indicator_code": ind.code, "name": ind.label, "unit": "%" if share else "",
            "goal_year": judged.year if judged else None, "goal": judged.goal if judged else None,
            "value": value,
            "numerator": _plain(r["numerator"]) if share else None,
            "denominator": _plain(r["denominator"]) if share else None,
            "status": state,
            "gap_pp": (value - judged.goal) * 100 if share and judged and value is not None else None,
            "reason": _reason(inp, ind, r, covered, of) if state == NO_DATA else None,
            "units_with_data": covered, "units_expected": of,
            "previous_value": previous,
            "change": (change * 100 if share else change) if change is not None else None,
            "horizon_year": horizon.year if horizon else None, "horizon_goal": horizon.goal if horizon else None,
            "missing_units": missing,
        })
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS, dtype=object)
