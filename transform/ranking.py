"""Ranking units within their level by the share of targets they met."""

from __future__ import annotations

import pandas as pd

from core.catalogue import Catalogue
from core.units import UnitRegistry
from transform.rollup import portal_sourced
from transform.targets import EPS, goals

RANKING_COLUMNS = ["unit_code", "unit_name", "level", "parent_name", "met", "applicable", "share", "note", "rank"]


def rank_units(data: pd.DataFrame, registry: UnitRegistry, catalogue: Catalogue, year: int) -> pd.DataFrame:
    """One row per unit below the root: targets met, targets applicable, share, rank within its level.

    `data` is the rollup (DATA_COLUMNS). Transparent on purpose (the report prints the rule next to
    the table): leaders must be able to redo a unit's rank by hand from the "Theo đơn vị" sheet. Only
    the units' own reports count: the portal's indicators are in no template, and portal figures
    alone do not make a unit "reported".
    """
    goal_of = goals(catalogue, year)
    applies = {i.code: set(i.applies_to) for i in catalogue.indicators if i.code in goal_of}
    own = data[~data["indicator_code"].isin(portal_sourced(catalogue))]
    has_data = own.groupby("unit_code", sort=False)["reporting_units"].max() > 0
    d = data[data["indicator_code"].isin(goal_of) & (data["unit_code"] != registry.root)]
    in_template = [lvl in applies[code] for lvl, code in zip(d["level"], d["indicator_code"], strict=True)]
    zero_base = d["numerator"].notna() & (d["denominator"] == 0)
    applicable = pd.Series(in_template, index=d.index) & ~zero_base
    goal = d["indicator_code"].map(lambda c: goal_of[c][1])
    met = applicable & (d["value"] >= goal - EPS)
    scores = (pd.DataFrame({"unit_code": d["unit_code"], "met": met, "applicable": applicable})
              .groupby("unit_code", sort=False).sum().astype(int))
    units = [u for u in registry.walk() if u.code != registry.root]
    parents = {u.code: registry.units[u.parent_code].name if u.parent_code else "" for u in units}
    out = pd.DataFrame([(u.code, u.name, u.level, parents[u.code]) for u in units],
                       columns=["unit_code", "unit_name", "level", "parent_name"])
    out = out.merge(scores, on="unit_code", how="left").fillna({"met": 0, "applicable": 0})
    out = out.astype({"met": int, "applicable": int})
    reported = out["unit_code"].map(has_data).fillna(False).astype(bool)
    rankable = reported & (out["applicable"] > 0)
    out["share"] = (out["met"] / out["applicable"]).where(rankable)
    out["note"] = None
    out.loc[~reported, "note"] = "Chưa có số liệu"
    out.loc[reported & ~rankable, "note"] = "Không có chỉ tiêu áp dụng"
    out = out.sort_values(["level", "share", "unit_code"], ascending=[True, False, True], na_position="last",
                          kind="stable")
    out["rank"] = (out.groupby("level").cumcount() + 1).astype(object)
    out.loc[out["share"].isna(), "rank"] = None
    return out.reset_index(drop=True)[RANKING_COLUMNS]
