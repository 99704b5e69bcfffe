"""The Airflow side of mail: SmtpHook senders for reminders and alerts, and the task-failure callback.

The pipeline (`dvctt.reminders`) takes a sender as an argument; these adapters are the senders the
DAGs inject, so the mail password lives in Airflow's connection, not in the workspace, and nothing
below the DAGs imports Airflow.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import mimetypes
import os
import smtplib
from collections.abc import Callable, Mapping, Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from core.config import ConfigError, WorkspaceConfig, load_config
from dvctt.reminders import IT_ENV, Mailer, Notifier, failure_message, it_recipients

log = logging.getLogger(__name__)


def _html(body: str) -> str:
    """Plain text as the HTML body SmtpHook sends: paragraphs and line breaks kept, nothing interpreted."""
    paragraphs = (html.escape(p).replace("\n", "<br>") for p in body.strip().split("\n\n"))
    return "<html><body>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</body></html>"


def mail_message(sender: str, recipients: Sequence[str], subject: str, body: str, files: Sequence[Path]) -> EmailMessage:
    """Plain text and the same text as HTML (multipart/alternative: a text-only mail client, a spam filter and a
    screen reader all get a body), then the attachments byte for byte."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, ", ".join(recipients), subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(body)
    msg.add_alternative(_html(body), subtype="html")
    for path in files:
        kind = (mimetypes.guess_type(path.name)[0] or "application/octet-stream").split("/", 1)
        msg.add_attachment(path.read_bytes(), maintype=kind[0], subtype=kind[1], filename=path.name)
    return msg


def _hook_send(conn_id: str, sender: str | None, recipients: Sequence[str], subject: str, body: str,
               files: list[Path]) -> None:
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    with SmtpHook(smtp_conn_id=conn_id) as hook:
        from_email = hook.from_email or sender
        if not from_email:
            raise ValueError(f"Kết nối SMTP {conn_id} thiếu from_email (người gửi) / the connection has no sender.")
        msg = mail_message(from_email, recipients, subject, body, files)
        # SmtpHook.send_email_smtp builds an HTML-only message; its connected client sends ours, with its retries.
        client = hook._smtp_client
        if not isinstance(client, smtplib.SMTP):  # SMTP_SSL is one too; None when it could not connect
            raise ConnectionError(f"Không kết nối được máy chủ SMTP của kết nối {conn_id}.")
        for attempt in range(hook.smtp_retry_limit + 1):
            try:
                client.send_message(msg, from_addr=from_email, to_addrs=list(recipients))
                break
            except Exception:
                if attempt == hook.smtp_retry_limit:
                    raise


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


#: The Airflow Variable remembering which failures IT was mailed today (key → Vietnamese day, ISO).
ALERTS_VARIABLE = "dvctt_failure_alerts"


def _failure_key(dag_id: str, task_id: str, error: BaseException | None) -> str:
    """The same problem: the same task failing with the same kind of error and message (not the run or try)."""
    text = f"{dag_id}|{task_id}|{type(error).__name__}|{str(error).strip() if error else ''}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _mailed_today(day: str) -> dict[str, str] | None:
    """The failures IT was mailed on `day` (key → day), or None when the Variable cannot be read."""
    from airflow.sdk import Variable

    try:
        return {k: v for k, v in json.loads(Variable.get(ALERTS_VARIABLE, default="{}")).items() if v == day}
    except Exception:
        log.warning("Không đọc được biến %s: gửi thư báo lỗi (không lọc trùng).", ALERTS_VARIABLE, exc_info=True)
        return None


def _remember_mailed(seen: dict[str, str], key: str, day: str) -> None:
    from airflow.sdk import Variable

    try:
        Variable.set(ALERTS_VARIABLE, json.dumps(seen | {key: day}, sort_keys=True))
    except Exception:
        log.warning("Không ghi được biến %s.", ALERTS_VARIABLE, exc_info=True)


def notify_task_failure(context: Mapping[str, Any], conn_id: str, workspace: Path | None) -> list[str]:
    """Airflow's on_failure_callback: e-mail IT a readable account of the failure; returns who was told.

    IT's address comes from workspace.yaml, or from $DVCTT_IT_RECIPIENTS when the failure is that the
    workspace cannot be read. The same failure (task, error kind and message) is mailed once per Vietnamese day,
    remembered in the Airflow Variable ALERTS_VARIABLE: a DAG failing every 10 minutes for one reason (a broken
    workspace.yaml) mails IT once a day, not 144 times. When the Variable cannot be read the mail goes out anyway.
    A callback must never raise, so a mail problem is only logged.
    """
    from core.clock import now, vn_day

    ti = context["ti"]
    error = context.get("exception")
    key, day = _failure_key(ti.dag_id, ti.task_id, error), vn_day(now()).isoformat()
    seen = _mailed_today(day)
    if seen is not None and key in seen:
        log.info("Lỗi này đã được báo cho IT hôm nay: không gửi lại / already mailed to IT today.")
        return []
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
                                    try_number=ti.try_number, error=error, log_url=ti.log_url)
    try:
        airflow_notifier(conn_id)(config)(recipients, subject, body)
    except Exception:
        log.exception("Không gửi được thư báo lỗi cho IT qua kết nối SMTP %s", conn_id)
        return []
    if seen is not None:
        _remember_mailed(seen, key, day)
    return recipients
