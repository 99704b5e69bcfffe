"""`dvctt template --all`: every expected unit's template in the outbox, and every unit's inbox folder.

The templates go to `outbox/bieu_mau/<year>/bieu_mau_dvctt_<unit>_<year>.xlsx`, the name reminders
attach them under, ready to be sent or put on the shared drive. A unit can only submit through
`inbox/<unit>/`, so every unit expected to report gets its folder, including in a workspace set up by
hand. Running it again changes nothing that is already right: a template is rewritten only when its
content changed (a new catalogue or unit name), and an existing folder and whatever a unit put in it
are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.catalogue import with_overrides
from core.config import load_config
from core.files import make_dirs
from core.progress import progress_bar
from core.units import Unit, load_registry
from report.xlsx import atomic_write_bytes, workbook_bytes
from templates.submission import build_template, template_name

TEMPLATES_DIR = Path("outbox") / "bieu_mau"


@dataclass
class Distribution:
    folder: Path  # where the templates are
    units: int  # units expected to report
    written: int  # templates new or changed
    unchanged: int
    inbox_created: int  # unit folders created under inbox/

    def to_dict(self) -> dict[str, object]:
        return {"folder": str(self.folder), "units": self.units, "written": self.written,
                "unchanged": self.unchanged, "inbox_created": self.inbox_created}


def create_inbox(workspace: Path, units: list[Unit]) -> int:
    """`inbox/<unit>/` for each of `units` that has none; returns how many were created."""
    inbox = Path(workspace) / "inbox"
    missing = [inbox / u.code for u in units if not (inbox / u.code).is_dir()]
    for folder in missing:
        make_dirs(folder)
    return len(missing)


def distribute(workspace: Path, year: int | None = None, *, progress: bool = False) -> Distribution:
    """Write the prefilled template of every unit expected to report in `year`, and their inbox folders."""
    workspace = Path(workspace)
    config = load_config(workspace)
    if year is not None and year != config.year:
        config = config.for_year(year)
    units = load_registry(config).of_levels(set(config.reporting_levels))
    catalogue = with_overrides(config.catalogue)
    folder = workspace / TEMPLATES_DIR / str(config.year)
    written = 0
    for unit in progress_bar(units, "Ghi biểu mẫu", enabled=progress):
        path = folder / template_name(unit.code, config.year)
        data = workbook_bytes(build_template(unit, config.year, config.report_window, catalogue, config=config))
        if not path.is_file() or path.read_bytes() != data:
            atomic_write_bytes(path, data)
            written += 1
    make_dirs(folder)  # also when no unit is expected, so the command always shows where templates go
    return Distribution(folder, len(units), written, len(units) - written, create_inbox(workspace, units))
