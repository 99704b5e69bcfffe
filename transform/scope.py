"""What one report covers (issue 6: any unit, on demand, for any date range).

By default a report covers the workspace's whole area, in the hierarchy valid in the yearly
window. A scope narrows it to one unit's subtree, names the other hierarchy of a window that
straddles 1/7/2025, or sets an ad hoc (đột xuất) window. Each scope gets its own file name, so
a district's report or a half-year report never overwrites the province's yearly one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
from pydantic import ValidationError

from core.config import ConfigError, Window, WorkspaceConfig
from core.units import NEW, OLD, Dual, Hierarchy, UnitRegistry, report_hierarchy


class UnknownUnitError(ConfigError):
    """The requested unit is not in the report's registry (a ConfigError: the CLI shows the message)."""


@dataclass(frozen=True)
class ReportScope:
    """The parts of a report that differ from the default yearly report of the whole workspace.

    Each field is None when it is the default, so that equal reports get equal names.
    """

    unit: str | None = None
    hierarchy: Hierarchy | None = None
    window: Window | None = None

    @classmethod
    def of(cls, config: WorkspaceConfig, *, unit: str | None = None, hierarchy: Hierarchy | None = None,
           window: Window | None = None) -> ReportScope:
        """Normalise a request: the workspace's own root, the default window and the window's own
        hierarchy are the default report, not a scope."""
        window = None if window is None or window == config.report_window else window
        usual = report_hierarchy(window or config.report_window, config.hierarchy)
        return cls(None if unit == config.province else unit, None if hierarchy == usual else hierarchy, window)

    def file_suffix(self) -> str:
        """`_dv105`, `_3cap`, `_20250101-20250630`: one part per non-default field, in that order."""
        parts = [f"_dv{self.unit}" if self.unit else "", f"_{self.hierarchy}cap" if self.hierarchy else ""]
        if self.window:
            parts.append(f"_{self.window.start:%Y%m%d}-{self.window.end:%Y%m%d}")
        return "".join(parts)


def ad_hoc_window(config: WorkspaceConfig, date_from: date | None, date_to: date | None) -> Window | None:
    """The window an ad hoc request asks for: a missing end keeps the yearly window's."""
    if date_from is None and date_to is None:
        return None
    default = config.report_window
    try:
        return Window(start=date_from or default.start, end=date_to or default.end)
    except ValidationError:
        start, end = date_from or default.start, date_to or default.end
        raise ConfigError(f"Kỳ báo cáo không hợp lệ: ngày kết thúc {end:%d/%m/%Y} trước ngày bắt đầu "
                          f"{start:%d/%m/%Y}.") from None


def with_window(config: WorkspaceConfig, window: Window) -> WorkspaceConfig:
    """The configuration of an ad hoc report: its window, and no deadline after the window's end
    (a file that arrived after the period closed was late for a report on that period)."""
    deadlines = {level: min(config.deadline_for(level), window.end) for level in config.reporting_levels}
    return config.model_copy(update={"window": window, "deadlines": deadlines})


def subtree(registry: UnitRegistry, code: str) -> UnitRegistry:
    """The registry of `code`'s subtree, with `code` as its root.

    Codes of the other hierarchy come along when their figures go into the subtree, or when they have
    no place and sit under a code that does (an old district whose communes merged into the subtree,
    and that district's offices), so the scoped report lists their files as the whole one would.
    """
    unit = registry.units.get(code)
    if unit is None:
        other = registry.get(code)
        if other is not None:
            alternative = OLD if registry.hierarchy == NEW else NEW
            raise UnknownUnitError(f"Đơn vị {code} ({other.name}) không có trong hệ thống {registry.hierarchy} cấp "
                                   f"dùng cho kỳ báo cáo này: hãy chọn hệ thống {alternative} cấp (--hierarchy "
                                   f"{alternative}) nếu kỳ báo cáo cho phép.")
        raise UnknownUnitError(f"Mã đơn vị «{code}» không có trong danh mục đơn vị của báo cáo "
                               f"({registry.units[registry.root].name}).")
    units = {u.code: u for u in registry.walk(code)} | {code: replace(unit, parent_code=None)}  # in walk order
    inside = set(units)
    links = {source: kept for source, all_links in registry.links.items() if source in registry.outside
             and (kept := tuple(link for link in all_links if link.target in inside))}
    belong = set(links)
    for source in list(belong):  # the old district above an old commune that merged into the subtree
        parent = registry[source].parent_code
        while parent in registry.outside and parent not in belong:
            belong.add(parent)
            parent = registry.outside[parent].parent_code
    home = inside | belong
    for stray in sorted(c for c in registry.outside if not registry.links.get(c) and c not in belong):
        # a code with no place anywhere (a district office) belongs where its parent does
        if registry.outside[stray].parent_code in home:
            belong.add(stray)
    dual = {c: Dual(d.unit, tuple(link for link in d.links if link.target in inside))
            for c, d in registry.dual.items() if c in inside}
    return UnitRegistry(root=code, units=units, hierarchy=registry.hierarchy,
                        outside={c: registry.outside[c] for c in sorted(belong)},
                        links={c: links.get(c, ()) for c in sorted(belong)}, dual=dual)


def within(frame: pd.DataFrame, registry: UnitRegistry, column: str = "unit_code") -> pd.DataFrame:
    """The rows of `frame` about a code of the (scoped) registry."""
    return frame[frame[column].isin(registry.units.keys() | registry.outside.keys())].reset_index(drop=True)
