"""When things happen before a deadline: final reports, reminders to units, alerts to IT.

Everything derives from workspace.yaml (a deadline per reporting level, `final_report_days_before`,
`reminder_days_before`): move a date there and the schedule follows; nothing is hard-coded.

Design decision. `dvctt_report`'s time-based schedule is computed when Airflow parses the DAG file,
from workspace.yaml alone (`final_run_times`: one YAML read and a pydantic check, a few milliseconds,
no pandas, no database). We chose this over a daily run with an "is it time?" task because the UI
then shows the real date of the next final report, the run history holds no 365 skipped runs a year,
and a changed deadline takes effect at the next parse (within a minute). The price: the dag-processor
must read workspace.yaml. When it cannot (DVCTT_WORKSPACE unset, workspace.yaml missing or invalid), the
schedule must not vanish silently: `final_run_times` raises, the DAG file fails to import, and the UI shows
the import error with the reason until the file is fixed (with a broken workspace.yaml nothing else would run
anyway). A final run missed while the scheduler was down is recovered: the DAG catches up on its final dates
(`catchup=True`: the timetable only holds the configured year's final dates, so there is no flood of runs),
and a UI backfill over a final date builds a final (`report_kind`). Behind both, the daily check in
`dvctt_reminders` (`alerts_due`) alerts IT when no final report was built in time.

Days are Vietnamese calendar days (Asia/Ho_Chi_Minh): a deadline is the end of that day there.
"""

from __future__ import annotations

import os
import shutil
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pendulum

from core.config import ConfigError, WorkspaceConfig, load_config
from core.files import share

VN = pendulum.timezone("Asia/Ho_Chi_Minh")
FINAL_HOUR = 6  # 06:00 in Vietnam: the final report is ready when the office opens
FINAL_SUFFIX = "chinh_thuc"  # "final" in the workbook's file name


@dataclass(frozen=True)
class FinalRun:
    """The final report for every reporting level whose deadline is `deadline`."""

    year: int
    deadline: date
    levels: tuple[str, ...]
    run_on: date

    @property
    def at(self) -> pendulum.DateTime:
        """When the scheduled run starts (timezone-aware, as Airflow's timetables need)."""
        return pendulum.datetime(self.run_on.year, self.run_on.month, self.run_on.day, FINAL_HOUR, tz=VN)

    @property
    def alert_on(self) -> date:
        """The day IT is alerted if no final report was built: the day after the run, at the latest the deadline."""
        return min(self.run_on + timedelta(days=1), self.deadline)


def final_runs(config: WorkspaceConfig) -> list[FinalRun]:
    """One final run per distinct deadline of the reporting levels, `final_report_days_before` days ahead."""
    levels_by_deadline: dict[date, list[str]] = defaultdict(list)
    for level in config.reporting_levels:
        levels_by_deadline[config.deadline_for(level)].append(level)
    lead = timedelta(days=config.final_report_days_before)
    return [FinalRun(config.year, deadline, tuple(sorted(levels)), deadline - lead)
            for deadline, levels in sorted(levels_by_deadline.items())]


class ScheduleError(ConfigError):
    """The final-report schedule cannot be computed: raised at parse time, so Airflow shows an import error."""


def final_run_times(workspace: str | os.PathLike[str] | None) -> list[pendulum.DateTime]:
    """At DAG parse time: the final runs' start times; ScheduleError (Vietnamese, then English) when the workspace
    cannot be read, so the schedule never silently comes out empty."""
    hint = ("dvctt_report không có lịch lập bản chính thức / no final-report schedule for dvctt_report: ")
    if not workspace:
        raise ScheduleError(hint + "chưa đặt biến môi trường DVCTT_WORKSPACE cho dag-processor / "
                                   "DVCTT_WORKSPACE is not set for the dag-processor.")
    try:
        config = load_config(Path(workspace))
    except ConfigError as exc:
        raise ScheduleError(f"{hint}{exc}\nSửa workspace.yaml; DAG sẽ được đọc lại sau ít phút / fix workspace.yaml: "
                            "the DAG is parsed again within minutes.") from exc
    return [run.at for run in final_runs(config)]


#: Run types that the deadline schedule creates: its own runs, and a backfill of its dates from the UI or CLI.
FINAL_RUN_TYPES = ("scheduled", "backfill")


def report_kind(run_type: str, final_param: bool) -> str:
    """"final" for the runs on the deadline schedule's dates (scheduled, or backfilled over them: a backfill only
    creates runs on the timetable's final dates) and for manual runs with `final`; else "draft" (asset-triggered
    runs, manual runs without it)."""
    return "final" if final_param or getattr(run_type, "value", run_type) in FINAL_RUN_TYPES else "draft"


def alerts_due(config: WorkspaceConfig, day: date) -> list[FinalRun]:
    """Final runs whose report must exist by `day`: from the alert day until the deadline itself."""
    return [run for run in final_runs(config) if run.alert_on <= day <= run.deadline]


def reminders_due(config: WorkspaceConfig, day: date) -> dict[str, date]:
    """Reporting level → deadline, for the levels whose units are reminded on `day`.

    From `reminder_days_before` days ahead until the day before the deadline: a missed daily run is
    made up the next day, and the record of sent reminders keeps it to one reminder per unit.
    """
    lead = timedelta(days=config.reminder_days_before)
    due = {level: config.deadline_for(level) for level in config.reporting_levels}
    return {level: deadline for level, deadline in due.items() if deadline - lead <= day < deadline}


def keep_final(workspace: Path, year: int, workbook: Path, day: date, run_id: str) -> Path:
    """Keep a final report: copy the workbook to `<name>_chinh_thuc_<YYYYMMDD>.xlsx` beside it (later drafts
    overwrite the plain name), the Báo cáo (.docx) likewise, and record it in the warehouse for the deadline check.
    Idempotent per run."""
    from load.notices import record_final
    from load.warehouse import connect, warehouse_url

    kept = workbook.with_name(f"{workbook.stem}_{FINAL_SUFFIX}_{day:%Y%m%d}{workbook.suffix}")
    for source in (workbook, workbook.with_suffix(".docx")):
        if source.is_file() or source == workbook:
            target = kept.with_suffix(source.suffix)
            partial = target.with_name(f".{target.name}.tmp")
            share(shutil.copyfile(source, partial))
            os.replace(partial, target)  # atomic: a reader never sees half a file
    engine = connect(warehouse_url(workspace, load_config(workspace).warehouse_url))
    record_final(engine, year, day, str(kept), run_id)
    return kept
