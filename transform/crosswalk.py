"""Place submitted figures on the units of the report hierarchy, through the 2025 crosswalk.

Each fact row (`unit_code` = the code the file was submitted under) becomes one row per report
unit it links to, with numerator and denominator multiplied by the link's weight. For a full
merge or the unit itself the weight is 1. For a partial merge (an old commune split among n new
ones) it is the configured share, 1/n by default, and:

* a ratio's numerator and denominator are both scaled, so every rolled-up ratio is still an exact
  ratio of sums (a split unit adds w·num / w·den, never a scaled percentage);
* a count is split the same way (w·n), so the shares of one old unit add up to its count;
* a yes/no answer (1/1 or 0/1) becomes w/w: the split unit counts as w of a unit in the share of
  units answering yes. Its shares together weigh exactly one unit, so the national share is
  unchanged by the split; a new commune's share is weighted by how much of each old unit it got.

Rows placed on a split share carry `partial`, so the rollup can flag the figures built on them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.units import NEW, UnitRegistry

PLACED_COLUMNS = ["source_code", "unit_code", "indicator_code", "numerator", "denominator", "partial"]


def links_frame(registry: UnitRegistry) -> pd.DataFrame:
    """Every (code submitted under → report unit, weight, partial) pair of the registry."""
    rows = [(link.source, link.target, link.weight, link.partial)
            for links in registry.links.values() for link in links]
    return pd.DataFrame(rows, columns=["source_code", "unit_code", "weight", "partial"])


@dataclass
class Placement:
    """Facts sorted by what the report can do with them."""

    leaves: pd.DataFrame  # PLACED_COLUMNS on leaf units: these are the figures that roll up
    own: pd.DataFrame  # PLACED_COLUMNS on units with children: their own totals, for reconciliation only
    unplaced: pd.DataFrame  # the facts' columns, for codes with no place in this hierarchy or unknown here


def place(registry: UnitRegistry, facts: pd.DataFrame) -> Placement:
    links = links_frame(registry)
    placed = (facts[["unit_code", "indicator_code", "numerator", "denominator"]]
              .astype({"numerator": float, "denominator": float})  # an all-blank column arrives as None objects
              .rename(columns={"unit_code": "source_code"}).merge(links, on="source_code"))
    placed["numerator"] = placed["numerator"] * placed["weight"]
    placed["denominator"] = placed["denominator"] * placed["weight"]
    placed = placed[PLACED_COLUMNS]
    leaf = ~placed["unit_code"].isin(registry.parents)
    linked = facts["unit_code"].isin(set(links["source_code"]))
    return Placement(placed[leaf].reset_index(drop=True), placed[~leaf].reset_index(drop=True),
                     facts[~linked].reset_index(drop=True))


def split_list(registry: UnitRegistry, facts: pd.DataFrame) -> pd.DataFrame:
    """The split units whose figures were shared out, one row per share: what the report flags as estimated."""
    codes = set(facts["unit_code"])
    rows = [(link.source, registry[link.source].name, link.target, registry.units[link.target].name, link.weight)
            for source in sorted(codes & set(registry.links)) for link in registry.links[source] if link.partial]
    return pd.DataFrame(rows, columns=["source_code", "source_name", "unit_code", "unit_name", "weight"])


def unplaced_list(registry: UnitRegistry, facts: pd.DataFrame) -> pd.DataFrame:
    """Codes whose figures are not in the report, with the reason in Vietnamese."""
    rows = []
    for code in sorted(set(place(registry, facts).unplaced["unit_code"])):
        unit = registry.get(code)
        if unit is None:
            reason = "Mã không thuộc danh mục đơn vị của báo cáo này"
        elif registry.hierarchy == NEW:
            reason = f"{unit.level_label} không còn trong hệ thống 2 cấp từ 01/07/2025; số liệu không được cộng"
        else:
            reason = ("Đơn vị mới từ 01/07/2025, không trùng trọn vẹn với một đơn vị cũ nên không chuyển được về "
                      "hệ thống 3 cấp; số liệu không được cộng")
        rows.append((code, unit.name if unit else "", unit.level if unit else "", reason))
    return pd.DataFrame(rows, columns=["unit_code", "unit_name", "level", "reason"])
