"""Roll unit figures up the report hierarchy: commune → (district →) province, agencies into their parent.

Counts are summed; a ratio is recomputed from the summed numerator and denominator, never an
average of percentages, which also weights satisfaction by the number of ratings; a yes/no
answer is stored as 1/1 or 0/1, so its rollup is the share of units that said yes. Figures
submitted under codes of the other hierarchy arrive through the crosswalk (`transform.crosswalk`),
split shares included. Only leaf units contribute: a district's or province's own consolidated
file would double-count its children, so it is reconciled against them instead (`reconcile`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dvctt.catalogue import Catalogue, Kind
from dvctt.units import UnitRegistry
from transform.crosswalk import place

# split_units: how many split (partially merged) old units the figure includes a share of; > 0 means estimated.
DATA_COLUMNS = ["unit_code", "unit_name", "level", "parent_code", "indicator_code",
                "numerator", "denominator", "value", "reporting_units", "split_units"]
RECONCILE_COLUMNS = ["unit_code", "unit_name", "level", "indicator_code",
                     "own_numerator", "own_denominator", "own_value",
                     "children_numerator", "children_denominator", "children_value",
                     "numerator_difference", "denominator_difference", "difference"]


def _ancestry(registry: UnitRegistry) -> pd.DataFrame:
    """One row per (unit, ancestor-or-self) pair."""
    pairs = []
    for unit in registry.units.values():
        code: str | None = unit.code
        while code is not None:
            pairs.append((unit.code, code))
            code = registry.units[code].parent_code
    return pd.DataFrame(pairs, columns=["unit_code", "ancestor"])


def _values(indicator_code: pd.Series, numerator: pd.Series, denominator: pd.Series,
            catalogue: Catalogue) -> pd.Series:
    """A count's value is its number; anything else is numerator / denominator (none when the denominator is 0)."""
    is_count = indicator_code.isin({i.code for i in catalogue.items if i.kind is Kind.COUNT})
    return (numerator / denominator.where(denominator > 0)).where(~is_count, numerator)


def rollup(registry: UnitRegistry, facts: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """The long table behind the "Dữ liệu" sheet: every unit × every catalogue item, in `walk` order.

    `reporting_units` counts the codes whose files contributed (an old commune split between two
    new ones counts once higher up); `split_units` counts the split ones among them.
    """
    order = list(registry.walk())
    items = [i.code for i in catalogue.items]
    # Categorical codes make the national join and groupby work on integers (10,047 communes × 32 items × 4 levels).
    units, kinds = pd.CategoricalDtype([u.code for u in order]), pd.CategoricalDtype(items)
    leaves = place(registry, facts).leaves.astype({"unit_code": units, "indicator_code": kinds})
    joined = leaves.merge(_ancestry(registry).astype({"unit_code": units, "ancestor": units}), on="unit_code")
    keys = ["ancestor", "indicator_code"]
    joined["reporting_units"] = ~joined.duplicated([*keys, "source_code"])  # each code once per aggregate
    joined["split_units"] = joined["reporting_units"] & joined["partial"]
    agg = (joined.groupby(keys, observed=True, sort=False)
           [["numerator", "denominator", "reporting_units", "split_units"]].sum(min_count=1)
           .reset_index().rename(columns={"ancestor": "unit_code"}))
    grid = pd.DataFrame({
        "unit_code": pd.Categorical(np.repeat([u.code for u in order], len(items)), dtype=units),
        "unit_name": np.repeat([u.name for u in order], len(items)),
        "level": np.repeat([u.level for u in order], len(items)),
        "parent_code": np.repeat(np.array([u.parent_code for u in order], dtype=object), len(items)),
        "indicator_code": pd.Categorical(np.tile(items, len(order)), dtype=kinds),
    })
    out = grid.merge(agg, on=["unit_code", "indicator_code"], how="left")
    out[["reporting_units", "split_units"]] = out[["reporting_units", "split_units"]].fillna(0).astype(int)
    out = out.astype({"unit_code": object, "indicator_code": object})
    out["value"] = _values(out["indicator_code"], out["numerator"], out["denominator"], catalogue)
    return out[DATA_COLUMNS]


def reconcile(registry: UnitRegistry, facts: pd.DataFrame, data: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Units that have children and also sent their own figures: own vs the sum of their children.

    `data` is this registry's `rollup` output, whose row for a parent is the sum of its children.
    One row per item the unit itself filled in; differences are own − children (None when either
    side has no figure), `difference` being on the value (the ratio, or the count).
    """
    own = (place(registry, facts).own.groupby(["unit_code", "indicator_code"], sort=False)
           [["numerator", "denominator"]].sum(min_count=1).reset_index())
    own = own[own["numerator"].notna() | own["denominator"].notna()]
    children = data[["unit_code", "unit_name", "level", "indicator_code", "numerator", "denominator", "value"]]
    out = children.merge(own, on=["unit_code", "indicator_code"], suffixes=("_children", "_own"))
    out = out.rename(columns={"numerator_children": "children_numerator", "denominator_children": "children_denominator",
                              "value": "children_value", "numerator_own": "own_numerator",
                              "denominator_own": "own_denominator"})
    out["own_value"] = _values(out["indicator_code"], out["own_numerator"], out["own_denominator"], catalogue)
    out["numerator_difference"] = out["own_numerator"] - out["children_numerator"]
    out["denominator_difference"] = out["own_denominator"] - out["children_denominator"]
    out["difference"] = out["own_value"] - out["children_value"]
    return out[RECONCILE_COLUMNS].reset_index(drop=True)
