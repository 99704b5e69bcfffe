"""dvctt_portal: every morning, recompute the portal's own statistics from the exports in `portal/`."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from _common import DEFAULT_ARGS, START_DATE, TIMEZONE, workspace
from airflow.sdk import CronTriggerTimetable, dag, task, task_group
from airflow.sdk.exceptions import AirflowFailException

log = logging.getLogger(__name__)

DOC_MD = """
### Số liệu Cổng dịch vụ công / Portal statistics

**Tiếng Việt.** Mỗi ngày lúc 05:30 (giờ Việt Nam), đọc các tệp thống kê xuất từ Hệ thống thông tin giải quyết
TTHC và Cổng DVC quốc gia trong thư mục `portal/` của workspace (`DVCTT_WORKSPACE`), lưu trữ từng tệp theo
mã băm, tính lại các chỉ tiêu của Cổng cho kỳ báo cáo và ghi vào kho dữ liệu. Mỗi lần chạy tính lại từ toàn
bộ thư mục, nên tệp xuất sửa lại sẽ thay số liệu cũ; chạy lại bao nhiêu lần cũng cho cùng kết quả. Mã cơ
quan lạ và lỗi từng dòng được ghi vào kho và trang «Kiểm tra tệp Cổng DVC» của báo cáo. **Tệp không đọc được**
làm tác vụ thất bại (đỏ) sau khi đã lưu số liệu của các tệp đọc được: lý do từng tệp ở nhật ký tác vụ và trong
thư gửi IT; thay tệp hỏng trong `portal/` rồi chạy lại.

**English.** Daily at 05:30 Vietnam time, reads the portal exports in the workspace's `portal/` folder, archives
each by sha256, recomputes the portal indicators for the reporting window and replaces them in the warehouse.
Recomputed from the whole folder each time, so a corrected export replaces the old figures and any run can be
repeated. Unknown agency codes and row-level problems are stored, and listed on the report's «Kiểm tra tệp Cổng
DVC» sheet. **An unreadable export fails the task** (red), after the figures of the readable ones are stored: each
file's reason is in the task log and in the mail to IT; replace the file in `portal/` and clear the task.
"""


@dag(
    dag_id="dvctt_portal",
    schedule=CronTriggerTimetable("30 5 * * *", timezone=TIMEZONE),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["dvctt", "portal"],
    doc_md=DOC_MD,
)
def dvctt_portal() -> None:
    """Recompute the portal indicators of the configured year."""

    @task_group(group_id="portal", tooltip="Số liệu Cổng DVC / Portal statistics")
    def portal() -> None:
        @task(task_id="ingest_portal", execution_timeout=timedelta(minutes=60))
        def run_ingest_portal() -> dict[str, Any]:
            """Run `dvctt.portal.ingest_portal`; the summary (files, facts, problems) goes to XCom, and an
            unreadable export fails the task, so IT sees it in the grid, the log and the failure mail."""
            from dvctt.portal import ingest_portal  # heavy (pandas, DuckDB): import when the task runs

            summary = ingest_portal(workspace())
            for reason in summary.unreadable_reasons:
                log.error("Tệp Cổng DVC không đọc được / unreadable portal export: %s", reason)
            if summary.unreadable_reasons:
                raise AirflowFailException(
                    f"{len(summary.unreadable_reasons)} tệp trong portal/ không đọc được (số liệu của "
                    f"{summary.files - len(summary.unreadable)} tệp còn lại đã được lưu); thay tệp rồi chạy lại / "
                    f"unreadable portal exports (the others were stored):\n" + "\n".join(summary.unreadable_reasons))
            return summary.to_dict()

        run_ingest_portal()

    portal()


dvctt_portal()
