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

# Raises when workspace.yaml cannot be read: an import error in the UI, never a silently empty schedule.
FINAL_TIMES = final_run_times(os.environ.get(WORKSPACE_ENV))

DOC_MD = """
### Tổng hợp báo cáo năm / Build the yearly report

**Tiếng Việt.** Tổng hợp số liệu hiện hành trong kho thành tệp Excel báo cáo, ghi vào `outbox/<năm>/` trong
workspace (`DVCTT_WORKSPACE`). DAG chạy theo ba cách:

1. **Bản dự thảo**: tự chạy mỗi khi có số liệu mới (sự kiện `dvctt://warehouse/submissions` của `dvctt_ingest`);
   năm báo cáo là năm trong `workspace.yaml`.
2. **Bản chính thức**: tự chạy lúc 06:00 (giờ Việt Nam), trước hạn nộp của từng cấp `final_report_days_before`
   ngày (mặc định 2), theo các hạn trong `workspace.yaml`, sau khi nhận hết tệp đang có trong `inbox/`. Bản chính
   thức được chép thêm thành
   `bao_cao_dvctt_<tỉnh>_<năm>_chinh_thuc_<ngày>.xlsx` (bản dự thảo sau đó không ghi đè) và được ghi nhận để
   `dvctt_reminders` cảnh báo IT nếu đến hạn mà chưa có. Lần chạy bị lỡ (scheduler dừng lúc 06:00) được chạy bù
   khi scheduler chạy lại; chạy bù (Backfill) trong giao diện cho ngày chính thức cũng lập bản chính thức.
   Nếu không đọc được `workspace.yaml`, DAG báo lỗi nhập (Import Errors) trên giao diện cho đến khi sửa xong.
3. **Chạy tay** (Trigger với biểu mẫu tham số; mọi tham số để trống = báo cáo năm của cả tỉnh):
   - `year`: năm báo cáo (để trống = năm trong cấu hình; chọn năm cũ để lập lại báo cáo năm trước);
   - `final`: đánh dấu và lưu là bản chính thức;
   - `hierarchy`: 3 = xã → huyện → tỉnh, 2 = xã → tỉnh (để trống = theo kỳ báo cáo);
   - `unit`: chỉ báo cáo đơn vị này và các đơn vị trực thuộc (một huyện, một sở…);
   - `date_from`, `date_to`: kỳ báo cáo đột xuất: số liệu Cổng DVC, đơn vị phải nộp và hạn nộp tính theo kỳ này
     (số liệu của đơn vị là số liệu năm).

   Báo cáo thu hẹp được ghi với tên riêng (thêm `_dv<mã>`, `_2cap`/`_3cap`, `_<từ>-<đến>`), không ghi đè báo cáo năm.

Bản dự thảo hay chính thức: xem XCom `kind` của tác vụ `report.build_report`; với bản dự thảo, tác vụ
`report.keep_final` được bỏ qua (skipped).

**English.** Consolidates the current warehouse figures into the workbook under `outbox/<year>/`. Three triggers:
a **draft** on every `dvctt://warehouse/submissions` event (asset runs have no logical date, so the year is the
configured one); a **final** report at 06:00 Vietnam time `final_report_days_before` days before each level's
deadline, after taking in every file already in the inbox (computed from `workspace.yaml` when the file is parsed;
an unreadable workspace.yaml is an import error,
not an empty schedule; a final run missed while the scheduler was down is caught up when it is back, and a backfill
over a final date builds a final); and **by hand** with typed params: `year` (a past year's report), `final`,
`hierarchy` (3 or 2 levels), `unit` (that unit's subtree only) and `date_from`/`date_to` (an ad hoc window: portal
figures, units expected and deadlines follow it). A narrowed report gets its own file name, so it never overwrites
the yearly one. A final report is also copied to `..._chinh_thuc_<date>.xlsx`, so later drafts do not overwrite
it, and recorded for the missing-final-report check in `dvctt_reminders`. `keep_final` is skipped for drafts,
which makes the two easy to tell apart in the grid.
"""


def _schedule_note() -> str:
    """The final reports still to come (past ones are in the run history), as of this parse."""
    from core.clock import now

    upcoming = [t for t in FINAL_TIMES if t > now()]
    times = ", ".join(f"{t:%d/%m/%Y %H:%M}" for t in upcoming)
    return f"\n\n**Bản chính thức sắp tới / Upcoming final reports:** {times or 'không còn / none'}\n"


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
    # The timetable holds only the configured year's final dates: catching up runs a final the scheduler missed
    # (it was down at 06:00), never a flood. Asset-triggered drafts are not affected.
    catchup=True,
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
        "hierarchy": Param(
            None,
            type=["null", "integer"],
            enum=[None, 2, 3],
            title="Số cấp / Hierarchy levels",
            description="3 = xã → huyện → tỉnh, 2 = xã → tỉnh; để trống = theo kỳ báo cáo / "
                        "empty = the one valid in the report window",
        ),
        "unit": Param(
            None,
            type=["null", "string"],
            title="Mã đơn vị / Unit code",
            description="Chỉ đơn vị này và các đơn vị trực thuộc; để trống = cả tỉnh / only this unit's subtree",
        ),
        "date_from": Param(
            None,
            type=["null", "string"],
            format="date",
            title="Từ ngày / From (YYYY-MM-DD)",
            description="Kỳ đột xuất (cùng Đến ngày); để trống = kỳ báo cáo năm / an ad hoc window; empty = the year",
        ),
        "date_to": Param(
            None,
            type=["null", "string"],
            format="date",
            title="Đến ngày / To (YYYY-MM-DD)",
            description="Kỳ đột xuất (cùng Từ ngày) / an ad hoc window, with From",
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
            if kind == "final":
                # A final report counts every file already in the inbox: take them in first (waiting for an ingest
                # already running). A final caught up on the stack's first start would otherwise miss them all.
                from dvctt.pipeline import ingest

                ingest(workspace())
            result = build_report(workspace(), params.get("year"), hierarchy=params.get("hierarchy"),
                                  unit=params.get("unit") or None, date_from=day["date_from"], date_to=day["date_to"],
                                  final=kind == "final")  # printed on every page; the time is the run's clock
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
