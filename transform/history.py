"""Year on year: last year's figures on this year's units, and how many units each figure covers.

Last year is rolled up like this year (`transform.rollup`), but onto *this* year's units: a
registry of this year's hierarchy for last year's window (`core.units.history_registry`) links
last year's codes through the crosswalk, so the 2025 figures of old communes and districts (and a
reused code's old unit, by its era) land on the new communes, whole for a full merge and by share
for a partial one (`split_units` > 0: estimated, *ước tính*).
"""

from __future__ import annotations

import pandas as pd

from core.catalogue import Catalogue
from core.config import WorkspaceConfig
from core.records import COVERAGE_COLUMNS, PREVIOUS_COLUMNS
from core.units import UnitRegistry
from transform.rollup import portal_sourced
from transform.targets import concerned

# Units whose dossiers the portal counts: every administrative unit and agency but the press.
PORTAL_LEVELS = {"province", "district", "commune", "department", "district_office"}


def year_on_year(data: pd.DataFrame, previous: pd.DataFrame, previous_year: int) -> pd.DataFrame:
    """PREVIOUS_COLUMNS for every row of `data` (this year's rollup): `previous` (last year's rollup on the same
    units) beside it, and the change of the value (a ratio's in points, a count's in units; None when either
    year has no figure)."""
    last = previous[["unit_code", "indicator_code", "numerator", "denominator", "value", "split_units"]].rename(
        columns={"numerator": "previous_numerator", "denominator": "previous_denominator", "value": "previous_value",
                 "split_units": "previous_split_units"})
    out = data[["unit_code", "indicator_code", "value"]].merge(last, on=["unit_code", "indicator_code"], how="left")
    out["previous_year"] = previous_year
    out["previous_split_units"] = out["previous_split_units"].fillna(0).astype(int)
    out["change"] = out["value"] - out["previous_value"]
    return out[PREVIOUS_COLUMNS]


def coverage(data: pd.DataFrame, registry: UnitRegistry, catalogue: Catalogue, config: WorkspaceConfig,
             previous: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many units each item's figure covers out of how many are expected (COVERAGE_COLUMNS, plus
    `previous_covered` when last year's rollup is given).

    Expected: the units that must report this year (their level reports and they exist in the window) and
    whose template carries the item; for a portal figure, every unit the portal counts dossiers of (no
    aggregate: a district's or province's row sums its own and its children's). Covered: those with a figure.
    """
    rows = []
    figures, before = _figures_by_item(data), _figures_by_item(previous) if previous is not None else None
    for item, expected in expected_units(registry, catalogue, config).items():
        row = {"indicator_code": item, "covered": _covered(figures, item, expected), "expected": len(expected)}
        if before is not None:
            row["previous_covered"] = _covered(before, item, expected)
        rows.append(row)
    return pd.DataFrame(rows, columns=[*COVERAGE_COLUMNS, *(["previous_covered"] if previous is not None else [])])


def expected_units(registry: UnitRegistry, catalogue: Catalogue, config: WorkspaceConfig) -> dict[str, set[str]]:
    """item code → the codes of the units expected to give its figure (see `coverage`): for a unit-reported item,
    the reporting units it concerns (`transform.targets.concerned`: an education item, the education agencies)."""
    window = config.report_window
    reporting = set(config.reporting_levels)
    from_portal = portal_sourced(catalogue)
    leaves = [u for u in registry.units.values() if u.code not in registry.parents and u.valid_in(window)]
    portal_units = {u.code for u in leaves if u.level in PORTAL_LEVELS}
    return {item.code: portal_units if item.code in from_portal
            else concerned(item, [u for u in leaves if u.level in reporting]) for item in catalogue.items}


def _figures_by_item(data: pd.DataFrame) -> dict[str, set[str]]:
    """Item code → the units with a figure for it (a numerator or a denominator), in one pass over the rollup:
    filtering the whole national rollup once per item took most of the report's rollup stage."""
    has = data[data["numerator"].notna() | data["denominator"].notna()]
    return {str(code): set(units) for code, units in has.groupby("indicator_code", sort=False)["unit_code"]}


def _covered(data: dict[str, set[str]], code: str, units: set[str]) -> int:
    return len(data.get(code, set()) & units)
