"""Judging a figure against its target (mục tiêu): which goal applies in a year, and met or not."""

from __future__ import annotations

import pandas as pd

from core.catalogue import Catalogue

MET, NOT_MET = "Đạt", "Chưa đạt"
EPS = 1e-12  # a ratio recomputed from sums may land a hair under a goal it meets exactly


def goals(catalogue: Catalogue, year: int) -> dict[str, tuple[int, float]]:
    """indicator code → (target year, goal) for the report year: 2025's goal in 2025, 2030's after."""
    return {i.code: t for i in catalogue.indicators if (t := i.target_for(year)) is not None}


def verdict(value: float | None, goal: float | None) -> str:
    """"Đạt" or "Chưa đạt"; "" when there is no goal or no figure."""
    if goal is None or value is None or pd.isna(value):
        return ""
    return MET if value >= goal - EPS else NOT_MET
