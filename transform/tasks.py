"""The plan's tasks and what their lead units reported: one row per task and lead unit, and a summary per task."""

from __future__ import annotations

import pandas as pd

from core.config import Task
from core.layout import TASK_STATUSES
from core.records import TASK_STATUS_COLUMNS
from core.units import UnitRegistry

NOT_REPORTED = "Chưa báo cáo"


def lead_units(task: Task, registry: UnitRegistry) -> list[str]:
    """The report units that lead `task` (named by code, or by kind), in `walk` order."""
    return [u.code for u in registry.walk() if task.led_by(u.code, u.level)]


def task_statuses(tasks: list[Task], registry: UnitRegistry, reported: pd.DataFrame) -> pd.DataFrame:
    """TASK_STATUS_COLUMNS: every task with each lead unit's status as reported (`Warehouse.current_tasks`), or
    «Chưa báo cáo»; a unit's note as written."""
    found = {(task, unit): (int(status), note) for task, unit, status, note in
             zip(reported["task_code"], reported["unit_code"], reported["status"], reported["note"], strict=True)}
    rows = []
    for task in tasks:
        for code in lead_units(task, registry):
            status, note = found.get((task.code, code), (None, None))
            rows.append((task.code, code, registry.units[code].name,
                         TASK_STATUSES[status] if status is not None else NOT_REPORTED,
                         note if isinstance(note, str) else None))
    return pd.DataFrame(rows, columns=TASK_STATUS_COLUMNS)


def task_summary(tasks: list[Task], statuses: pd.DataFrame) -> pd.DataFrame:
    """Per task: how many lead units reported each status, and none (the columns are the status words)."""
    words = [*TASK_STATUSES.values(), NOT_REPORTED]
    counts = pd.crosstab(statuses["task_code"], statuses["status"]) if len(statuses) else pd.DataFrame()
    out = pd.DataFrame({"task_code": [t.code for t in tasks]})
    for word in words:
        out[word] = out["task_code"].map(counts.get(word, {})).fillna(0).astype(int)
    out["leads"] = out[words].sum(axis=1)
    return out
