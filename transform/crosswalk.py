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

A fact may carry an `era` (`core.units`: the registry its code comes from, or the portal row's date).
A code with two meanings (`UnitRegistry.dual`) is placed by its era: a figure of the other era goes
where that other unit went. Without an era, a code is read as the report's hierarchy reads it.

Rows placed on a split share carry `partial`, so the rollup can flag the figures built on them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.units import MIXED_ERA, NEW, UnitRegistry

PLACED_COLUMNS = ["source_code", "source_era", "unit_code", "indicator_code", "numerator", "denominator", "partial"]
LINK_COLUMNS = ["source_code", "source_era", "unit_code", "weight", "partial"]
AS_READ = ""  # the `source_era` of a link for a code read as the report's hierarchy reads it


def links_frame(registry: UnitRegistry) -> pd.DataFrame:
    """Every (code submitted under, era → report unit, weight, partial) pair of the registry: the code as the
    report reads it (era `AS_READ`), and a reused code's other-era meaning (`UnitRegistry.dual`)."""
    rows = [(link.source, AS_READ, link.target, link.weight, link.partial)
            for links in registry.links.values() for link in links]
    rows += [(link.source, registry.other_era, link.target, link.weight, link.partial)
             for dual in registry.reread.values() for link in dual.links]
    return pd.DataFrame(rows, columns=LINK_COLUMNS)


def era_keys(registry: UnitRegistry, frame: pd.DataFrame) -> pd.Series:
    """The `source_era` each row of `frame` (unit_code, optional era) joins the links on: its era for a code with
    two meanings (a period spanning 1/7/2025 finds no link there), else `AS_READ`."""
    reread = registry.reread
    if "era" not in frame or not reread:
        return pd.Series(AS_READ, index=frame.index, dtype=object)
    era = frame["era"].astype(object).where(frame["era"].notna(), AS_READ)
    dual = frame["unit_code"].isin(set(reread))
    meaningful = era.isin([registry.other_era, MIXED_ERA])
    return pd.Series(np.where(dual & meaningful, era, AS_READ), index=frame.index, dtype=object)


def linked(registry: UnitRegistry, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` (unit_code, optional era, anything else) with one row per report unit each row counts for:
    `source_code` (the code as submitted), `source_era`, `unit_code` (the report unit), `weight`, `partial`."""
    keyed = frame.rename(columns={"unit_code": "source_code"}).assign(source_era=era_keys(registry, frame))
    return keyed.merge(links_frame(registry), on=["source_code", "source_era"])


@dataclass
class Placement:
    """Facts sorted by what the report can do with them."""

    leaves: pd.DataFrame  # PLACED_COLUMNS on leaf units: these are the figures that roll up
    own: pd.DataFrame  # PLACED_COLUMNS on units with children: their own totals, for reconciliation only
    unplaced: pd.DataFrame  # the facts' columns, for codes with no place in this hierarchy or unknown here


def place(registry: UnitRegistry, facts: pd.DataFrame) -> Placement:
    figures = (facts[["unit_code", "indicator_code", "numerator", "denominator",
                      *(["era"] if "era" in facts else [])]]
               .astype({"numerator": float, "denominator": float}))  # an all-blank column arrives as None objects
    placed = linked(registry, figures)
    placed["numerator"] = placed["numerator"] * placed["weight"]
    placed["denominator"] = placed["denominator"] * placed["weight"]
    placed = placed[PLACED_COLUMNS]
    leaf = ~placed["unit_code"].isin(registry.parents)
    links = links_frame(registry)
    known = set(zip(links["source_code"], links["source_era"], strict=True))
    keys = zip(facts["unit_code"], era_keys(registry, facts), strict=True)
    found = np.fromiter((k in known for k in keys), dtype=bool, count=len(facts))
    return Placement(placed[leaf].reset_index(drop=True), placed[~leaf].reset_index(drop=True),
                     facts[~found].reset_index(drop=True))


def split_list(registry: UnitRegistry, facts: pd.DataFrame) -> pd.DataFrame:
    """The split units whose figures were shared out, one row per share: what the report flags as estimated.
    `facts` needs unit_code (and era, when known)."""
    codes = facts[["unit_code", *(["era"] if "era" in facts else [])]].drop_duplicates()
    shares = linked(registry, codes)
    shares = shares[shares["partial"]].sort_values(["source_code", "unit_code"])
    shares = shares.drop_duplicates(["source_code", "source_era", "unit_code"])
    rows = [(source, registry.name_in(source, era or None), unit, registry.units[unit].name, weight)
            for source, era, unit, weight in zip(shares["source_code"], shares["source_era"], shares["unit_code"],
                                                 shares["weight"], strict=True)]
    return pd.DataFrame(rows, columns=["source_code", "source_name", "unit_code", "unit_name", "weight"])


def unplaced_list(registry: UnitRegistry, facts: pd.DataFrame) -> pd.DataFrame:
    """Codes whose figures are not in the report, with the reason in Vietnamese."""
    rows = []
    unplaced = place(registry, facts).unplaced
    eras = unplaced["era"] if "era" in unplaced else pd.Series(None, index=unplaced.index, dtype=object)
    for code, era in sorted({(c, e if isinstance(e, str) else "") for c, e in zip(unplaced["unit_code"], eras,
                                                                                  strict=True)}):
        unit = registry.get(code)
        if code in registry.reread and era == MIXED_ERA:
            reason = ("Mã được dùng cho cả đơn vị cũ và đơn vị mới, số liệu có kỳ gồm cả trước và sau 01/07/2025 "
                      "nên không xác định được thuộc đơn vị nào; số liệu không được cộng")
            name = unit.name if unit else ""
        elif code in registry.reread:
            other = registry.dual[code].unit
            reason = (f"Số liệu theo {other.level_label.lower()} {other.name} (mã cũ dùng lại) không chuyển được "
                      f"sang hệ thống {registry.hierarchy} cấp; số liệu không được cộng")
            name = other.name
        elif unit is None:
            reason, name = "Mã không thuộc danh mục đơn vị của báo cáo này", ""
        elif registry.hierarchy == NEW:
            reason = f"{unit.level_label} không còn trong hệ thống 2 cấp từ 01/07/2025; số liệu không được cộng"
            name = unit.name
        else:
            reason = ("Đơn vị mới từ 01/07/2025, không trùng trọn vẹn với một đơn vị cũ nên không chuyển được về "
                      "hệ thống 3 cấp; số liệu không được cộng")
            name = unit.name
        level = registry.dual[code].unit.level if code in registry.reread else unit.level if unit else ""
        rows.append((code, name, level, reason))
    return pd.DataFrame(rows, columns=["unit_code", "unit_name", "level", "reason"])
