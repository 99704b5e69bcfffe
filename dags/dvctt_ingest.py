"""dvctt_ingest: every 10 minutes, pick up the units' workbooks from the inbox into the warehouse."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from _common import DEFAULT_ARGS, START_DATE, SUBMISSIONS, workspace
from airflow.sdk import dag, task, task_group
from airflow.sdk.exceptions import AirflowSkipException

DOC_MD = """
### Nhận báo cáo của đơn vị / Ingest unit submissions

**Tiếng Việt.** Cứ 10 phút, quét thư mục `inbox/<mã đơn vị>/` của workspace (biến môi trường
`DVCTT_WORKSPACE`), kiểm tra từng tệp Excel và nạp tệp hợp lệ vào kho dữ liệu; tệp lỗi được cách ly
kèm phản hồi cho đơn vị. Tệp của đơn vị **không bao giờ bị xóa hay di chuyển**: chạy lại bao nhiêu
lần cũng an toàn. Khi có số liệu mới, DAG phát sự kiện tài sản `dvctt://warehouse/submissions`,
kích hoạt `dvctt_report` để lập bản dự thảo báo cáo.

**English.** Every 10 minutes, scan the workspace's `inbox/<unit code>/` folders (`DVCTT_WORKSPACE`),
validate each workbook, load the accepted ones into the warehouse and quarantine the rest with
feedback for the unit. Units' files are **never deleted or moved**, so any run can be repeated.
Only when new data was accepted does `announce_new_data` emit the asset event
`dvctt://warehouse/submissions`, which schedules a draft `dvctt_report`; otherwise it is skipped
(a skipped task emits no asset event).
"""


@dag(
    dag_id="dvctt_ingest",
    schedule="*/10 * * * *",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["dvctt", "ingest"],
    doc_md=DOC_MD,
)
def dvctt_ingest() -> None:
    """Ingest the inbox, then announce new data as an asset event."""

    @task_group(group_id="inbox", tooltip="Tiếp nhận tệp của đơn vị / Unit submissions")
    def inbox() -> None:
        @task(task_id="ingest", execution_timeout=timedelta(minutes=30))
        def run_ingest() -> dict[str, Any]:
            """Run `dvctt.pipeline.ingest` on the workspace; the summary goes to XCom."""
            from dvctt.pipeline import ingest  # heavy (pandas, GX): import when the task runs, not at parse

            summary = ingest(workspace())
            return {**summary.to_dict(), "new_data": summary.new_data}

        @task(task_id="announce_new_data", outlets=[SUBMISSIONS])
        def announce_new_data(summary: dict[str, Any], *, outlet_events: Any = None) -> None:
            """Emit the submissions asset event only when the ingest accepted new data."""
            if not summary["new_data"]:
                raise AirflowSkipException("Không có số liệu mới / no new data: no asset event.")
            counts = ("seen", "accepted", "quarantined", "pending", "new_accepted", "new_quarantined")
            outlet_events[SUBMISSIONS].extra = {k: summary[k] for k in counts if k in summary}

        # Airflow types a task's call with the function's own parameters, yet it takes the XComArg of another task.
        announce_new_data(run_ingest())  # type: ignore[arg-type]

    inbox()


dvctt_ingest()
