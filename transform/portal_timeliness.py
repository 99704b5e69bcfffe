"""How promptly dossiers were resolved, from the portal: the on-time rate a leader asks for first.

The rate is (resolved early + resolved on time) / resolved (PORTAL_GIAIQUYET_DUNGHAN), summed from each
unit's own dossiers and its descendants' like every portal figure (`portal_totals`), with its numerator
and denominator beside it so every rate traces back to the counts in the exports.
"""

from __future__ import annotations

import pandas as pd

from core.catalogue import Catalogue
from core.units import LEVEL_LABELS, UnitRegistry
from transform.rollup import portal_totals

ON_TIME_RATE = "PORTAL_GIAIQUYET_DUNGHAN"
TIMELINESS_COLUMNS = ["unit_code", "unit_name", "level", "numerator", "denominator", "value"]


def portal_timeliness(registry: UnitRegistry, portal: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """One row per report unit, in `walk` order (the area first): dossiers resolved early or on time
    (`numerator`), dossiers resolved (`denominator`) and their ratio (`value`). A unit the exports say
    nothing about has blanks, never zeros; one with no resolved dossier has no rate."""
    totals = portal_totals(registry, portal, catalogue, [ON_TIME_RATE]).set_index("unit_code")
    rows = []
    for unit in registry.walk():
        found = unit.code in totals.index
        rows.append((unit.code, unit.name, LEVEL_LABELS.get(unit.level, unit.level),
                     totals.at[unit.code, "numerator"] if found else None,
                     totals.at[unit.code, "denominator"] if found else None,
                     totals.at[unit.code, "value"] if found else None))
    frame = pd.DataFrame(rows, columns=TIMELINESS_COLUMNS)
    return frame.astype({"numerator": "float64", "denominator": "float64", "value": "float64"})
