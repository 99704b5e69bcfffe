"""The portal stage: read `portal/`, compute the portal indicators for the window, store them.

Recomputed from every export in the folder on each run, so a corrected export simply replaces
the figures; each file is archived under its sha256 first, like unit submissions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from core.config import Window, load_config
from core.progress import Stopwatch
from core.units import UnitRegistry, load_registry
from extract.inbox import archive_file
from extract.portal import read_portal_folder
from load.warehouse import Warehouse, connect, warehouse_url
from transform.portal import portal_measures


@dataclass
class PortalSummary:
    files: int
    unreadable: list[str]
    facts: int
    problems: int
    unknown_agencies: int
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, for IT and bench/
    unreadable_reasons: list[str] = field(default_factory=list)  # "file: why", one per unreadable export

    def to_dict(self) -> dict:
        return self.__dict__ | {"timings": {k: round(v, 3) for k, v in self.timings.items()}}


@dataclass
class PortalFigures:
    """The portal's indicators for one window, with every problem and unknown agency."""

    facts: pd.DataFrame
    problems: pd.DataFrame
    unknown: pd.DataFrame
    files: int
    unreadable: list[str]
    reasons: list[str] = field(default_factory=list)  # "file: why", in the order of `unreadable`


def portal_figures(folder: Path, window: Window, registry: UnitRegistry) -> PortalFigures:
    """Compute the portal indicators of every export in `folder` for `window`.

    Codes of the other hierarchy are known too (an export from before 1/7/2025 names old communes
    and districts): the report places them through the crosswalk, like files.
    """
    exports, errors = read_portal_folder(folder) if folder.is_dir() else ([], [])
    result = portal_measures(exports, window.start, window.end, set(registry.units) | set(registry.outside))
    unreadable = pd.DataFrame([{"file": e.source.name, "message": str(e), "rule": "unreadable", "excluded": True}
                               for e in errors])
    problems = pd.concat([result.problems_frame(), unreadable], ignore_index=True) if errors else \
        result.problems_frame()
    return PortalFigures(result.facts, problems, result.unknown_agencies, len(exports) + len(errors),
                         [e.source.name for e in errors], [f"{e.source.name}: {e}" for e in errors])


def ingest_portal(workspace: Path, year: int | None = None) -> PortalSummary:
    workspace = Path(workspace)
    config = load_config(workspace)
    if year is not None and year != config.year:
        config = config.for_year(year)
    timings: dict[str, float] = {}
    clock = Stopwatch(timings)
    folder = workspace / "portal"
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        if path.is_file() and not path.is_symlink():
            archive_file(path, workspace / "archive" / "portal", link=True)
    clock.lap("portal_archive")
    figures = portal_figures(folder, config.report_window, load_registry(config))
    clock.lap("portal_aggregate")
    wh = Warehouse(connect(warehouse_url(workspace, config.warehouse_url)))
    wh.replace_portal(config.year, figures.facts, figures.problems, figures.unknown)
    clock.lap("portal_load")
    return PortalSummary(figures.files, figures.unreadable, len(figures.facts), len(figures.problems),
                         len(figures.unknown), timings, figures.reasons)
