"""Record types and table contracts shared across the stages, each defined once.

Every intermediate table the pipeline hands from one stage to the next is a DataFrame whose
columns are declared here (dbt-style contracts); the tests check each stage's output against
them. `Finding` is the problem record every stage reports to a clerk or to IT.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any


@dataclass(frozen=True)
class Finding:
    """One problem in one cell of one submitted file, worded for the clerk who must fix it."""

    file_id: str
    severity: str  # "error" (file is quarantined) or "warning" (file loads, flagged)
    rule: str  # short stable code, e.g. "required_missing"
    sheet: str
    cell: str  # A1 reference, e.g. "D7"
    found: str  # the value as found ("" when blank)
    expected: str  # Vietnamese: what is expected
    fix: str  # Vietnamese: how the clerk fixes it


@dataclass
class Submission:
    """What one file says, before validation: rows of CELL_COLUMNS, RATIO_COLUMNS and TEXT_COLUMNS, the statuses
    of the plan's tasks it reports (TASK_COLUMNS; a status is also a cell, field `task_status`), and the problems the
    reader found on the way (a cell whose value cannot be known, a text without its type, a sheet chosen among
    several …) that still let the rest of the file be read."""

    file_id: str
    cells: list[CellRecord] = field(default_factory=list)
    ratios: list[dict] = field(default_factory=list)
    texts: list[dict] = field(default_factory=list)
    meta: dict[str, str | None] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    tasks: list[dict] = field(default_factory=list)


# --- extract → expectations: one row per value read, and per ratio, with where it was read ---------
CELL_COLUMNS = ["file_id", "sheet", "cell", "item_code", "field", "raw", "value", "required", "expected"]


_CELL_ROW = attrgetter(*CELL_COLUMNS)


class CellRecord:
    """One value read from a file, with CELL_COLUMNS, read like a dict (`cell["value"]`). A national intake holds
    1.2 million of them from the read to the load; with slots each takes a third of a dict's memory."""

    __slots__ = tuple(CELL_COLUMNS)

    def __init__(self, *, file_id: str, sheet: str, cell: str, item_code: str, field: str, raw: Any, value: Any,
                 required: bool, expected: Any):
        self.file_id, self.sheet, self.cell, self.item_code, self.field = file_id, sheet, cell, item_code, field
        self.raw, self.value, self.required, self.expected = raw, value, required, expected

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def row(self) -> tuple:
        """The values in CELL_COLUMNS order."""
        return _CELL_ROW(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CellRecord) and self.row() == other.row()

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value, like the dict it replaces

    def __repr__(self) -> str:
        return f"CellRecord({', '.join(f'{k}={getattr(self, k)!r}' for k in CELL_COLUMNS)})"

RATIO_COLUMNS = ["file_id", "sheet", "item_code", "numerator", "denominator", "numerator_cell", "denominator_cell"]
TEXT_COLUMNS = ["file_id", "kind", "cell", "text"]
TASK_COLUMNS = ["task_code", "status", "note", "sheet", "cell"]  # status: a key of core.layout.TASK_STATUSES

# --- load → transform: a unit's figure (a count has no denominator; yes/no is 1/1 or 0/1) -----------
# `era` (core.units): which registry the code belongs to, "old" or "new" (None: not known, read as the report's
# hierarchy reads it); for the portal, whether the row predates 1/7/2025 ("mixed": its period spans that day).
FACT_COLUMNS = ["unit_code", "indicator_code", "numerator", "denominator"]
# The portal's figures per unit code and era, and what its exports could not give.
PORTAL_FACT_COLUMNS = [*FACT_COLUMNS, "source_file", "era"]
PORTAL_PROBLEM_COLUMNS = ["file", "sheet", "row", "column", "value", "message", "rule", "excluded"]
PORTAL_UNKNOWN_COLUMNS = ["agency_code", "rows", "first_row", "source_file", "shape"]
# Warnings on the files behind the current submissions.
WARNING_COLUMNS = ["unit_code", "original_name", "sheet", "cell", "found", "expected", "fix"]

# --- transform → report -----------------------------------------------------------------------------
# The rollup: every unit × every catalogue item. split_units: how many split (partially merged) old units
# the figure includes a share of; > 0 means estimated.
DATA_COLUMNS = ["unit_code", "unit_name", "level", "parent_code", "indicator_code",
                "numerator", "denominator", "value", "reporting_units", "split_units"]
RECONCILE_COLUMNS = ["unit_code", "unit_name", "level", "indicator_code",
                     "own_numerator", "own_denominator", "own_value",
                     "children_numerator", "children_denominator", "children_value",
                     "numerator_difference", "denominator_difference", "difference"]
STATUS_COLUMNS = ["unit_code", "unit_name", "level", "parent_code", "parent_name", "deadline", "arrived_at", "status",
                  "via", "missing_via"]
SPLIT_COLUMNS = ["source_code", "source_name", "unit_code", "unit_name", "weight"]
# Last year's figures on this year's units (transform.history), one row per DATA_COLUMNS row: the same figures a
# year earlier, placed through the crosswalk (split_units > 0: estimated), and the change of the value.
PREVIOUS_COLUMNS = ["unit_code", "indicator_code", "previous_year", "previous_numerator", "previous_denominator",
                    "previous_value", "previous_split_units", "change"]
# How many units a figure covers: the expected units whose template carries the item (or, for the portal, the
# units that handle dossiers) and how many of them have a figure.
COVERAGE_COLUMNS = ["indicator_code", "covered", "expected"]
# The plan's tasks and what their lead units reported (transform.tasks).
TASK_STATUS_COLUMNS = ["task_code", "unit_code", "unit_name", "status", "note"]
UNPLACED_COLUMNS = ["unit_code", "unit_name", "level", "reason"]
RAISED_COLUMNS = ["source_code", "source_name", "unit_code", "unit_name"]
# Peer statistics for outlier warnings, per level and indicator.
STATS_COLUMNS = ["level", "indicator_code", "median", "n", "mad"]
