"""The catalogue of indicators (chỉ tiêu) and activities (hoạt động), loaded from `core/data/catalogue.yaml`.

The catalogue is data, not code, so a province can add a row without a release.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property, lru_cache

import yaml
from pydantic import BaseModel, Field

from core.resources import read_text


class Kind(StrEnum):
    RATIO = "ratio"
    YES_NO = "yes_no"
    COUNT = "count"


class Indicator(BaseModel):
    code: str
    label: str
    kind: Kind
    source: str
    applies_to: list[str] = Field(default_factory=list)
    targets: dict[int, float] = Field(default_factory=dict)
    numerator_label: str | None = None
    denominator_label: str | None = None

    def target_for(self, year: int) -> tuple[int, float] | None:
        """The goal that applies in `year`: the nearest target year not before it (2025 for 2025, 2030 after)."""
        later = sorted(y for y in self.targets if y >= year)
        if later:
            return later[0], self.targets[later[0]]
        return None


class Activity(BaseModel):
    code: str
    label: str
    unit: str
    kind: Kind = Kind.COUNT
    source: str = "units"


class Catalogue(BaseModel):
    version: int
    indicators: list[Indicator]
    activities: list[Activity]

    @property
    def items(self) -> list[Indicator | Activity]:
        return [*self.indicators, *self.activities]

    def get(self, code: str) -> Indicator | Activity | None:
        return self._by_code.get(code)

    @cached_property
    def _by_code(self) -> dict[str, Indicator | Activity]:
        return {i.code: i for i in self.items}

    def for_unit_kind(self, kind: str) -> list[Indicator]:
        return [i for i in self.indicators if kind in i.applies_to]


@lru_cache(maxsize=4)
def load_catalogue() -> Catalogue:
    return Catalogue.model_validate(yaml.safe_load(read_text("catalogue.yaml")))
