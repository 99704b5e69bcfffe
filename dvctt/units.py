"""Reporting units: the administrative registry of the configured province plus its agencies.

Units are identified by code; names are only a hint (clerks write `UBND xã Tân Hòa`, `Xã Tân Hòa`
or `Tân Hòa` for the same commune). Each unit carries its validity dates because the 2025
reorganisation closed every district on 1/7/2025.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import yaml

from dvctt.config import Agency, WorkspaceConfig
from dvctt.paths import CONFIG_DIR

DISTRICTS_ABOLISHED = date(2025, 7, 1)

LEVEL_LABELS = {
    "province": "Tỉnh/Thành phố",
    "district": "Huyện/Thị xã/Thành phố thuộc tỉnh",
    "commune": "Xã/Phường/Thị trấn",
    "department": "Sở, ban, ngành",
    "press": "Cơ quan báo chí",
    "district_office": "Phòng chuyên môn cấp huyện",
}


class UnknownProvinceError(ValueError):
    pass


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str
    parent_code: str | None
    type: str
    valid_from: date | None = None
    valid_to: date | None = None

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)


@dataclass
class UnitRegistry:
    """The units of one province under one hierarchy, with parent/child links."""

    root: str
    units: dict[str, Unit]
    _children: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for unit in self.units.values():
            if unit.parent_code is not None:
                self._children.setdefault(unit.parent_code, []).append(unit.code)
        for codes in self._children.values():
            codes.sort()

    def __contains__(self, code: object) -> bool:
        return code in self.units

    def get(self, code: str) -> Unit | None:
        return self.units.get(code)

    def children(self, code: str) -> list[Unit]:
        return [self.units[c] for c in self._children.get(code, [])]

    def walk(self, code: str | None = None) -> Iterator[Unit]:
        """Depth-first pre-order from `code` (the province by default), children sorted by code."""
        stack = [code or self.root]
        while stack:
            current = stack.pop()
            yield self.units[current]
            stack.extend(reversed(self._children.get(current, [])))

    def of_levels(self, levels: list[str] | set[str]) -> list[Unit]:
        return [u for u in self.walk() if u.level in levels]


@lru_cache(maxsize=8)
def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def default_agencies(province: str, province_name: str, district_codes: list[str]) -> list[Agency]:
    """The demo's realistic default list of departments, press and district offices."""
    spec = yaml.safe_load((CONFIG_DIR / "agencies.yaml").read_text(encoding="utf-8"))
    short = province_name.removeprefix("Tỉnh ").removeprefix("Thành phố ")
    agencies = [
        Agency(code=a["code"].format(p=province), name=a["name"].format(name=short), kind=a["kind"], parent=province)
        for a in spec["province"]
    ]
    for d in district_codes:
        agencies += [Agency(code=a["code"].format(d=d), name=a["name"], kind=a["kind"], parent=d) for a in spec["district"]]
    return agencies


def province_name(config: WorkspaceConfig) -> str:
    data = _read_json(config.registry.dir / config.registry.file)
    for p in data["data"]:
        if p["level1_id"] == config.province:
            return p["name"]
    raise UnknownProvinceError(f"Mã tỉnh {config.province} không có trong danh mục {config.registry.file}")


def load_registry(config: WorkspaceConfig) -> UnitRegistry:
    """Build the province's units for the configured hierarchy (3 levels before 1/7/2025, 2 after)."""
    units: dict[str, Unit] = {}
    if config.hierarchy == 3:
        data = _read_json(config.registry.dir / config.registry.file)
        prov = next((p for p in data["data"] if p["level1_id"] == config.province), None)
        if prov is None:
            raise UnknownProvinceError(f"Mã tỉnh {config.province} không có trong danh mục {config.registry.file}")
        end = DISTRICTS_ABOLISHED - timedelta(days=1)
        units[config.province] = Unit(config.province, prov["name"], "province", None, prov["type"], None, end)
        for d in prov["level2s"]:
            units[d["level2_id"]] = Unit(d["level2_id"], d["name"], "district", config.province, d["type"], None, end)
            for c in d["level3s"]:
                units[c["level3_id"]] = Unit(c["level3_id"], c["name"], "commune", d["level2_id"], c["type"], None, end)
    else:
        data = _read_json(config.registry.dir / config.registry.merges)
        prov = next((p for p in data["data"] if p["level1_id"] == config.province), None)
        if prov is None:
            raise UnknownProvinceError(f"Mã tỉnh {config.province} không có trong danh mục {config.registry.merges}")
        units[config.province] = Unit(config.province, prov["name"], "province", None, "Tỉnh", DISTRICTS_ABOLISHED)
        for c in prov["level2s"]:
            kind = c["name"].split(" ")[0]
            units[c["level2_id"]] = Unit(c["level2_id"], c["name"], "commune", config.province, kind, DISTRICTS_ABOLISHED)
    for a in config.agencies:
        parent = a.parent or config.province
        if parent not in units:
            continue  # e.g. a district office under the 2-level hierarchy: no parent, so not expected
        units[a.code] = Unit(a.code, a.name, a.kind, parent, LEVEL_LABELS[a.kind])
    return UnitRegistry(root=config.province, units=units)
