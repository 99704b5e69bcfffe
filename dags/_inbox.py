"""The inbox task group, shared by `dvctt_ingest` (every 10 minutes) and `dvctt_reminders` (before reminding):
ingest the inbox, then announce new data as the submissions asset event.

Airflow puts the bundle folder (``dags/``) on ``sys.path`` while parsing, so the DAG files import this module
as ``_inbox``; nothing heavy is imported at parse time.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from _common import SUBMISSIONS, workspace
from airflow.sdk import task, task_group
from airflow.sdk.exceptions import AirflowSkipException

#: What the ingest task returns (XCom): the tallies, whether new data came in, and the run page for IT. Never
#: the per-file list: it grows with the inbox (38.7 KB at 94 files), and the warehouse and the run page keep it.
SUMMARY_KEYS = ("seen", "accepted", "quarantined", "pending", "new_accepted", "new_quarantined")


@task_group(group_id="inbox", tooltip="Tiếp nhận tệp của đơn vị / Unit submissions")
def inbox() -> None:
    @task(task_id="ingest", execution_timeout=timedelta(minutes=30))
    def run_ingest() -> dict[str, Any]:
        """Run `dvctt.inbox_check.ingest` on the workspace; its tallies and the run page's path go to XCom."""
        from dvctt.inbox_check import ingest  # GX and pandas only when a file is new; never at parse

        summary = ingest(workspace())
        return {**summary.counts(), "new_data": summary.new_data, "html": str(summary.html) if summary.html else None}

    @task(task_id="announce_new_data", outlets=[SUBMISSIONS])
    def announce_new_data(summary: dict[str, Any], *, outlet_events: Any = None) -> None:
        """Emit the submissions asset event only when the ingest accepted new data."""
        if not summary["new_data"]:
            raise AirflowSkipException("Không có số liệu mới / no new data: no asset event.")
        outlet_events[SUBMISSIONS].extra = {k: summary[k] for k in SUMMARY_KEYS if k in summary}

    # Airflow types a task's call with the function's own parameters, yet it takes the XComArg of another task.
    announce_new_data(run_ingest())  # type: ignore[arg-type]

