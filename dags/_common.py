"""Defaults shared by the dvctt DAG files (kept tiny: no pipeline import, no I/O at parse time).

Airflow puts the bundle folder (``dags/``) on ``sys.path`` while parsing, so the DAG files
import this module as ``_common``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import Asset, ExceptionRetryPolicy, RetryAction, RetryRule
from airflow.sdk.exceptions import AirflowFailException

WORKSPACE_ENV = "DVCTT_WORKSPACE"
#: The Airflow SMTP connection for reminders and alerts (password in Airflow's secrets, not the workspace).
SMTP_CONN_ENV, SMTP_CONN_DEFAULT = "DVCTT_SMTP_CONN_ID", "smtp_default"
#: Daily jobs run on Vietnamese time whatever the server's timezone.
TIMEZONE = "Asia/Ho_Chi_Minh"

#: Emitted by ``dvctt_ingest`` only when a run accepted new submissions; schedules ``dvctt_report``.
#: Airflow 3 identifies an asset by name *and* URI; a single argument sets both, so producers and
#: consumers elsewhere can refer to it as ``Asset("dvctt://warehouse/submissions")`` too.
SUBMISSIONS = Asset("dvctt://warehouse/submissions")

START_DATE = datetime(2025, 1, 1, tzinfo=UTC)

#: How often dvctt_ingest scans the inbox: a cron expression, every 10 minutes unless IT sets another.
INGEST_SCHEDULE = os.environ.get("DVCTT_INGEST_SCHEDULE", "").strip() or "*/10 * * * *"


def smtp_conn_id() -> str:
    return os.environ.get(SMTP_CONN_ENV, "").strip() or SMTP_CONN_DEFAULT


def on_task_failure(context: Mapping[str, Any]) -> None:
    """Every task's on_failure_callback (after its retries): a Vietnamese + English e-mail to IT."""
    from _mail import notify_task_failure

    value = os.environ.get(WORKSPACE_ENV, "").strip()
    notify_task_failure(context, smtp_conn_id(), Path(value) if value else None)


def run_day(dag_run: Any) -> date:
    """The run's calendar day in Vietnam: its logical date, or when it was due for runs that have none."""
    from core.clock import vn_day

    return vn_day(dag_run.logical_date or dag_run.run_after)


DEFAULT_ARGS: dict[str, Any] = {
    "owner": "dvctt",
    "retries": 2,
    "retry_delay": timedelta(minutes=1),
    # Airflow 3.3 takes a multiplier here (``True`` is read as 2.0): 1 min, then 2 min.
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=15),
    "on_failure_callback": on_task_failure,
    # Retries are for transient faults (locked SQLite file, network share, database restart);
    # a broken workspace.yaml or a warehouse that refuses us (no such database, bad login,
    # unsupported driver) will not fix itself, so they fail at once.
    "retry_policy": ExceptionRetryPolicy(
        rules=[
            RetryRule(
                exception="core.config.ConfigError",
                action=RetryAction.FAIL,
                reason="workspace.yaml thiếu hoặc sai: sửa cấu hình rồi chạy lại",
            ),
            RetryRule(
                exception="core.errors.WarehouseConfigError",
                action=RetryAction.FAIL,
                reason="kho dữ liệu không dùng được (cơ sở dữ liệu, tài khoản hoặc địa chỉ sai): sửa rồi chạy lại",
            ),
        ],
    ),
}


def workspace() -> Path:
    """The workspace directory from ``$DVCTT_WORKSPACE``; read when a task runs, never at parse time."""
    value = os.environ.get(WORKSPACE_ENV, "").strip()
    if not value:
        raise AirflowFailException(
            f"Chưa đặt biến môi trường {WORKSPACE_ENV} (thư mục workspace) / {WORKSPACE_ENV} is not set."
        )
    return Path(value)
