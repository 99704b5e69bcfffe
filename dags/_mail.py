"""The Airflow side of mail: SmtpHook senders for reminders and alerts, and the task-failure callback.

The pipeline (`dvctt.reminders`) takes a sender as an argument; these adapters are the senders the
DAGs inject, so the mail password lives in Airflow's connection, not in the workspace, and nothing
below the DAGs imports Airflow.
"""

from __future__ import annotations

import html
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from core.config import ConfigError, WorkspaceConfig, load_config
from dvctt.reminders import IT_ENV, Mailer, Notifier, failure_message, it_recipients

log = logging.getLogger(__name__)


def _html(body: str) -> str:
    """Plain text as the HTML body SmtpHook sends: paragraphs and line breaks kept, nothing interpreted."""
    paragraphs = (html.escape(p).replace("\n", "<br>") for p in body.strip().split("\n\n"))
    return "<html><body>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</body></html>"


def _hook_send(conn_id: str, sender: str | None, recipients: Sequence[str], subject: str, body: str,
               files: list[Path]) -> None:
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    with SmtpHook(smtp_conn_id=conn_id) as hook:
        hook.send_email_smtp(to=list(recipients), from_email=hook.from_email or sender, subject=subject,
                             html_content=_html(body), files=[str(f) for f in files])


def airflow_mailer(conn_id: str) -> Callable[[WorkspaceConfig], Mailer]:
    """The DAGs' way: the Airflow SMTP connection `conn_id`; the sender is the connection's `from_email`
    extra, else workspace.yaml's `smtp.sender`."""

    def for_config(config: WorkspaceConfig) -> Mailer:
        def send(recipients: Sequence[str], subject: str, body: str, attachment: Path) -> None:
            _hook_send(conn_id, config.smtp.sender, recipients, subject, body, [attachment])

        return send

    return for_config


def airflow_notifier(conn_id: str) -> Callable[[WorkspaceConfig | None], Notifier]:
    """Alerts through the Airflow SMTP connection; `None` when workspace.yaml is unreadable (the connection
    must then name the sender)."""

    def for_config(config: WorkspaceConfig | None) -> Notifier:
        def send(recipients: Sequence[str], subject: str, body: str) -> None:
            _hook_send(conn_id, config.smtp.sender if config else None, recipients, subject, body, [])

        return send

    return for_config




def notify_task_failure(context: Mapping[str, Any], conn_id: str, workspace: Path | None) -> list[str]:
    """Airflow's on_failure_callback: e-mail IT a readable account of the failure; returns who was told.

    IT's address comes from workspace.yaml, or from $DVCTT_IT_RECIPIENTS when the failure is that the
    workspace cannot be read. A callback must never raise, so a mail problem is only logged.
    """
    ti = context["ti"]
    config, recipients = None, [a.strip() for a in os.environ.get(IT_ENV, "").split(",") if a.strip()]
    try:
        if workspace is not None:
            config = load_config(workspace)
            recipients = it_recipients(config) or recipients
    except ConfigError:
        pass
    if not recipients:
        log.error("Không có địa chỉ IT để báo lỗi (it_recipients trong workspace.yaml hoặc %s).", IT_ENV)
        return []
    subject, body = failure_message(dag_id=ti.dag_id, task_id=ti.task_id, run_id=ti.run_id,
                                    try_number=ti.try_number, error=context.get("exception"), log_url=ti.log_url)
    try:
        airflow_notifier(conn_id)(config)(recipients, subject, body)
    except Exception:
        log.exception("Không gửi được thư báo lỗi cho IT qua kết nối SMTP %s", conn_id)
        return []
    return recipients
