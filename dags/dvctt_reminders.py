"""dvctt_reminders: every morning, remind late units before their deadline and alert IT of a missing final report."""

from __future__ import annotations

from typing import Any

from _common import DEFAULT_ARGS, START_DATE, TIMEZONE, run_day, smtp_conn_id, workspace
from _inbox import inbox
from airflow.sdk import CronTriggerTimetable, TriggerRule, dag, task, task_group

DOC_MD = """
### Nhắc nộp báo cáo và cảnh báo / Reminders and alerts

**Tiếng Việt.** Mỗi ngày lúc 07:00 (giờ Việt Nam):

- **Nhận tệp trước** (`inbox.ingest`): nhận mọi tệp đang có trong `inbox/` (như `dvctt_ingest`, chờ nếu lượt
  nhận khác đang chạy), để không nhắc nhầm đơn vị đã nộp. Đơn vị có tệp trong thư mục của mình (kể cả tệp đang
  chép dở hoặc bị từ chối) không bị nhắc và không bị liệt kê là chưa nộp; cơ quan chủ trì (`lead_agency`)
  cũng không. Nếu bước nhận tệp lỗi, không gửi thư nhắc (IT nhận thư báo lỗi).
- **Nhắc đơn vị** (`units.send_reminders`): từ `reminder_days_before` ngày (mặc định 5) trước hạn nộp của mỗi cấp,
  gửi thư nhắc kèm biểu mẫu trống (đã ghi sẵn mã, tên đơn vị) tới từng đơn vị chưa nộp, theo địa chỉ trong khóa
  `contacts` của `workspace.yaml`. IT (`it_recipients`, mặc định `recipients`) nhận danh sách, kể cả các đơn vị
  chưa có địa chỉ email để liên hệ trực tiếp. Mỗi đơn vị chỉ nhận một thư nhắc cho mỗi hạn, dù DAG chạy lại
  bao nhiêu lần (các thư đã gửi được ghi trong kho dữ liệu).
- **Cảnh báo IT** (`it.check_final_report`): từ ngày sau lần chạy bản chính thức đến hạn nộp, nếu chưa có bản
  báo cáo chính thức nào lập thành công, gửi một thư cảnh báo cho IT (một lần cho mỗi hạn).

Thư gửi qua kết nối SMTP của Airflow (`smtp_default`, hoặc tên trong biến môi trường `DVCTT_SMTP_CONN_ID`).
Mọi tác vụ lỗi (sau khi đã thử lại) đều được báo cho IT bằng thư.

**English.** Daily at 07:00 Vietnam time. `inbox.ingest` first takes in everything already in the inbox (waiting
for a running ingest), so no unit that has submitted is reminded; a unit with any file in its folder (still being
copied, or rejected) and the lead agency itself are never reminded nor listed as missing; if the ingest fails, no
reminder goes out. `units.send_reminders`: from `reminder_days_before` days (default 5)
before a level's deadline, each unit of that level that has not reported gets one reminder with its blank
template, at its `contacts` address; IT gets the list, including units without an address. Sent reminders are
recorded in the warehouse, so re-runs send nothing twice. `it.check_final_report`: from the day after the
scheduled final report until the deadline, if no final report has succeeded, IT is alerted once per deadline.
Mail goes through the Airflow SMTP connection (`smtp_default` or `$DVCTT_SMTP_CONN_ID`).
"""


@dag(
    dag_id="dvctt_reminders",
    schedule=CronTriggerTimetable("0 7 * * *", timezone=TIMEZONE),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["dvctt", "reminders", "alerts"],
    doc_md=DOC_MD,
)
def dvctt_reminders() -> None:
    """Ingest, then remind units; check the final report independently, so one failing does not stop the other."""

    @task_group(group_id="units", tooltip="Nhắc đơn vị chưa nộp / Remind units")
    def units() -> None:
        # After the ingest, whether it found new data (announce_new_data succeeded) or not (skipped); never after
        # a failed ingest: reminders on a stale warehouse would tell units that have reported that they have not.
        @task(task_id="send_reminders", trigger_rule=TriggerRule.NONE_FAILED)
        def run_send_reminders(*, dag_run: Any = None) -> dict[str, Any]:
            """`dvctt.reminders.send_reminders` for the run's day (the inbox was just ingested); who was reminded
            goes to XCom."""
            from _mail import airflow_mailer

            from dvctt.reminders import send_reminders

            return send_reminders(workspace(), run_day(dag_run), airflow_mailer(smtp_conn_id()),
                                  ingest_first=False).to_dict()

        run_send_reminders()

    @task_group(group_id="it", tooltip="Cảnh báo IT / Alert IT")
    def it() -> None:
        @task(task_id="check_final_report")
        def run_check_final_report(*, dag_run: Any = None) -> list[dict]:
            """`dvctt.reminders.check_final_reports` for the run's day; the alerts sent go to XCom."""
            from _mail import airflow_notifier

            from dvctt.reminders import check_final_reports

            return check_final_reports(workspace(), run_day(dag_run), airflow_notifier(smtp_conn_id()))

        run_check_final_report()

    inbox() >> units()
    it()


dvctt_reminders()
