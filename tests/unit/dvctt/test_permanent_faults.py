"""A warehouse fault no retry can fix (no such database, refused login) fails an Airflow task at once, and the
mail to IT says so instead of claiming it was retried (issue 16.10)."""

from __future__ import annotations

from airflow.sdk import RetryAction

from core.config import ConfigError
from core.errors import WarehouseConfigError, WarehouseUnreachable
from dags._common import DEFAULT_ARGS
from dvctt.reminders import failure_message


def test_retry_policy_fails_permanent_faults_and_retries_transient_ones() -> None:
    policy = DEFAULT_ARGS["retry_policy"]
    decide = {kind: policy.evaluate(kind("x"), try_number=1, max_tries=3).action
              for kind in (ConfigError, WarehouseConfigError, WarehouseUnreachable, OSError)}
    assert decide == {ConfigError: RetryAction.FAIL, WarehouseConfigError: RetryAction.FAIL,
                      WarehouseUnreachable: RetryAction.DEFAULT, OSError: RetryAction.DEFAULT}


def test_mail_for_a_permanent_warehouse_fault() -> None:
    _, body = failure_message(dag_id="dvctt_report", task_id="report.build_report", run_id="r", try_number=1,
                              error=WarehouseConfigError("Cơ sở dữ liệu «dvctt» không có trên 127.0.0.1:5432"),
                              log_url="http://airflow/log")
    assert "không được thử lại" in body and "DVCTT_WAREHOUSE_URL" in body
    assert "đã được thử lại tự động" not in body
