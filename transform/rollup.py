"""Roll unit figures up the report hierarchy: commune → (district →) province, agencies into their parent.

Counts are summed; a ratio is recomputed from the summed numerator and denominator, never an
average of percentages, which also weights satisfaction by the number of ratings; a yes/no
answer is stored as 1/1 or 0/1, so its rollup is the share of units that said yes. Figures
submitted under codes of the other hierarchy arrive through the crosswalk (`transform.crosswalk`),
split shares included.

Two sources, two rules. A unit's *submission* counts from leaf units only: a district's or
province's own consolidated file would double-count its children, so it is reconciled against
them instead (`reconcile`). The *portal's* figures (`Warehouse.portal_facts`) are a unit's own
dossiers, which no child repeats, so every unit's count: a district's aggregate is its UBND's
own dossiers plus its communes' and offices' (`portal_totals`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.catalogue import Catalogue, Kind
from core.records import DATA_COLUMNS, RAISED_COLUMNS, RECONCILE_COLUMNS
from core.units import MIXED_ERA, UnitRegistry
from transform.crosswalk import AS_READ, LINK_COLUMNS, PLACED_COLUMNS, era_keys, links_frame, place

PORTAL = "portal"  # the catalogue `source` of the indicators the portal alone supplies
_SUMMED = ["numerator", "denominator", "reporting_units", "split_units"]


def portal_sourced(catalogue: Catalogue) -> set[str]:
    """The indicators whose figures come from the portal, never from the units' files."""
    return {i.code for i in catalogue.indicators if i.source == PORTAL}


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


def _nearest(registry: UnitRegistry, parent: str | None) -> str:
    while parent is not None and parent not in registry.units:
        above = registry.get(parent)
        parent = above.parent_code if above else None
    return parent or registry.root


def raised_codes(registry: UnitRegistry) -> dict[tuple[str, str], str]:
    """(code, era key) with no place in this hierarchy → the nearest ancestor that has one (the root at worst).

    Their files are left out (`transform.crosswalk.unplaced_list`), but their portal dossiers are
    their own and belong to the area: an old district's UBND under the 2-level hierarchy counts at
    the province, a new commune that cannot be cut back into old ones counts at its province. A reused
    code's rows of the other era that have no place count where that other unit's parent does, and its
    rows whose period spans 1/7/2025 (which of its two units they belong to is unknown) at the root.
    """
    out = {(code, AS_READ): _nearest(registry, registry[code].parent_code)
           for code in sorted(c for c, links in registry.links.items() if not links)}
    for code, dual in sorted(registry.reread.items()):
        if not dual.links:
            out[(code, registry.other_era)] = _nearest(registry, dual.unit.parent_code)
        out[(code, MIXED_ERA)] = registry.root
    return out


def raised_list(registry: UnitRegistry, portal: pd.DataFrame) -> pd.DataFrame:
    """The portal's codes that are not report units (or whose era makes them one of another hierarchy): where
    `raised_codes` counts them, or no unit (blank) for a code this registry does not know."""
    raised = raised_codes(registry)
    keys = sorted(set(zip(portal["unit_code"], era_keys(registry, portal), strict=True)))
    rows = []
    for code, era in keys:
        if code in registry.units and era == AS_READ:
            continue
        target = raised.get((code, era))
        if era != AS_READ and target is None:
            continue  # a reused code's other-era rows with a place: they are placed, not raised
        name = registry.name_in(code, era or None)
        if registry.get(code) is None or target is not None:
            rows.append((code, name, target, registry.units[target].name if target else ""))
    return pd.DataFrame(rows, columns=RAISED_COLUMNS)


def _place_portal(registry: UnitRegistry, portal: pd.DataFrame) -> pd.DataFrame:
    """Portal figures on report units: through the crosswalk like files (a reused code by its rows' era),
    unplaceable codes raised."""
    raised = pd.DataFrame([(c, e, u, 1.0, False) for (c, e), u in raised_codes(registry).items()],
                          columns=LINK_COLUMNS)
    links = pd.concat([links_frame(registry), raised], ignore_index=True)
    figures = (portal[["unit_code", "indicator_code", "numerator", "denominator"]]
               .astype({"numerator": float, "denominator": float}))
    placed = (figures.rename(columns={"unit_code": "source_code"})
              .assign(source_era=era_keys(registry, portal).to_numpy())
              .merge(links, on=["source_code", "source_era"]))
    placed["numerator"] = placed["numerator"] * placed["weight"]
    placed["denominator"] = placed["denominator"] * placed["weight"]
    return placed[PLACED_COLUMNS]


def _aggregate(registry: UnitRegistry, placed: pd.DataFrame, units: pd.CategoricalDtype,
               items: pd.CategoricalDtype) -> pd.DataFrame:
    """Sum placed rows onto every ancestor-or-self of the unit they sit on."""
    placed = placed.astype({"unit_code": units, "indicator_code": items})
    joined = placed.merge(_ancestry(registry).astype({"unit_code": units, "ancestor": units}), on="unit_code")
    keys = ["ancestor", "indicator_code"]
    # each code once per aggregate (a reused code twice when both its units sent figures)
    joined["reporting_units"] = ~joined.duplicated([*keys, "source_code", "source_era"])
    joined["split_units"] = joined["reporting_units"] & joined["partial"]
    return (joined.groupby(keys, observed=True, sort=False)[_SUMMED].sum(min_count=1)
            .reset_index().rename(columns={"ancestor": "unit_code"}))


def _dtypes(registry: UnitRegistry, codes: list[str]) -> tuple[pd.CategoricalDtype, pd.CategoricalDtype]:
    # Categorical codes make the national join and groupby work on integers (12,000 units × 32 items × 4 levels).
    return pd.CategoricalDtype([u.code for u in registry.walk()]), pd.CategoricalDtype(codes)


def rollup(registry: UnitRegistry, facts: pd.DataFrame, catalogue: Catalogue,
           portal: pd.DataFrame | None = None) -> pd.DataFrame:
    """The long table behind the "Dữ liệu" sheet: every unit × every catalogue item, in `walk` order.

    With `portal` (portal facts: unit_code, indicator_code, numerator, denominator), the portal-sourced
    indicators take their figures from it alone, every unit's own dossiers counting; any unit file
    figure for them is ignored, as the portal is their source. Without it, `facts` feed every item.
    `reporting_units` counts the codes whose figures contributed (an old commune split between two
    new ones counts once higher up); `split_units` counts the split ones among them.
    """
    order = list(registry.walk())
    items = [i.code for i in catalogue.items]
    units, kinds = _dtypes(registry, items)
    placed = place(registry, facts).leaves
    if portal is not None:
        from_portal = portal_sourced(catalogue)
        placed = pd.concat([placed[~placed["indicator_code"].isin(from_portal)],
                            _place_portal(registry, portal[portal["indicator_code"].isin(from_portal)])],
                           ignore_index=True)
    agg = _aggregate(registry, placed, units, kinds)
    # Object arrays, so that each unit's row repeats one string object rather than a copy per item: a national
    # table is 855,000 rows, and copies cost hundreds of MiB.
    grid = pd.DataFrame({
        "unit_code": pd.Categorical(np.repeat([u.code for u in order], len(items)), dtype=units),
        "unit_name": np.repeat(np.array([u.name for u in order], dtype=object), len(items)),
        "level": np.repeat(np.array([u.level for u in order], dtype=object), len(items)),
        "parent_code": np.repeat(np.array([u.parent_code for u in order], dtype=object), len(items)),
        "indicator_code": pd.Categorical(np.tile(items, len(order)), dtype=kinds),
    })
    out = grid.merge(agg, on=["unit_code", "indicator_code"], how="left")
    out[["reporting_units", "split_units"]] = out[["reporting_units", "split_units"]].fillna(0).astype(int)
    out = out.astype({"unit_code": object, "indicator_code": object})
    out["value"] = _values(out["indicator_code"], out["numerator"], out["denominator"], catalogue)
    return out[DATA_COLUMNS]


def portal_totals(registry: UnitRegistry, portal: pd.DataFrame, catalogue: Catalogue,
                  codes: list[str] | None = None) -> pd.DataFrame:
    """The portal's own figures for every catalogue indicator it gives (or for `codes`, such as its
    PORTAL_* measures), per unit = own + descendants.

    For the portal-sourced indicators these are the `rollup` figures; for the others (a figure the
    units also report) they are what the report compares the units' claims with.
    """
    wanted = codes if codes is not None else [i.code for i in catalogue.indicators]
    given = set(portal["indicator_code"])  # once: a set per code was 3 × 70 passes over every national fact
    known = [code for code in wanted if code in given]
    units, kinds = _dtypes(registry, known)
    agg = _aggregate(registry, _place_portal(registry, portal[portal["indicator_code"].isin(known)]), units, kinds)
    agg = agg.astype({"unit_code": object, "indicator_code": object})
    agg["value"] = _values(agg["indicator_code"], agg["numerator"], agg["denominator"], catalogue)
    return agg[["unit_code", "indicator_code", "numerator", "denominator", "value", "reporting_units"]]


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
