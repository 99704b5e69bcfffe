"""The pipeline's entry points, shared by the CLI and the Airflow DAGs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dvctt.catalogue import load_catalogue
from dvctt.config import WorkspaceConfig, load_config
from dvctt.intake import IngestSummary, ingest
from dvctt.units import load_registry
from load.warehouse import Warehouse, connect, warehouse_url
from report import ReportInputs, write_report
from transform import rollup, unit_status

__all__ = ["IngestSummary", "ReportResult", "build_report", "ingest", "report_path"]


@dataclass
class ReportResult:
    path: Path
    year: int
    units_reported: int
    units_expected: int

    def to_dict(self) -> dict:
        return {"path": str(self.path), "year": self.year, "units_reported": self.units_reported,
                "units_expected": self.units_expected}


def report_path(workspace: Path, config: WorkspaceConfig) -> Path:
    return Path(workspace) / "outbox" / str(config.year) / f"bao_cao_dvctt_{config.province}_{config.year}.xlsx"


def build_report(workspace: Path, year: int | None = None, *, progress: bool = False) -> ReportResult:
    """Consolidate the current submissions for `year` (the configured year by default) into the workbook."""
    workspace = Path(workspace)
    config = load_config(workspace)
    if year is not None and year != config.year:
        config = config.for_year(year)
    catalogue = load_catalogue()
    registry = load_registry(config)
    wh = Warehouse(connect(warehouse_url(workspace, config.warehouse_url)))
    data = rollup(registry, wh.current_facts(config.year), catalogue)
    status = unit_status(registry, wh.first_arrivals(config.year), config)
    inputs = ReportInputs(config, registry, catalogue, data, status, wh.current_texts(config.year),
                          wh.sources(config.year), wh.quarantined())
    path = write_report(inputs, report_path(workspace, config))
    reported = int((status["status"] != "Chưa nộp").sum())
    return ReportResult(path, config.year, reported, len(status))
