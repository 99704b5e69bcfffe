"""The pipeline's entry points, shared by the CLI and the Airflow DAGs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dvctt.catalogue import load_catalogue
from dvctt.config import WorkspaceConfig, load_config
from dvctt.intake import IngestSummary, ingest
from dvctt.units import Hierarchy, load_registry, province_name
from load.warehouse import Warehouse, connect, warehouse_url
from report import ReportInputs, current_warnings, write_report
from transform import rollup, unit_status

__all__ = ["IngestSummary", "ReportResult", "build_report", "deliver_report", "ingest", "report_path"]


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


def build_report(workspace: Path, year: int | None = None, *, hierarchy: Hierarchy | None = None,
                 progress: bool = False) -> ReportResult:
    """Consolidate the current submissions for `year` (the configured year by default) into the workbook.

    `hierarchy` (2 or 3) overrides the configured one for a window straddling 1/7/2025.
    """
    workspace = Path(workspace)
    config = load_config(workspace)
    if year is not None and year != config.year:
        config = config.for_year(year)
    catalogue = load_catalogue()
    registry = load_registry(config, hierarchy)
    wh = Warehouse(connect(warehouse_url(workspace, config.warehouse_url)))
    data = rollup(registry, wh.current_facts(config.year), catalogue)
    status = unit_status(registry, wh.first_arrivals(config.year), config)
    inputs = ReportInputs(config, registry, catalogue, data, status, wh.current_texts(config.year),
                          wh.sources(config.year), wh.quarantined(), current_warnings(wh.engine, config.year))
    path = write_report(inputs, report_path(workspace, config))
    reported = int((status["status"] != "Chưa nộp").sum())
    return ReportResult(path, config.year, reported, len(status))


def deliver_report(workspace: Path, year: int | None = None) -> list[str]:
    """E-mail the workbook already in outbox/ to the configured recipients; returns who got it."""
    from report.delivery import report_body, report_subject, send_report

    config = load_config(Path(workspace))
    if year is not None and year != config.year:
        config = config.for_year(year)
    path = report_path(workspace, config)
    if not path.is_file():
        raise FileNotFoundError(f"Chưa có tệp báo cáo {path}: hãy chạy `dvctt report` trước khi gửi.")
    area, window = province_name(config), config.report_window
    body = report_body(area=area, year=config.year, lead_agency=config.lead_agency, start=window.start,
                       end=window.end, file_name=path.name)
    send_report(path, config.recipients, config.smtp, report_subject(area, config.year), body)
    return list(config.recipients)
