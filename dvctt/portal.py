"""The portal stage: read `portal/`, compute the portal indicators for the window, store them.

Recomputed from every export in the folder on each run, so a corrected export simply replaces
the figures; each file is archived under its sha256 first, like unit submissions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dvctt.config import load_config
from dvctt.units import load_registry
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

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def ingest_portal(workspace: Path, year: int | None = None) -> PortalSummary:
    workspace = Path(workspace)
    config = load_config(workspace)
    if year is not None and year != config.year:
        config = config.for_year(year)
    folder = workspace / "portal"
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        if path.is_file() and not path.is_symlink():
            archive_file(path, workspace / "archive" / "portal")
    exports, errors = read_portal_folder(folder) if folder.is_dir() else ([], [])
    window = config.report_window
    known = set(load_registry(config).units)
    result = portal_measures(exports, window.start, window.end, known)
    unreadable = pd.DataFrame([{"file": e.source.name, "message": str(e), "rule": "unreadable", "excluded": True}
                               for e in errors])
    problems = pd.concat([result.problems_frame(), unreadable], ignore_index=True) if errors else \
        result.problems_frame()
    wh = Warehouse(connect(warehouse_url(workspace, config.warehouse_url)))
    wh.replace_portal(config.year, result.facts, problems, result.unknown_agencies)
    return PortalSummary(len(exports) + len(errors), [e.source.name for e in errors], len(result.facts),
                         len(problems), len(result.unknown_agencies))
