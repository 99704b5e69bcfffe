"""Roll unit figures up the hierarchy: commune → district → province, agencies into their parent.

Counts are summed; a ratio is recomputed from the summed numerator and denominator, never an
average of percentages; a yes/no answer is stored as 1/1 or 0/1, so its rollup is the share of
units that said yes. Only leaf units contribute: a district's own consolidated file would
double-count its communes, so it is kept for reconciliation instead.
"""

from __future__ import annotations

import pandas as pd

from dvctt.catalogue import Catalogue, Kind
from dvctt.units import UnitRegistry

DATA_COLUMNS = ["unit_code", "unit_name", "level", "parent_code", "indicator_code",
                "numerator", "denominator", "value", "reporting_units"]


def _ancestry(registry: UnitRegistry) -> pd.DataFrame:
    """One row per (unit, ancestor-or-self) pair."""
    pairs = []
    for unit in registry.units.values():
        code: str | None = unit.code
        while code is not None:
            pairs.append((unit.code, code))
            code = registry.units[code].parent_code
    return pd.DataFrame(pairs, columns=["unit_code", "ancestor"])


def rollup(registry: UnitRegistry, facts: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """The long table behind the "Dữ liệu" sheet: every unit × every catalogue item."""
    leaves = {u.code for u in registry.units.values() if not registry.children(u.code)}
    own = facts[facts["unit_code"].isin(leaves)]
    joined = own.merge(_ancestry(registry), on="unit_code")
    agg = (
        joined.groupby(["ancestor", "indicator_code"], sort=False)
        .agg(numerator=("numerator", lambda s: s.sum(min_count=1)),
             denominator=("denominator", lambda s: s.sum(min_count=1)),
             reporting_units=("unit_code", "nunique"))
        .reset_index()
        .rename(columns={"ancestor": "unit_code"})
    )
    order = [u for u in registry.walk()]
    items = catalogue.items
    grid = pd.DataFrame(
        [(u.code, u.name, u.level, u.parent_code, i.code) for u in order for i in items],
        columns=["unit_code", "unit_name", "level", "parent_code", "indicator_code"],
    )
    out = grid.merge(agg, on=["unit_code", "indicator_code"], how="left")
    out["reporting_units"] = out["reporting_units"].fillna(0).astype(int)
    kinds = {i.code: i.kind for i in items}
    is_count = out["indicator_code"].map(lambda c: kinds[c] is Kind.COUNT)
    ratio = out["numerator"] / out["denominator"].where(out["denominator"] > 0)
    out["value"] = ratio.where(~is_count, out["numerator"])
    return out[DATA_COLUMNS]
