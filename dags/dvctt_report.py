"""dvctt_report: consolidate the warehouse into the province's yearly workbook.

A draft on every new batch of submissions, a final report before each deadline, or by hand.
"""

from __future__ import annotations

import logging
import os
from datetime import date
from typing import Any

from _common import DEFAULT_ARGS, START_DATE, SUBMISSIONS, WORKSPACE_ENV, run_day, workspace
from airflow.sdk import AssetOrTimeSchedule, Param, dag, task, task_group
from airflow.sdk.exceptions import AirflowSkipException

# The core class, not airflow.sdk's: in 3.3.2 a DAG using the SDK EventsTimetable fails to serialize
# (KeyError '_summary', apache/airflow#69401), so the dag-processor would drop it.
from airflow.timetables.events import EventsTimetable

from dvctt.schedule import final_run_times  # light (YAML + pydantic): see dvctt/schedule.py for why at parse time

log = logging.getLogger(__name__)

FINAL_TIMES, SCHEDULE_PROBLEM = final_run_times(os.environ.get(WORKSPACE_ENV))

DOC_MD = """
### Tổng hợp báo cáo năm / Build the yearly report

**Tiếng Việt.** Tổng hợp số liệu hiện hành trong kho thành tệp Excel báo cáo của tỉnh, ghi vào
`outbox/<năm>/` trong workspace (`DVCTT_WORKSPACE`). DAG chạy theo ba cách:

1. **Bản dự thảo**: tự chạy mỗi khi `dvctt_ingest` nạp được số liệu mới (sự kiện `dvctt://warehouse/submissions`);
   năm báo cáo là năm trong `workspace.yaml`.
2. **Bản chính thức**: tự chạy lúc 06:00 (giờ Việt Nam), trước hạn nộp của từng cấp `final_report_days_before`
   ngày (mặc định 2), theo các hạn trong `workspace.yaml`. Bản chính thức được chép thêm thành
   `bao_cao_dvctt_<tỉnh>_<năm>_chinh_thuc_<ngày>.xlsx` (bản dự thảo sau đó không ghi đè) và được ghi nhận để
   `dvctt_reminders` cảnh báo IT nếu đến hạn mà chưa có.
3. **Chạy tay** (Trigger với biểu mẫu tham số): `year` (để trống = năm trong cấu hình; chọn năm cũ để lập lại
   báo cáo năm trước), `final` (đánh dấu bản chính thức), `level`, `unit`, `date_from`, `date_to`
   (`unit`, `date_from`, `date_to` hiện chỉ được ghi nhận, báo cáo luôn tổng hợp toàn tỉnh cho kỳ báo cáo).

Bản dự thảo hay chính thức: xem XCom `kind` của tác vụ `report.build_report`; với bản dự thảo, tác vụ
`report.keep_final` được bỏ qua (skipped).

**English.** Consolidates the current warehouse figures into the province workbook under `outbox/<year>/`.
Three triggers: a **draft** on every `dvctt://warehouse/submissions` event (asset runs have no logical date, so
the year is the configured one); a **final** report at 06:00 Vietnam time `final_report_days_before` days
before each level's deadline (the times are computed from `workspace.yaml` when the file is parsed); and
**by hand** with typed params (`year` for a backfill, `final`, `level`, `unit`, `date_from`, `date_to`; the last
three are recorded only). A final report is also copied to `..._chinh_thuc_<date>.xlsx`, so later drafts do
not overwrite it, and recorded for the missing-final-report check in `dvctt_reminders`. `keep_final` is
skipped for drafts, which makes the two easy to tell apart in the grid.
"""


def _schedule_note() -> str:
    if SCHEDULE_PROBLEM:
        return ("\n\n**⚠ Chưa có lịch chạy bản chính thức / no final-report schedule:** "
                f"{SCHEDULE_PROBLEM}\n")
    times = ", ".join(f"{t:%d/%m/%Y %H:%M}" for t in FINAL_TIMES)
    return f"\n\n**Lịch bản chính thức / Final reports:** {times or '—'}\n"


@dag(
    dag_id="dvctt_report",
    schedule=AssetOrTimeSchedule(
        # The SDK class types `timetable` as an SDK timetable only; the core one above serializes (see its import).
        timetable=EventsTimetable(  # type: ignore[arg-type]
            FINAL_TIMES, description="Bản chính thức trước hạn / final before deadlines"
        ),
        assets=SUBMISSIONS,
    ),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["dvctt", "report"],
    doc_md=DOC_MD + _schedule_note(),
    params={
        "year": Param(
            None,
            type=["null", "integer"],
            minimum=2024,
            maximum=2100,
            title="Năm báo cáo / Report year",
            description="Để trống = năm trong workspace.yaml / empty = the configured year",
        ),
        "final": Param(
            False,
            type="boolean",
            title="Bản chính thức / Final report",
            description="Chép và ghi nhận là bản chính thức / keep and record it as the final report",
        ),
        "level": Param(
            "province",
            type="string",
            enum=["province"],
            title="Cấp tổng hợp / Consolidation level",
        ),
        "unit": Param(
            None,
            type=["null", "string"],
            title="Mã đơn vị / Unit code (optional)",
        ),
        "date_from": Param(
            None,
            type=["null", "string"],
            format="date",
            title="Từ ngày / From (YYYY-MM-DD, optional)",
        ),
        "date_to": Param(
            None,
            type=["null", "string"],
            format="date",
            title="Đến ngày / To (YYYY-MM-DD, optional)",
        ),
    },
)
def dvctt_report() -> None:
    """Build the workbook; keep and record it when the run is a final one."""

    @task_group(group_id="report", tooltip="Lập báo cáo / Build the report")
    def report() -> None:
        @task(task_id="build_report")
        def run_build_report(*, params: dict[str, Any] | None = None, dag_run: Any = None) -> dict[str, Any]:
            """Run `dvctt.pipeline.build_report`; path, year, counts and `kind` (draft/final) go to XCom."""
            from dvctt.pipeline import build_report  # heavy: import when the task runs, not at parse
            from dvctt.schedule import report_kind

            params = params or {}
            day = {k: date.fromisoformat(params[k]) if params.get(k) else None for k in ("date_from", "date_to")}
            kind = report_kind(dag_run.run_type, bool(params.get("final")))
            result = build_report(workspace(), params.get("year"), unit=params.get("unit") or None,
                                  date_from=day["date_from"], date_to=day["date_to"])
            label = "bản chính thức" if kind == "final" else "bản dự thảo"
            log.info("Đã lập %s / built the %s report: %s", label, kind, result.path)
            return {**result.to_dict(), "kind": kind, "day": run_day(dag_run).isoformat()}

        @task(task_id="keep_final")
        def keep_final(result: dict[str, Any], *, dag_run: Any = None) -> str:
            """A final report: copy it to its `_chinh_thuc_` name and record it; skipped for drafts."""
            from pathlib import Path

            from dvctt.schedule import keep_final as keep

            if result["kind"] != "final":
                raise AirflowSkipException("Bản dự thảo / draft: not kept as a final report.")
            kept = keep(workspace(), result["year"], Path(result["path"]), date.fromisoformat(result["day"]),
                        dag_run.run_id)
            return str(kept)

        # Airflow types a task's call with the function's own parameters, yet it takes the XComArg of another task.
        keep_final(run_build_report())  # type: ignore[arg-type]

    report()


dvctt_report()
