"""Ranking units within their level by a continuous score (mean attainment), the share of targets met beside it."""

from __future__ import annotations

import pandas as pd

from core.catalogue import Catalogue
from core.units import UnitRegistry
from transform.rollup import portal_sourced
from transform.targets import EPS, attainment, concerned, goals

RANKING_COLUMNS = ["unit_code", "unit_name", "level", "parent_name", "met", "applicable", "share", "score", "note",
                   "rank"]


def rank_units(data: pd.DataFrame, registry: UnitRegistry, catalogue: Catalogue, year: int) -> pd.DataFrame:
    """One row per unit below the root: targets met, targets applicable, share met, score, rank within its level.

    `data` is the rollup (DATA_COLUMNS). Transparent on purpose (the report prints the rule next to the table):
    leaders must be able to redo a unit's rank by hand. A target applies to a unit when it is judged this year
    (a later target, 2030's in 2025, is progress and counts for nobody), the unit is concerned by it
    (`transform.targets.concerned`: its level's template carries it, and an education target concerns the
    education agencies alone) and the unit's denominator is not 0. A blank applicable target counts as not met and
    adds 0 to the score. score = mean attainment (value ÷ goal, each capped at 100 %): a unit at 79 % of an 80 %
    goal is not ranked with one at 10 %, as a count of targets met would. Units are ordered by score; units with the
    same score share a rank (1, 1, 3). Only the units' own reports count: the portal's
    indicators are in no template, and portal figures alone do not make a unit "reported".
    """
    goal_of = goals(catalogue, year)
    units = [u for u in registry.walk() if u.code != registry.root]
    concerns = {i.code: concerned(i, units) for i in catalogue.indicators if i.code in goal_of}
    own = data[~data["indicator_code"].isin(portal_sourced(catalogue))]
    has_data = own.groupby("unit_code", sort=False)["reporting_units"].max() > 0
    d = data[data["indicator_code"].isin(concerns) & (data["unit_code"] != registry.root)]
    concerned_rows = [u in concerns[code] for u, code in zip(d["unit_code"], d["indicator_code"], strict=True)]
    zero_base = d["numerator"].notna() & (d["denominator"] == 0)
    applicable = pd.Series(concerned_rows, index=d.index, dtype=bool) & ~zero_base
    goal = d["indicator_code"].map(lambda c: goal_of[c][1])
    met = applicable & (d["value"] >= goal - EPS)
    reached = [attainment(v, g) for v, g in zip(d["value"], goal, strict=True)]
    scores = (pd.DataFrame({"unit_code": d["unit_code"], "met": met, "applicable": applicable,
                            "reached": pd.Series(reached, index=d.index).where(applicable, 0.0)})
              .groupby("unit_code", sort=False).sum())
    parents = {u.code: registry.units[u.parent_code].name if u.parent_code else "" for u in units}
    out = pd.DataFrame([(u.code, u.name, u.level, parents[u.code]) for u in units],
                       columns=["unit_code", "unit_name", "level", "parent_name"])
    out = out.merge(scores, on="unit_code", how="left").fillna({"met": 0, "applicable": 0, "reached": 0.0})
    out = out.astype({"met": int, "applicable": int})
    reported = out["unit_code"].map(has_data).fillna(False).astype(bool)
    rankable = reported & (out["applicable"] > 0)
    out["share"] = (out["met"] / out["applicable"]).where(rankable)
    out["score"] = (out["reached"] / out["applicable"].where(out["applicable"] > 0)).where(rankable)
    out["note"] = None
    out.loc[~reported, "note"] = "Chưa có số liệu"
    out.loc[reported & ~rankable, "note"] = "Không có chỉ tiêu áp dụng"
    out = out.sort_values(["level", "score", "unit_code"], ascending=[True, False, True], na_position="last",
                          kind="stable")
    # Ties share the best rank of the group (1, 1, 3); a score is a mean of floats, so compare it rounded.
    position = out.groupby("level").cumcount() + 1
    out["rank"] = position.groupby([out["level"], out["score"].round(9)]).transform("min").astype(object)
    out.loc[out["share"].isna(), "rank"] = None
    return out.reset_index(drop=True)[RANKING_COLUMNS]
