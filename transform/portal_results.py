"""What the portal stage produces, and how export codes find their unit.

Facts, unknown agencies and problems are collected across every export of a run (`Collector`),
with at most MAX_PROBLEMS_PER_RULE rows listed per file and rule plus one line with the full
count. Codes match the registry exactly, case-insensitively, or with the leading zeros Excel
drops ("3386" → "03386").
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from core.records import PORTAL_FACT_COLUMNS, PORTAL_PROBLEM_COLUMNS, PORTAL_UNKNOWN_COLUMNS
from core.text import vn_count

MAX_PROBLEMS_PER_RULE = 200


@dataclass(frozen=True)
class PortalProblem:
    """One row-level (or file-level, row=None) finding, phrased for the lead agency's IT staff."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    rule: str
    excluded: bool
    sheet: str | None = None


@dataclass
class PortalResult:
    facts: pd.DataFrame
    unknown_agencies: pd.DataFrame
    problems: list[PortalProblem] = field(default_factory=list)

    def problems_frame(self) -> pd.DataFrame:
        cols = PORTAL_PROBLEM_COLUMNS
        frame = pd.DataFrame([{c: getattr(p, c) for c in cols} for p in self.problems], columns=cols)
        return frame.astype({"row": "Int64", "excluded": "bool"})



def normalise_code(raw: object) -> str | None:
    """Unit code as typed: whitespace removed, Excel's "105.0" → "105", upper case."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = re.sub(r"\s+", "", str(raw))
    text = re.sub(r"\.0+$", "", text).upper()
    return text or None


class UnitMatcher:
    """Match codes to the registry: exact, case-insensitive, or with the leading zeros Excel drops
    from commune codes ("3386" → "03386")."""

    def __init__(self, known: set[str]):
        self._by_upper = {k.upper(): k for k in known}

    def match(self, code: str | None) -> str | None:
        if code is None:
            return None
        hit = self._by_upper.get(code.upper())
        if hit is None and code.isdigit():
            for width in (2, 3, 5):
                if len(code) < width and (hit := self._by_upper.get(code.zfill(width))):
                    break
        return hit


class Collector:
    """Facts, unknown agencies and problems across exports, with the per-rule cap.

    Facts arrive as rows (aggregated exports) or whole frames (a dossier file gives hundreds of
    thousands) and are summed per unit, indicator and era once, in `result`."""

    def __init__(self) -> None:
        self._fact_rows: list[tuple[str, str, int, int, str, str | None]] = []
        self._fact_frames: list[pd.DataFrame] = []
        self.unknown: dict[tuple[str, str], list[Any]] = {}
        self.problems: list[PortalProblem] = []
        self.sources: dict[str, set[str]] = defaultdict(set)  # unit -> shapes

    def add_fact(self, unit: str, code: str, num: int, den: int, source: str, era: str | None) -> None:
        self._fact_rows.append((unit, code, int(num), int(den), source, era))

    def add_facts(self, facts: pd.DataFrame) -> None:
        """Facts with PORTAL_FACT_COLUMNS."""
        self._fact_frames.append(facts[PORTAL_FACT_COLUMNS])

    def files_of(self, unit: str) -> list[str]:
        """The files that gave `unit` a fact."""
        files = {row[4] for row in self._fact_rows if row[0] == unit}
        for frame in self._fact_frames:
            files.update(frame.loc[frame["unit_code"] == unit, "source_file"])
        return sorted(files)

    def add_unknown(self, code: str, rows: int, first_row: int | None, source: str, shape: str) -> None:
        entry = self.unknown.setdefault((code, source), [0, first_row, shape])
        entry[0] += rows
        if first_row is not None and (entry[1] is None or first_row < entry[1]):
            entry[1] = first_row

    def add_problems(self, problems: list[PortalProblem], total: dict[tuple[str, str], int] | None = None) -> None:
        """Keep the first MAX_PROBLEMS_PER_RULE per (file, rule), plus one line saying how many more."""
        by_rule: dict[tuple[str, str], list[PortalProblem]] = defaultdict(list)
        for p in problems:
            by_rule[(p.file, p.rule)].append(p)
        for key, items in by_rule.items():
            items.sort(key=lambda p: (p.row is None, p.row or 0))
            self.problems.extend(items[:MAX_PROBLEMS_PER_RULE])
            count = max(len(items), (total or {}).get(key, 0))
            if count > MAX_PROBLEMS_PER_RULE:
                first = items[0]
                self.problems.append(PortalProblem(
                    first.file, None, first.column, None,
                    f"Còn {vn_count(count - MAX_PROBLEMS_PER_RULE)} dòng khác cùng lỗi ({vn_count(count)} dòng tất cả) — "
                    + first.message, first.rule, first.excluded, first.sheet))

    def result(self) -> PortalResult:
        facts = _summed(pd.concat([pd.DataFrame(self._fact_rows, columns=PORTAL_FACT_COLUMNS), *self._fact_frames],
                                  ignore_index=True))
        unknown = pd.DataFrame(
            [(code, v[0], v[1], src, v[2]) for (code, src), v in sorted(self.unknown.items())],
            columns=PORTAL_UNKNOWN_COLUMNS,
        ).astype({"rows": "int64"})
        return PortalResult(facts, unknown, self.problems)


def _summed(facts: pd.DataFrame) -> pd.DataFrame:
    """One fact per unit, indicator and era: numerators and denominators summed, the files named "a; b"."""
    keys = ["unit_code", "indicator_code", "era"]
    facts = facts.astype({"numerator": "int64", "denominator": "int64"})  # object when a part was empty
    facts["era"] = facts["era"].astype(object).where(facts["era"].notna(), "")
    sums = facts.groupby(keys, sort=True)[["numerator", "denominator"]].sum()
    pairs = facts[[*keys, "source_file"]].drop_duplicates()
    shared = pairs.duplicated(keys, keep=False)  # a fact from several files (rare: joined one group at a time)
    files = pd.concat([pairs[~shared].set_index(keys)["source_file"],
                       pairs[shared].groupby(keys)["source_file"].agg(lambda names: "; ".join(sorted(names)))])
    out = sums.join(files).reset_index()
    out["era"] = out["era"].where(out["era"] != "", None)
    return out[PORTAL_FACT_COLUMNS].astype({"source_file": "str"})
