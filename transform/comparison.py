"""The portal's figures beside the units' own claims for the same unit and indicator."""

from __future__ import annotations

import pandas as pd

from core.catalogue import Catalogue
from core.units import UnitRegistry
from transform.rollup import portal_sourced, portal_totals


def portal_comparison(data: pd.DataFrame, portal_facts: pd.DataFrame, registry: UnitRegistry,
                      catalogue: Catalogue) -> pd.DataFrame:
    """Units' own figures beside the portal's for the same unit and indicator, and the difference.

    Both sides cover the unit and everything under it: the units' side is the rollup of their files
    (`data`), the portal's the unit's own dossiers plus its descendants' (`portal_totals`). The units'
    side of a portal-sourced indicator is blank (no template carries it). Rows: the root and its direct
    children for every indicator the portal gives, and any unit where both sides have a figure.
    `portal_facts` may be empty (no export loaded yet); then the portal columns stay blank.
    """
    from_portal = portal_sourced(catalogue)
    totals = portal_totals(registry, portal_facts, catalogue)
    own = data[["unit_code", "unit_name", "indicator_code", "numerator", "denominator", "value"]]
    own = own[~own["indicator_code"].isin(from_portal)]
    claimed = set(zip(*(own.loc[own["numerator"].notna() | own["denominator"].notna(), c]
                        for c in ("unit_code", "indicator_code")), strict=True))
    top = {registry.root} | {u.code for u in registry.children(registry.root)}
    keys = {(registry.root, code) for code in from_portal}
    keys |= {k for k in zip(totals["unit_code"], totals["indicator_code"], strict=True) if k[0] in top or k in claimed}
    unit_order = {u.code: n for n, u in enumerate(registry.walk())}
    ind_order = {i.code: n for n, i in enumerate(catalogue.indicators)}
    ordered = sorted(keys, key=lambda k: (unit_order[k[0]], ind_order[k[1]]))
    frame = pd.DataFrame(ordered, columns=["unit_code", "indicator_code"])
    frame["unit_name"] = frame["unit_code"].map(lambda c: unit.name if (unit := registry.get(c)) else "")
    frame = frame.merge(own.drop(columns="unit_name"), on=["unit_code", "indicator_code"], how="left")
    portal = totals.drop(columns="reporting_units").rename(columns={c: f"{c}_portal" for c in
                                                                      ("numerator", "denominator", "value")})
    frame = frame.merge(portal, on=["unit_code", "indicator_code"], how="left")
    frame["difference"] = frame["value_portal"] - frame["value"]
    return frame
