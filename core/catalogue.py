"""The catalogue of indicators (chỉ tiêu) and activities (hoạt động), loaded from `core/data/catalogue.yaml`.

The catalogue is data, not code, so a province can add a row without a release: `workspace.yaml`'s
`catalogue:` overrides Decision 1588's targets and adds the province's own items (`with_overrides`).
"""

from __future__ import annotations

import json
from enum import StrEnum
from functools import cached_property, lru_cache

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.resources import read_text

# The unit kinds a template is made for; an activity without `applies_to` concerns all of them.
REPORTING_KINDS = ("department", "press", "district", "district_office", "commune")
CODE_RULE = r"^[A-Z][A-Z0-9_]{1,39}$"


class Kind(StrEnum):
    RATIO = "ratio"
    YES_NO = "yes_no"
    COUNT = "count"


class Target(BaseModel):
    """The goal that applies in a report year, and the target year it comes from."""

    year: int
    goal: float
    maintained: bool  # a goal of an earlier target year, kept after it (Decision 1588's goals are yearly)


class Indicator(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=CODE_RULE)
    label: str
    kind: Kind
    source: str
    applies_to: list[str] = Field(default_factory=list)
    targets: dict[int, float] = Field(default_factory=dict)
    numerator_label: str | None = None
    denominator_label: str | None = None
    # What the figure measures instead of the target's wording (a stand-in, chỉ số thay thế), in Vietnamese.
    stand_in: str | None = None

    @field_validator("targets")
    @classmethod
    def _fractions(cls, value: dict[int, float]) -> dict[int, float]:
        bad = [f"{y}: {g}" for y, g in value.items() if not 0 <= g <= 1]
        if bad:
            raise ValueError(f"mục tiêu là tỷ lệ từ 0 đến 1 (ví dụ 0.8 cho 80%), đang ghi {', '.join(bad)}")
        return value

    @model_validator(mode="after")
    def _ratio_labels(self) -> Indicator:
        if self.kind is Kind.RATIO and not (self.numerator_label and self.denominator_label):
            raise ValueError(f"chỉ tiêu tỷ lệ {self.code} cần numerator_label và denominator_label")
        return self

    def target(self, year: int) -> Target | None:
        """The goal a figure of `year` is judged against: the latest target year not after `year` (a target for
        year T is judged from T on, never before it); after it, that goal is kept (Decision 1588 sets most goals
        "hằng năm" to 2025 and says nothing after: a province overrides this in workspace.yaml). None before the
        first target year: a later target is progress (`horizon`), not a verdict."""
        earlier = [y for y in self.targets if y <= year]
        if not earlier:
            return None
        last = max(earlier)
        return Target(year=last, goal=self.targets[last], maintained=last < year)

    def horizon(self, year: int) -> Target | None:
        """The next target after `year` (2030's in 2025), shown as progress beside this year's verdict."""
        later = [y for y in self.targets if y > year]
        return Target(year=min(later), goal=self.targets[min(later)], maintained=False) if later else None

    def target_for(self, year: int) -> tuple[int, float] | None:
        found = self.target(year)
        return (found.year, found.goal) if found else None


class Activity(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=CODE_RULE)
    label: str
    unit: str
    kind: Kind = Kind.COUNT
    source: str = "units"
    applies_to: list[str] = Field(default_factory=lambda: list(REPORTING_KINDS))
    parent: str | None = None  # a «trong đó» row: part of the parent activity, never added to it


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

    def activities_for(self, kind: str) -> list[Activity]:
        return [a for a in self.activities if kind in a.applies_to]

    def applies(self, code: str, kind: str) -> bool:
        item = self.get(code)
        return item is not None and kind in item.applies_to


class CatalogueOverrides(BaseModel):
    """`catalogue:` in workspace.yaml: the province's own targets and items on top of Decision 1588's.

    `targets` replaces an indicator's goals for the years it names (a year set to null drops that year's goal);
    `indicators` and `activities` add items with codes of the province's own.
    """

    model_config = ConfigDict(extra="forbid")
    targets: dict[str, dict[int, float | None]] = Field(default_factory=dict)
    indicators: list[Indicator] = Field(default_factory=list)
    activities: list[Activity] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known(self) -> CatalogueOverrides:
        base = load_catalogue()
        own = [*(i.code for i in self.indicators), *(a.code for a in self.activities)]
        clash = sorted({c for c in own if base.get(c) is not None} | {c for c in own if own.count(c) > 1})
        if clash:
            raise ValueError(f"mã {', '.join(clash)} đã có trong danh mục (hoặc ghi hai lần): hãy đặt mã riêng của tỉnh")
        indicators = {i.code for i in base.indicators} | {i.code for i in self.indicators}
        unknown = sorted(set(self.targets) - indicators)
        if unknown:
            raise ValueError(f"mục tiêu cho mã {', '.join(unknown)} không phải chỉ tiêu trong danh mục")
        bad = [f"{c} {y}: {g}" for c, years in self.targets.items() for y, g in years.items()
               if g is not None and not 0 <= g <= 1]
        if bad:
            raise ValueError(f"mục tiêu là tỷ lệ từ 0 đến 1 (ví dụ 0.8 cho 80%), đang ghi {', '.join(bad)}")
        return self

    @property
    def empty(self) -> bool:
        return not (self.targets or self.indicators or self.activities)


@lru_cache(maxsize=4)
def load_catalogue() -> Catalogue:
    # libyaml when present: the pure-Python parser takes 0.3 s of every command, `dvctt ingest` included
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return Catalogue.model_validate(yaml.load(read_text("catalogue.yaml"), Loader=loader))


def with_overrides(overrides: CatalogueOverrides) -> Catalogue:
    """Decision 1588's catalogue with a province's targets and items (the same object when there are none)."""
    if overrides.empty:
        return load_catalogue()
    return _overridden(json.dumps(overrides.model_dump(mode="json"), sort_keys=True))


@lru_cache(maxsize=8)
def _overridden(spec: str) -> Catalogue:
    overrides = CatalogueOverrides.model_validate(json.loads(spec))
    base = load_catalogue()
    indicators = []
    for ind in [*base.indicators, *overrides.indicators]:
        given = overrides.targets.get(ind.code)
        if given is not None:
            targets = {**ind.targets, **{y: g for y, g in given.items() if g is not None}}
            targets = {y: g for y, g in targets.items() if given.get(y, g) is not None}
            ind = ind.model_copy(update={"targets": targets})
        indicators.append(ind)
    return Catalogue(version=base.version, indicators=indicators, activities=[*base.activities, *overrides.activities])
