"""Judging a figure against its target (mục tiêu): which goal applies in a year, met or not, and whom it concerns.

A target for year T is judged from year T on (`core.catalogue.Indicator.target`); a later target (2030's in 2025)
is shown as progress, "Đang thực hiện", never "Chưa đạt" before its year. A figure that cannot be known is
"Chưa có số liệu" with a reason, never a blank a chart would draw as 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from core.catalogue import Activity, Catalogue, Indicator, Target
from core.text import fold
from core.units import Unit

MET, NOT_MET, IN_PROGRESS, NO_DATA = "Đạt", "Chưa đạt", "Đang thực hiện", "Chưa có số liệu"
STATUSES = (MET, NOT_MET, IN_PROGRESS, NO_DATA)
EPS = 1e-12  # a ratio recomputed from sums may land a hair under a goal it meets exactly
# An item whose source is `education` (students, schools) concerns the agencies named for education (Sở / Phòng
# Giáo dục và Đào tạo) when there are any among the units of its level, not every department whose template has it.
EDUCATION_SOURCE = "education"
EDUCATION = "giao duc"


def goals(catalogue: Catalogue, year: int) -> dict[str, tuple[int, float]]:
    """indicator code → (target year, goal) judged in the report year: only targets of that year or before."""
    return {i.code: t for i in catalogue.indicators if (t := i.target_for(year)) is not None}


def known(value: object) -> bool:
    """Whether a figure is there (not None, not NaN)."""
    return isinstance(value, int | float) and not math.isnan(value)


def verdict(value: float | None, goal: float | None) -> str:
    """"Đạt" or "Chưa đạt"; "" when there is no goal or no figure."""
    if goal is None or value is None or pd.isna(value):
        return ""
    return MET if value >= goal - EPS else NOT_MET


def status(value: float | None, judged: Target | None, horizon: Target | None) -> str:
    """One of STATUSES for an indicator with a target: no figure → NO_DATA; a goal judged this year → MET or
    NOT_MET; only a later goal → IN_PROGRESS. "" for an indicator without any target (a task, reported only)."""
    if judged is None and horizon is None:
        return ""
    if not known(value):
        return NO_DATA
    if judged is not None:
        return verdict(value, judged.goal)
    return IN_PROGRESS


def attainment(value: float | None, goal: float) -> float:
    """How far a figure goes towards its goal, capped at 100 %: a blank counts as 0, a goal of 0 is met."""
    if not known(value):
        return 0.0
    return 1.0 if goal <= 0 else min(1.0, max(0.0, float(value) / goal))  # type: ignore[arg-type]


def concerned(item: Indicator | Activity, units: Iterable[Unit]) -> set[str]:
    """The codes of the `units` a catalogue item concerns: their level's template carries it, and for an
    education item the education agencies alone (when the units include any)."""
    candidates = [u for u in units if u.level in item.applies_to]
    if item.source == EDUCATION_SOURCE:
        education = {u.code for u in candidates if EDUCATION in fold(u.name)}
        if education:
            return education
    return {u.code for u in candidates}
