"""Completeness and timeliness, like DHIS2 reporting rates but over the hierarchy of the period.

A unit is expected only if its level reports and it existed during the window: under the new
hierarchy the old communes that merged are not expected separately, and district offices are not
expected at all. On time means the first accepted file counting for the unit reached our archive
by the end of its level's deadline day in Vietnam; a file submitted under an old code counts for every new
commune the crosswalk maps it to (a split commune's file for each of its shares). `via` lists those
codes, and `missing_via` the old communes of a new one that sent nothing, so that a new commune
reported by some of its old communes shows what is still missing.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from core.clock import end_of_vn_day
from core.config import WorkspaceConfig
from core.records import STATUS_COLUMNS
from core.units import UnitRegistry
from transform.crosswalk import AS_READ, linked, links_frame

ON_TIME, LATE, MISSING = "Đúng hạn", "Trễ hạn", "Chưa nộp"


def _codes(links: pd.DataFrame) -> dict[str, str]:
    """Report unit → "A, B (một phần)": the other-hierarchy codes among `links` (a reused code's other unit
    marked "cũ" or "mới")."""
    others = links[(links["source_code"] != links["unit_code"]) | (links["source_era"] != AS_READ)]
    others = others.sort_values(["source_code", "source_era"])
    codes: dict[str, list[str]] = defaultdict(list)
    for unit, source, era, partial in zip(others["unit_code"], others["source_code"], others["source_era"],
                                          others["partial"], strict=True):
        notes = [*(["cũ" if era == "old" else "mới"] if era != AS_READ else []), *(["một phần"] if partial else [])]
        codes[unit].append(f"{source} ({', '.join(notes)})" if notes else source)
    return {unit: ", ".join(sources) for unit, sources in codes.items()}


def unit_status(registry: UnitRegistry, arrivals: pd.DataFrame, config: WorkspaceConfig) -> pd.DataFrame:
    """One row per expected unit: its status, first arrival and deadline; `via` lists the other codes whose
    files counted for it, and `missing_via`, when it sent nothing under its own code, those that sent nothing,
    so a new commune reported by only some of its old communes does not look complete."""
    links, submitted = links_frame(registry), set(arrivals["unit_code"])
    counted = linked(registry, arrivals)
    keys = set(zip(counted["source_code"], counted["source_era"], strict=True))
    sent = pd.Series([k in keys for k in zip(links["source_code"], links["source_era"], strict=True)],
                     index=links.index, dtype=bool)
    first = counted.groupby("unit_code")["arrived_at"].min().to_dict()
    via, missing_via = _codes(links[sent]), _codes(links[~sent])
    rows = []
    for unit in registry.of_levels(set(config.reporting_levels)):
        if not unit.valid_in(config.report_window):
            continue
        deadline = config.deadline_for(unit.level)
        arrived = first.get(unit.code)
        if arrived is None:
            status = MISSING
        else:
            arrived = pd.Timestamp(arrived).to_pydatetime()
            status = ON_TIME if arrived <= end_of_vn_day(deadline) else LATE
        parent = registry.get(unit.parent_code) if unit.parent_code else None
        rows.append(dict(unit_code=unit.code, unit_name=unit.name, level=unit.level,
                         parent_code=unit.parent_code, parent_name=parent.name if parent else "",
                         deadline=deadline, arrived_at=arrived, status=status, via=via.get(unit.code, ""),
                         missing_via="" if unit.code in submitted else missing_via.get(unit.code, "")))
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)


def summary(status: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Counts of expected / on time / late / missing units, and the reporting rate, per group."""
    counts = pd.crosstab([status[c] for c in by], status["status"]) if len(status) else pd.DataFrame()
    for col in (ON_TIME, LATE, MISSING):
        if col not in counts:
            counts[col] = 0
    counts = counts[[ON_TIME, LATE, MISSING]].reset_index()
    counts.insert(len(by), "expected", counts[[ON_TIME, LATE, MISSING]].sum(axis=1))
    counts["rate"] = (counts[ON_TIME] + counts[LATE]) / counts["expected"]
    counts["on_time_rate"] = counts[ON_TIME] / counts["expected"]
    return counts
