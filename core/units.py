"""Reporting units over time: the 3-level registry (valid until 30/6/2025), the 2-level one (from
1/7/2025) and the crosswalk between them, plus the province's agencies.

Units are identified by code; names are only a hint (clerks write `UBND xã Tân Hòa`, `Xã Tân Hòa`
or `Tân Hòa` for the same commune). A report uses one hierarchy, the one valid in its window. The
2025 window (15/12/2024–14/12/2025) straddles the reorganisation, so it may use either, the new
one by default, and the codes of the other hierarchy still submit into it through `links`: the
crosswalk maps an old code onto new communes; the other way only the exact inverse is possible (a
new unit that is one whole old unit), because a new commune cannot be cut back into old ones.

Codes were reused: 3,316 of the 3,321 new commune codes were old commune codes, not always of the
same territory. A figure's code is therefore read with its *era*: `old` for a template made from the
3-level registry or a portal row dated before 1/7/2025, `new` for the 2-level registry or a row dated
from then on. A code that is a unit of the report's hierarchy and also a unit of the other one has
its other-era meaning in `UnitRegistry.dual`: an old commune split among new ones is split by shares
when its figure predates the merger, even though its code now names one of the new communes.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

import yaml

from core.config import Agency, ConfigError, Window, WorkspaceConfig
from core.errors import os_error_text
from core.resources import read_text, registry_text, shipped_registries

DISTRICTS_ABOLISHED = date(2025, 7, 1)
OLD_UNTIL = DISTRICTS_ABOLISHED - timedelta(days=1)
Hierarchy = Literal[2, 3]
NEW: Hierarchy = 2
OLD: Hierarchy = 3
NATION = "VN"
# A figure's era: which registry its unit code belongs to (see the module docstring). MIXED: a portal row whose
# period spans 1/7/2025, which a code with two meanings cannot place; None: not known (read as the report reads it).
OLD_ERA, NEW_ERA, MIXED_ERA = "old", "new", "mixed"
ERA_OF: dict[int, str] = {3: OLD_ERA, 2: NEW_ERA}

LEVEL_LABELS = {
    "country": "Toàn quốc",
    "province": "Tỉnh/Thành phố",
    "district": "Huyện/Thị xã/Thành phố thuộc tỉnh",
    "commune": "Xã/Phường/Thị trấn",
    "department": "Sở, ban, ngành",
    "press": "Cơ quan báo chí",
    "district_office": "Phòng chuyên môn cấp huyện",
}
_NEW_COMMUNE_TYPES = ("Đặc khu", "Phường", "Xã")


class UnknownProvinceError(ConfigError):
    """A province code the registry of the report's hierarchy does not have."""


class CrosswalkError(ConfigError):
    """`merge_weights` that do not match the crosswalk (a ConfigError, so the CLI shows the message, not a traceback)."""


class HierarchyError(ConfigError):
    """A hierarchy was requested for a window in which it did not exist."""


def era_of_period(start: date, end: date) -> str:
    """The era of a figure for [start, end]: old before 1/7/2025, new from then on, mixed across it."""
    if end < DISTRICTS_ABOLISHED:
        return OLD_ERA
    return NEW_ERA if start >= DISTRICTS_ABOLISHED else MIXED_ERA


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

    def valid_in(self, window: Window) -> bool:
        return (self.valid_from is None or self.valid_from <= window.end) and (
            self.valid_to is None or self.valid_to >= window.start)


@dataclass(frozen=True)
class Link:
    """Figures submitted under `source` count for report unit `target`, multiplied by `weight`.

    `partial` marks a share of a unit split among several new communes: an estimate, so reports flag it.
    """

    source: str
    target: str
    weight: float
    partial: bool


@dataclass(frozen=True)
class Dual:
    """A code that is a unit of the report's hierarchy and also a unit of the other one: `unit` is that other
    unit, and `links` where a figure of the other era under this code goes (empty: nowhere in this hierarchy)."""

    unit: Unit
    links: tuple[Link, ...]

    @property
    def same(self) -> bool:
        """Whether the other unit's figures go whole to the unit of the same code: then the era changes nothing."""
        return self.links == (Link(self.unit.code, self.unit.code, 1.0, False),)


@dataclass
class UnitRegistry:
    """The units of one province (or the whole country) under one hierarchy, with parent/child links.

    `units` is the hierarchy the report is written in. `outside` holds the units of the other
    hierarchy that belong to it during the window (old communes, districts and district offices
    under the new hierarchy; new communes under the old one): their files are accepted, and
    `links` says where their figures go; an empty tuple means they have no place in this hierarchy
    (a district's own figures when there are no districts). Every unit links to itself.
    """

    root: str
    units: dict[str, Unit]
    hierarchy: Hierarchy = OLD
    outside: dict[str, Unit] = field(default_factory=dict)
    links: dict[str, tuple[Link, ...]] = field(default_factory=dict)
    dual: dict[str, Dual] = field(default_factory=dict)  # reused codes read in the other era
    _children: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for unit in self.units.values():
            self.links.setdefault(unit.code, (Link(unit.code, unit.code, 1.0, False),))
            if unit.parent_code is not None:
                self._children.setdefault(unit.parent_code, []).append(unit.code)
        for codes in self._children.values():
            codes.sort()

    def __contains__(self, code: object) -> bool:
        return code in self.units or code in self.outside

    def get(self, code: str) -> Unit | None:
        """The unit a code stands for in this report: its own unit first, else one of `outside`."""
        return self.units.get(code) or self.outside.get(code)

    def __getitem__(self, code: str) -> Unit:
        """`get` for a code the registry must know: a KeyError names any other."""
        unit = self.get(code)
        if unit is None:
            raise KeyError(code)
        return unit

    def children(self, code: str) -> list[Unit]:
        return [self.units[c] for c in self._children.get(code, [])]

    @property
    def parents(self) -> set[str]:
        """Units that have children: their own figures are reconciled against the children, never added."""
        return set(self._children)

    def walk(self, code: str | None = None) -> Iterator[Unit]:
        """Depth-first pre-order from `code` (the root by default), children sorted by code."""
        stack = [code or self.root]
        while stack:
            current = stack.pop()
            yield self.units[current]
            stack.extend(reversed(self._children.get(current, [])))

    def of_levels(self, levels: list[str] | set[str]) -> list[Unit]:
        return [u for u in self.walk() if u.level in levels]

    @property
    def era(self) -> str:
        """The era of this hierarchy's own codes."""
        return ERA_OF[self.hierarchy]

    @property
    def other_era(self) -> str:
        return OLD_ERA if self.hierarchy == NEW else NEW_ERA

    @cached_property
    def reread(self) -> dict[str, Dual]:
        """The reused codes whose other-era figures go elsewhere than the unit of the same code. Kept once
        made (`dual` is set at construction): rebuilt on each of the report's thousands of lookups, it took
        100 s of a national report."""
        return {code: dual for code, dual in self.dual.items() if not dual.same}

    def name_in(self, code: str, era: str | None) -> str:
        """The name a code had in `era` ("" when unknown)."""
        if era == self.other_era and code in self.dual:
            return self.dual[code].unit.name
        unit = self.get(code)
        return unit.name if unit else ""


@dataclass(frozen=True)
class Merge:
    old: str
    new: str
    partial: bool


@dataclass
class Country:
    """Both national registries and the commune crosswalk, as published (see data/units/README.md)."""

    old: dict[str, Unit]
    new: dict[str, Unit]
    old_province: dict[str, str]  # old code → its old province
    new_province: dict[str, str]
    province_merges: dict[str, str]  # old province → the new province that absorbed it
    targets: dict[str, list[Merge]]  # old commune (or island district) → its new communes
    sources: dict[str, list[Merge]]  # new commune → the old units merged into it


class RegistryError(ConfigError):
    """A unit registry file that cannot be read (missing, corrupt, wrong shape): fix `registry:` or the file."""


def _read_json(directory: Path | None, name: str) -> dict:
    """A registry file: the shipped copy when `directory` is None, else `<directory>/<name>` (or `<name>.gz`)."""
    if directory is None:
        try:
            text = registry_text(name)
        except OSError as exc:
            raise RegistryError(f"Chương trình không kèm danh mục đơn vị «{name}»; các danh mục có sẵn: "
                                f"{', '.join(shipped_registries())}. Hãy sửa registry.file hoặc registry.merges, "
                                "hoặc khai báo registry.dir.") from exc
        return _decode(text, f"{name}.gz (kèm theo chương trình)")
    if not directory.is_dir():
        what = "không tồn tại" if not directory.exists() else "là một tệp, không phải thư mục"
        raise RegistryError(f"Thư mục danh mục đơn vị «{directory}» (registry.dir trong workspace.yaml) {what}.")
    if not os.access(directory, os.R_OK | os.X_OK):
        raise RegistryError(f"Không có quyền đọc thư mục danh mục đơn vị «{directory}» (registry.dir).")
    path = directory / name
    packed = directory / f"{name}.gz"
    if not path.is_file() and not packed.is_file():
        raise RegistryError(f"Không tìm thấy danh mục đơn vị «{name}» (hay «{name}.gz») trong thư mục «{directory}»: "
                            "kiểm tra registry.dir, registry.file và registry.merges trong workspace.yaml.")
    source = path if path.is_file() else packed
    try:
        raw = source.read_bytes()
        text = (gzip.decompress(raw) if source is packed else raw).decode("utf-8")
    except OSError as exc:
        hint = "tệp nén gzip bị hỏng hoặc không đầy đủ" if isinstance(exc, gzip.BadGzipFile) else os_error_text(exc)
        raise RegistryError(f"Không đọc được danh mục đơn vị «{source}»: {hint}.") from exc
    except (EOFError, zlib.error) as exc:
        raise RegistryError(f"Không đọc được danh mục đơn vị «{source}»: tệp nén gzip bị hỏng hoặc không đầy đủ.") from exc
    except UnicodeDecodeError as exc:
        raise RegistryError(f"Danh mục đơn vị «{source}» không phải văn bản UTF-8 (byte lỗi ở vị trí {exc.start}).") from exc
    return _decode(text, str(source))


def _decode(text: str, source: str) -> dict:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RegistryError(f"Danh mục đơn vị «{source}» không phải JSON hợp lệ (lỗi ở dòng {exc.lineno}, cột "
                            f"{exc.colno}): hãy tải lại tệp danh mục.") from exc
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise RegistryError(f"Danh mục đơn vị «{source}» không đúng cấu trúc: cần một đối tượng JSON có danh sách "
                            "«data» (xem core/data/units/README.md).")
    return data


@contextmanager
def _shape(source: str) -> Iterator[None]:
    """A record without the fields the registry format has (KeyError, TypeError) names the file, not a line of ours."""
    try:
        yield
    except (KeyError, TypeError, AttributeError) as exc:
        missing = f"thiếu trường «{exc.args[0]}»" if isinstance(exc, KeyError) else "có bản ghi sai kiểu dữ liệu"
        raise RegistryError(f"Danh mục đơn vị «{source}» không đúng cấu trúc: {missing} "
                            "(xem core/data/units/README.md).") from exc


@lru_cache(maxsize=4)
def load_country(directory: Path | None, old_file: str, merges_file: str) -> Country:
    old: dict[str, Unit] = {}
    old_province: dict[str, str] = {}
    with _shape(old_file):
        _old_units(_read_json(directory, old_file), old, old_province)
    new: dict[str, Unit] = {}
    new_province: dict[str, str] = {}
    province_merges: dict[str, str] = {}
    targets: dict[str, list[Merge]] = {}
    sources: dict[str, list[Merge]] = {}
    with _shape(merges_file):
        for p in _read_json(directory, merges_file)["data"]:
            pc = p["level1_id"]
            kind = "Thành phố" if p["name"].startswith("Thành phố") else "Tỉnh"
            new[pc] = Unit(pc, p["name"], "province", None, kind, DISTRICTS_ABOLISHED)
            new_province[pc] = pc
            province_merges |= {m["old_id"]: pc for m in p["merges"]}
            for c in p["level2s"]:
                code = c["level2_id"]
                kind = next((t for t in _NEW_COMMUNE_TYPES if c["name"].startswith(t)), "Xã")
                new[code] = Unit(code, c["name"], "commune", pc, kind, DISTRICTS_ABOLISHED)
                new_province[code] = pc
                for m in c["merges"]:
                    merge = Merge(m["old_id"], code, m["type"] == "partial")
                    targets.setdefault(merge.old, []).append(merge)
                    sources.setdefault(code, []).append(merge)
    return Country(old, new, old_province, new_province, province_merges, targets, sources)


def _old_units(data: dict, old: dict[str, Unit], old_province: dict[str, str]) -> None:
    for p in data["data"]:
        pc = p["level1_id"]
        old[pc] = Unit(pc, p["name"], "province", None, p["type"], None, OLD_UNTIL)
        old_province[pc] = pc
        for d in p["level2s"]:
            old[d["level2_id"]] = Unit(d["level2_id"], d["name"], "district", pc, d["type"], None, OLD_UNTIL)
            old_province[d["level2_id"]] = pc
            for c in d["level3s"]:
                old[c["level3_id"]] = Unit(c["level3_id"], c["name"], "commune", d["level2_id"], c["type"], None,
                                           OLD_UNTIL)
                old_province[c["level3_id"]] = pc


def report_hierarchy(window: Window, choice: Hierarchy | None = None) -> Hierarchy:
    """The hierarchy valid in the window; a window straddling 1/7/2025 takes `choice`, the new one by default."""
    if window.end < DISTRICTS_ABOLISHED:
        return OLD
    if window.start >= DISTRICTS_ABOLISHED:
        return NEW
    return choice or NEW


def _shares(old_code: str, merges: list[Merge], configured: dict[str, dict[str, float]]) -> dict[str, float]:
    """Equal shares unless configured: every new commune gets 1/n of an old one split n ways."""
    given = configured.get(old_code)
    if given is None:
        return {m.new: 1 / len(merges) for m in merges}
    expected = {m.new for m in merges}
    if not all(m.partial for m in merges) or set(given) != expected:
        raise CrosswalkError(f"merge_weights: mã cũ {old_code} được chia cho {', '.join(sorted(expected))} "
                             f"({'một phần' if all(m.partial for m in merges) else 'sáp nhập toàn bộ'}); "
                             f"tỷ lệ khai báo cho {', '.join(sorted(given))} không khớp.")
    return given


def _split(old_code: str, merges: list[Merge], weights: dict[str, dict[str, float]], units: dict[str, Unit]
           ) -> tuple[Link, ...]:
    """Where an old unit's figures go among the report's units: whole for a full merge, by share for a split. A
    configured share of 0 drops a new commune the registry lists but that got none of it; a configured share of 1
    is then a fact, not an estimate."""
    if not merges:
        return ()
    share = _shares(old_code, merges, weights)
    configured = old_code in weights
    return tuple(Link(old_code, m.new, share[m.new], m.partial and not (configured and share[m.new] == 1))
                 for m in merges if m.new in units and share[m.new] > 0)


def _with_ancestors(codes: Iterable[str], units: dict[str, Unit]) -> set[str]:
    out: set[str] = set()
    for code in codes:
        current: str | None = code
        while current is not None and current not in out:
            out.add(current)
            current = units[current].parent_code
    return out


def build_registry(country: Country, hierarchy: Hierarchy, province: str | None, window: Window, *,
                   agencies: Iterable[Agency] = (), weights: dict[str, dict[str, float]] | None = None) -> UnitRegistry:
    """The units of `province` (None: the whole country under a `VN` root) in `hierarchy` for `window`.

    Under the new hierarchy the old units come from wherever the crosswalk says: a new province
    draws communes from several old ones, so membership follows each old code's new communes.
    A code that is valid in the report hierarchy always means that unit: old codes were reused as
    new ones (3,316 times), and a file under a reused code is read as the new unit.
    """
    weights = weights or {}
    unknown = sorted(set(weights) - set(country.targets))
    if unknown:
        raise CrosswalkError(f"merge_weights: mã cũ {', '.join(unknown)} không có trong bảng sáp nhập.")
    own, own_province = (country.new, country.new_province) if hierarchy == NEW else (country.old, country.old_province)
    if province is None:
        root = Unit(NATION, "Toàn quốc", "country", None, "Quốc gia")
        units = {NATION: root} | {c: replace(u, parent_code=NATION) if u.level == "province" else u
                                  for c, u in own.items()}
    else:
        if own.get(province) is None or own[province].level != "province":
            raise UnknownProvinceError(_unknown_province(country, hierarchy, province))
        units = {c: u for c, u in own.items() if own_province[c] == province}
    root_code = province or NATION
    if hierarchy == NEW:
        links, outside = _old_into_new(country, units, window, weights)
    else:
        links, outside = _new_into_old(country, units, window)
    for a in agencies:
        parent = a.parent or root_code
        if hierarchy == NEW and a.kind != "district_office" and country.province_merges.get(parent) in units:
            parent = country.province_merges[parent]  # a department of an absorbed province joins the new one
        home = units.get(parent) or outside.get(parent)
        if home is None:
            continue
        unit = Unit(a.code, a.name, a.kind, parent, LEVEL_LABELS[a.kind])
        if a.kind == "district_office":
            unit = replace(unit, valid_to=home.valid_to)  # an office closes with its district
        if parent in units:
            units[a.code] = unit
        else:  # a district office under the new hierarchy: its files are accepted but have no place
            outside[a.code] = unit
    for code in outside:
        links.setdefault(code, ())
    dual = _dual(country, hierarchy, units, window, weights)
    return UnitRegistry(root=root_code, units=units, hierarchy=hierarchy, outside=outside, links=links, dual=dual)


def _dual(country: Country, hierarchy: Hierarchy, units: dict[str, Unit], window: Window,
          weights: dict[str, dict[str, float]]) -> dict[str, Dual]:
    """The report units whose code also names a unit of the other registry valid in the window, with where a
    figure of that other unit goes."""
    out: dict[str, Dual] = {}
    other = country.old if hierarchy == NEW else country.new
    for code in sorted(set(units) & set(other)):
        unit = other[code]
        if not unit.valid_in(window):
            continue
        links: tuple[Link, ...]
        if hierarchy == NEW:
            if unit.level == "province":
                into = country.province_merges.get(code, code)
                links = (Link(code, into, 1.0, False),) if into in units else ()
            else:
                merges = country.targets.get(code, [])
                links = _split(code, merges, weights, units)
        elif unit.level == "province":
            links = (Link(code, code, 1.0, False),)
        else:
            merges = country.sources.get(code, [])
            exact = len(merges) == 1 and not merges[0].partial and merges[0].old in units
            links = (Link(code, merges[0].old, 1.0, False),) if exact else ()
        out[code] = Dual(unit, links)
    return out


def _old_into_new(country: Country, units: dict[str, Unit], window: Window, weights: dict[str, dict[str, float]]
                  ) -> tuple[dict[str, tuple[Link, ...]], dict[str, Unit]]:
    """Under the new hierarchy: each old code valid in the window → its new communes here, with shares."""
    links: dict[str, tuple[Link, ...]] = {}
    for old_code, merges in country.targets.items():
        old_unit = country.old.get(old_code)
        inside = [m for m in merges if m.new in units]
        if old_code in units or old_unit is None or not inside or not old_unit.valid_in(window):
            continue
        links[old_code] = _split(old_code, merges, weights, units)
    return links, {c: country.old[c] for c in _with_ancestors(links, country.old) if c not in units}


def _new_into_old(country: Country, units: dict[str, Unit], window: Window
                  ) -> tuple[dict[str, tuple[Link, ...]], dict[str, Unit]]:
    """Under the old hierarchy: a new commune that is exactly one old one maps back; any other has no place."""
    links: dict[str, tuple[Link, ...]] = {}
    outside: dict[str, Unit] = {}
    for new_code, merges in country.sources.items():
        new_unit = country.new[new_code]
        if new_code in units or not new_unit.valid_in(window) or not any(m.old in units for m in merges):
            continue
        exact = len(merges) == 1 and not merges[0].partial
        links[new_code] = (Link(new_code, merges[0].old, 1.0, False),) if exact else ()
        outside[new_code] = new_unit
    return links, outside


def _unknown_province(country: Country, hierarchy: Hierarchy, province: str) -> str:
    if hierarchy == NEW and province in country.province_merges:
        into = country.province_merges[province]
        return (f"Mã tỉnh {province} không còn từ 01/07/2025: đã hợp nhất vào {into} – {country.new[into].name}. "
                f"Hãy đặt province: \"{into}\", hoặc hierarchy: 3 để báo cáo theo hệ thống 3 cấp.")
    listing = "danh mục 3 cấp (01/03/2025)" if hierarchy == OLD else "danh mục 2 cấp (01/07/2025)"
    return f"Mã tỉnh {province} không có trong {listing}."


def _country(config: WorkspaceConfig) -> Country:
    return load_country(config.registry.dir, config.registry.file, config.registry.merges)


def default_agencies(province: str, province_name: str, district_codes: list[str]) -> list[Agency]:
    """The demo's realistic default list of departments, press and district offices."""
    spec = yaml.safe_load(read_text("agencies.yaml"))
    short = province_name.removeprefix("Tỉnh ").removeprefix("Thành phố ")
    agencies = [
        Agency(code=a["code"].format(p=province), name=a["name"].format(name=short), kind=a["kind"], parent=province)
        for a in spec["province"]
    ]
    for d in district_codes:
        agencies += [Agency(code=a["code"].format(d=d), name=a["name"], kind=a["kind"], parent=d) for a in spec["district"]]
    return agencies


def province_name(config: WorkspaceConfig) -> str:
    if config.province == NATION:
        return LEVEL_LABELS["country"]
    country = _country(config)
    hierarchy = report_hierarchy(config.report_window, config.hierarchy)
    unit = (country.new if hierarchy == NEW else country.old).get(config.province)
    if unit is None or unit.level != "province":
        raise UnknownProvinceError(_unknown_province(country, hierarchy, config.province))
    return unit.name


def registry_names(config: WorkspaceConfig) -> dict[str, str]:
    """era → the name of the registry its codes come from (the template records it, `era_of_registry` reads it)."""
    return {OLD_ERA: config.registry.file.removesuffix(".json"), NEW_ERA: config.registry.merges.removesuffix(".json")}


def registry_label(config: WorkspaceConfig, hierarchy: Hierarchy) -> str:
    """What the template's «Danh mục đơn vị» row says: the registry's name first, then what it is."""
    era = ERA_OF[hierarchy]
    what = "3 cấp, đến 30/06/2025" if hierarchy == OLD else "2 cấp, từ 01/07/2025"
    return f"{registry_names(config)[era]} ({what})"


def era_of_registry(config: WorkspaceConfig, text: str | None) -> str | None:
    """The era a template's «Danh mục đơn vị» names; None when it names no registry of this workspace."""
    first = (text or "").strip().split(" ")[0]
    return next((era for era, name in registry_names(config).items() if first == name), None)


def unit_registry_label(unit: Unit, window: Window, config: WorkspaceConfig) -> str:
    """The registry a unit's code comes from, as its template records it: an old unit's is the 3-level
    registry, a new commune's the 2-level one, an agency's (whose code is ours) the one valid in the window."""
    if unit.valid_to == OLD_UNTIL:
        return registry_label(config, OLD)
    if unit.valid_from == DISTRICTS_ABOLISHED:
        return registry_label(config, NEW)
    return registry_label(config, report_hierarchy(window, config.hierarchy))


def history_registry(config: WorkspaceConfig, hierarchy: Hierarchy) -> UnitRegistry:
    """The province's units in `hierarchy` for the window of `config`'s year, even a window in which they did
    not exist yet: an earlier year's figures placed onto this year's units through the crosswalk."""
    province = None if config.province == NATION else config.province
    return build_registry(_country(config), hierarchy, province, config.report_window, agencies=config.agencies,
                          weights=config.merge_weights)


def load_registry(config: WorkspaceConfig, hierarchy: Hierarchy | None = None) -> UnitRegistry:
    """The province's units for the report window: `hierarchy` if given (it must have existed in the
    window), else the configured choice, which only matters for a window straddling 1/7/2025."""
    window = config.report_window
    chosen = report_hierarchy(window, hierarchy or config.hierarchy)
    if hierarchy is not None and chosen != hierarchy:
        raise HierarchyError(f"Kỳ báo cáo {window.start:%d/%m/%Y} – {window.end:%d/%m/%Y} không dùng được hệ thống "
                             f"{hierarchy} cấp: hệ thống đơn vị hành chính trong kỳ này là {chosen} cấp.")
    province = None if config.province == NATION else config.province
    return build_registry(_country(config), chosen, province, window, agencies=config.agencies,
                          weights=config.merge_weights)
