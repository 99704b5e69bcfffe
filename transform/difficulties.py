"""Section IV of the Báo cáo: the units' difficulties and proposals grouped by theme, with how many units raise each.

A transparent keyword table (`core/data/difficulty_themes.yaml`) decides the themes, matched without diacritics;
a text no keyword matches counts under «Khác». Nothing is summarised or guessed: the report prints theme and count,
and the texts themselves stay word for word in the annex.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
import yaml

from core.resources import read_text
from core.text import fold

THEMES_FILE = "difficulty_themes.yaml"
OTHER = "Khác"
THEME_COLUMNS = ["kind", "theme", "units", "texts"]


@dataclass(frozen=True)
class Theme:
    name: str
    keywords: tuple[str, ...]  # folded


@lru_cache(maxsize=1)
def themes() -> tuple[Theme, ...]:
    spec = yaml.safe_load(read_text(THEMES_FILE))
    return tuple(Theme(t["name"], tuple(fold(k) for k in t["keywords"])) for t in spec["themes"])


def themes_of(text: str) -> list[str]:
    """The themes `text` belongs to, in the table's order; [«Khác»] when no keyword occurs in it."""
    folded = fold(text)
    found = [t.name for t in themes() if any(k in folded for k in t.keywords)]
    return found or [OTHER]


def group_texts(texts: pd.DataFrame) -> pd.DataFrame:
    """texts (unit_code, kind, text) → THEME_COLUMNS: per kind and theme, the units raising it and the texts'
    count; themes in the table's order, «Khác» last, themes nobody raised left out."""
    order = [t.name for t in themes()] + [OTHER]
    rows = [(kind, theme, unit, text) for unit, kind, text in zip(texts["unit_code"], texts["kind"], texts["text"],
                                                                 strict=True)
            if isinstance(text, str) and text.strip() for theme in themes_of(text)]
    frame = pd.DataFrame(rows, columns=["kind", "theme", "unit_code", "text"])
    grouped = (frame.groupby(["kind", "theme"], sort=False)
               .agg(units=("unit_code", "nunique"), texts=("text", "size")).reset_index())
    grouped["rank"] = grouped["theme"].map(order.index)
    return (grouped.sort_values(["kind", "rank"], kind="stable").drop(columns="rank")
            .reset_index(drop=True)[THEME_COLUMNS])
