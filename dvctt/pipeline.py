"""The pipeline's entry points, shared by the CLI and the Airflow DAGs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from core import clock as wall_clock
from core.catalogue import Catalogue, with_overrides
from core.clock import vn_wall
from core.config import YEAR_MIN, ConfigError, Window, WorkspaceConfig, load_config
from core.layout import PLAN_TEXT
from core.progress import Stopwatch
from core.units import Hierarchy, UnitRegistry, history_registry, load_registry, province_name
from dvctt.inbox_check import ingest  # GX and pandas are imported only when a file is new
from load.warehouse import Warehouse, connect, warehouse_url
from report.document import DRAFT, FINAL, DocumentMeta, document_path, write_document
from report.workbook import History, ReportInputs, write_report
from transform import portal_sourced, reconcile, rollup, split_list, unit_status, unplaced_list
from transform.completeness import MISSING
from transform.history import coverage, year_on_year
from transform.scope import ReportScope, ad_hoc_window, subtree, with_window, within
from transform.tasks import task_statuses

__all__ = ["ReportResult", "build_report", "deliver_report", "ingest", "report_path"]


@dataclass
class ReportResult:
    path: Path
    year: int
    units_reported: int
    units_expected: int
    unit: str  # the report's root: the workspace's province, or the unit it was narrowed to
    hierarchy: int
    window: Window
    ad_hoc: bool
    document: Path  # the Báo cáo (.docx) beside the workbook
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, for IT and bench/

    def to_dict(self) -> dict:
        return {"path": str(self.path), "year": self.year, "units_reported": self.units_reported,
                "units_expected": self.units_expected, "unit": self.unit, "hierarchy": self.hierarchy,
                "window": {"start": self.window.start.isoformat(), "end": self.window.end.isoformat()},
                "ad_hoc": self.ad_hoc, "document": str(self.document),
                "timings": {k: round(v, 3) for k, v in self.timings.items()}}


def report_path(workspace: Path, config: WorkspaceConfig, *, unit: str | None = None,
                hierarchy: Hierarchy | None = None, window: Window | None = None) -> Path:
    """`outbox/<year>/bao_cao_dvctt_<province>_<year>.xlsx` for the yearly report of the whole workspace;
    a narrower unit, the other hierarchy or an ad hoc window each add a part to the name (transform.scope),
    so that one report never overwrites another."""
    suffix = ReportScope.of(config, unit=unit, hierarchy=hierarchy, window=window).file_suffix()
    return Path(workspace) / "outbox" / str(config.year) / f"bao_cao_dvctt_{config.province}_{config.year}{suffix}.xlsx"


def build_report(workspace: Path, year: int | None = None, *, hierarchy: Hierarchy | None = None,
                 unit: str | None = None, date_from: date | None = None, date_to: date | None = None,
                 progress: bool = False, produced_at: datetime | None = None, final: bool = False) -> ReportResult:
    """Consolidate the current submissions for `year` (the configured year by default) into the workbook.

    `hierarchy` (2 or 3) overrides the configured one for a window straddling 1/7/2025. `unit` narrows the
    report to that unit's subtree (a district, or a province of a national workspace), with its own
    completeness; only its rows are read from the warehouse. `date_from`/`date_to` set an ad hoc (đột
    xuất) window: the portal's figures are computed for it from the exports in `portal/`, and the units
    expected and their deadlines follow it; unit files are yearly, so their figures are the year's current
    ones, as the workbook says. The Báo cáo (.docx) is written beside the workbook. `produced_at` (the run's clock
    by default) and `final` (a draft by default) are printed on every page of both: they are inputs, so the same
    warehouse, time and kind give the same bytes.
    """
    workspace = Path(workspace).resolve()
    produced_at = produced_at or wall_clock.now()  # through the module, so a test can set the clock
    timings: dict[str, float] = {}
    clock = Stopwatch(timings)
    config = load_config(workspace)
    if year is not None and year != config.year:
        config = config.for_year(year)
        if problem := config.deadline_problem():  # workspace.yaml's window was for its own year
            raise ConfigError(f"Không lập được báo cáo năm {year}: {problem}.")
    scope = ReportScope.of(config, unit=unit, hierarchy=hierarchy, window=ad_hoc_window(config, date_from, date_to))
    period = with_window(config, scope.window) if scope.window else config
    catalogue = with_overrides(config.catalogue)
    whole = load_registry(period, hierarchy)
    registry = subtree(whole, scope.unit) if scope.unit else whole
    codes = registry.units.keys() | registry.outside.keys() if scope.unit else None
    wh = Warehouse(connect(warehouse_url(workspace, config.warehouse_url)))
    # Units never report the portal's indicators (no template carries them): those come from the portal alone.
    facts = wh.current_facts(config.year, codes)
    facts = facts[~facts["indicator_code"].isin(portal_sourced(catalogue))]
    if scope.window:
        from dvctt.portal import portal_figures

        figures = portal_figures(workspace / "portal", scope.window, whole)
        portal, problems, unknown = within(figures.facts, registry), figures.problems, figures.unknown
    else:
        portal = wh.portal_facts(config.year, codes)
        problems, unknown = wh.portal_issues(config.year)
    arrivals, texts = wh.first_arrivals(config.year, codes), wh.current_texts(config.year, codes)
    sources, warnings = wh.sources(config.year, codes), wh.current_warnings(config.year, codes)
    quarantined = within(wh.quarantined(), registry) if scope.unit else wh.quarantined()
    reported_tasks = wh.current_tasks(config.year, codes)
    clock.lap("report_read")
    data = rollup(registry, facts, catalogue, portal)
    status = unit_status(registry, arrivals, period)
    history = None if scope.window else _history(wh, config, whole.hierarchy, scope.unit, catalogue, data)
    plans = texts[texts["kind"] == PLAN_TEXT].reset_index(drop=True)
    inputs = ReportInputs(period, registry, catalogue, data, status, texts[texts["kind"] != PLAN_TEXT], sources,
                          quarantined, warnings, portal_facts=portal, portal_problems=problems, portal_unknown=unknown,
                          reconciliation=reconcile(registry, facts, data, catalogue),
                          splits=split_list(registry, _codes_and_eras(facts, portal)),
                          unplaced=unplaced_list(registry, facts), ad_hoc=scope.window is not None,
                          coverage=coverage(data, registry, catalogue, period,
                                            history.data if history is not None else None),
                          history=history, tasks=task_statuses(config.tasks, registry, reported_tasks), plans=plans,
                          produced_at=produced_at, final=final)
    clock.lap("report_rollup")
    path = write_report(inputs, report_path(workspace, config, unit=scope.unit, hierarchy=scope.hierarchy,
                                            window=scope.window), progress=progress)
    clock.lap("report_write")
    meta = DocumentMeta(vn_wall(produced_at), FINAL if final else DRAFT, path.name)
    document = write_document(inputs, document_path(path), meta)
    clock.lap("report_document")
    reported = int((status["status"] != MISSING).sum())
    return ReportResult(path, config.year, reported, len(status), registry.root, registry.hierarchy,
                        period.report_window, scope.window is not None, document, timings)


def _codes_and_eras(*frames: pd.DataFrame) -> pd.DataFrame:
    """The (unit_code, era) pairs figures came under, for the list of split units."""
    parts = [f[["unit_code"]].assign(era=f.get("era")) for f in frames]
    return pd.concat(parts, ignore_index=True).drop_duplicates()


def _history(wh: Warehouse, config: WorkspaceConfig, hierarchy: Hierarchy, unit: str | None, catalogue: Catalogue,
             data: pd.DataFrame) -> History | None:
    """Last year's figures on this year's units (`transform.history`): None before the first year reported."""
    year = config.year - 1
    if year < YEAR_MIN:
        return None
    last = config.for_year(year)
    whole = history_registry(last, hierarchy)
    registry: UnitRegistry = subtree(whole, unit) if unit else whole
    codes = registry.units.keys() | registry.outside.keys() if unit else None
    facts = wh.current_facts(year, codes)
    facts = facts[~facts["indicator_code"].isin(portal_sourced(catalogue))]
    portal = wh.portal_facts(year, codes)
    previous = rollup(registry, facts, catalogue, portal)
    return History(year, previous, year_on_year(data, previous, year),
                   split_list(registry, _codes_and_eras(facts, portal)), unplaced_list(registry, facts),
                   has_data=bool(len(facts) or len(portal)))


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
