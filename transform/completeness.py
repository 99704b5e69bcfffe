"""Completeness and timeliness, like DHIS2 reporting rates but over the hierarchy of the period.

A unit is expected only if its level reports and it existed during the window. On time means
its first accepted file reached our archive by the end of its level's deadline day.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pandas as pd

from dvctt.config import Window, WorkspaceConfig
from dvctt.units import UnitRegistry

ON_TIME, LATE, MISSING = "Đúng hạn", "Trễ hạn", "Chưa nộp"


def _valid(valid_from: date | None, valid_to: date | None, window: Window) -> bool:
    return (valid_from is None or valid_from <= window.end) and (valid_to is None or valid_to >= window.start)


def unit_status(registry: UnitRegistry, arrivals: pd.DataFrame, config: WorkspaceConfig) -> pd.DataFrame:
    """One row per expected unit: its status, arrival time and deadline."""
    first = dict(zip(arrivals["unit_code"], arrivals["arrived_at"], strict=True)) if len(arrivals) else {}
    rows = []
    for unit in registry.of_levels(set(config.reporting_levels)):
        if not _valid(unit.valid_from, unit.valid_to, config.report_window):
            continue
        deadline = config.deadline_for(unit.level)
        arrived = first.get(unit.code)
        if arrived is None:
            status = MISSING
        else:
            arrived = pd.Timestamp(arrived).to_pydatetime()
            status = ON_TIME if arrived <= datetime.combine(deadline, time.max) else LATE
        parent = registry.get(unit.parent_code) if unit.parent_code else None
        rows.append(dict(unit_code=unit.code, unit_name=unit.name, level=unit.level,
                         parent_code=unit.parent_code, parent_name=parent.name if parent else "",
                         deadline=deadline, arrived_at=arrived, status=status))
    return pd.DataFrame(rows, columns=["unit_code", "unit_name", "level", "parent_code", "parent_name",
                                       "deadline", "arrived_at", "status"])


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
