"""dvctt_ingest: every 10 minutes (DVCTT_INGEST_SCHEDULE), pick up the units' workbooks from the inbox into the warehouse."""

from __future__ import annotations

from _common import DEFAULT_ARGS, INGEST_SCHEDULE, START_DATE
from _inbox import inbox
from airflow.sdk import dag

DOC_MD = """
### Nhận báo cáo của đơn vị / Ingest unit submissions

**Tiếng Việt.** Cứ 10 phút (đổi bằng biểu thức cron trong biến `DVCTT_INGEST_SCHEDULE`), quét thư mục
`inbox/<mã đơn vị>/` của workspace (biến môi trường `DVCTT_WORKSPACE`), kiểm tra từng tệp Excel và nạp tệp
hợp lệ vào kho dữ liệu; tệp lỗi được cách ly kèm phản hồi cho đơn vị. XCom của tác vụ chỉ ghi số đếm và
đường dẫn trang kết quả cho IT (`outbox/tiep_nhan/`); chi tiết từng tệp nằm trong kho dữ liệu và trên trang
đó. Tệp của đơn vị **không bao giờ bị xóa hay di chuyển**: chạy lại bao nhiêu lần cũng an toàn. Khi có số
liệu mới, DAG phát sự kiện tài sản `dvctt://warehouse/submissions`, kích hoạt `dvctt_report` để lập bản dự
thảo báo cáo.

**English.** Every 10 minutes (a cron expression in `DVCTT_INGEST_SCHEDULE` changes that), scan the
workspace's `inbox/<unit code>/` folders (`DVCTT_WORKSPACE`), validate each workbook, load the accepted ones
into the warehouse and quarantine the rest with feedback for the unit. Units' files are **never deleted or
moved**, so any run can be repeated. The task's XCom holds the tallies, `new_data` and the path of the run
page for IT (`outbox/tiep_nhan/`); the per-file detail is in the warehouse and on that page. Only when new
data was accepted does `announce_new_data` emit the asset event `dvctt://warehouse/submissions`, which
schedules a draft `dvctt_report`; otherwise it is skipped (a skipped task emits no asset event).
"""


@dag(
    dag_id="dvctt_ingest",
    schedule=INGEST_SCHEDULE,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["dvctt", "ingest"],
    doc_md=DOC_MD,
)
def dvctt_ingest() -> None:
    """Ingest the inbox, then announce new data as an asset event."""

    inbox()


dvctt_ingest()
