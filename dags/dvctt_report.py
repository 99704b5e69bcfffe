"""dvctt_report: consolidate the warehouse into the province's yearly workbook (on new data or by hand)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from _common import DEFAULT_ARGS, START_DATE, SUBMISSIONS, workspace
from airflow.sdk import Param, dag, task

log = logging.getLogger(__name__)

DOC_MD = """
### Tổng hợp báo cáo năm / Build the yearly report

**Tiếng Việt.** Tổng hợp số liệu hiện hành trong kho thành tệp Excel báo cáo của tỉnh, ghi vào
`outbox/<năm>/` trong workspace (`DVCTT_WORKSPACE`). DAG tự chạy (bản dự thảo) mỗi khi `dvctt_ingest`
nạp được số liệu mới, hoặc chạy tay với tham số: `year` (năm báo cáo, mặc định năm hiện tại),
`level` (cấp tổng hợp: tỉnh), `unit`, `date_from`, `date_to` (tùy chọn). Lần chạy do sự kiện dữ liệu
kích hoạt không có `logical_date`: năm lấy từ tham số `year`.

**English.** Consolidates the current warehouse figures into the province workbook under
`outbox/<year>/`. Runs as a draft whenever `dvctt_ingest` emits `dvctt://warehouse/submissions`, or by
hand with typed params. Asset-triggered runs have no logical date, so the year always comes from the
`year` param. `unit`, `date_from` and `date_to` are recorded with the run; the report itself always
covers the whole province and the configured reporting window.
"""


@dag(
    dag_id="dvctt_report",
    schedule=[SUBMISSIONS],
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["dvctt", "report"],
    doc_md=DOC_MD,
    params={
        "year": Param(
            date.today().year,
            type="integer",
            minimum=2024,
            title="Năm báo cáo / Report year",
        ),
        "level": Param(
            "province",
            type="string",
            enum=["province"],
            title="Cấp tổng hợp / Consolidation level",
        ),
        "unit": Param(
            None,
            type=["null", "string"],
            title="Mã đơn vị / Unit code (optional)",
        ),
        "date_from": Param(
            None,
            type=["null", "string"],
            format="date",
            title="Từ ngày / From (YYYY-MM-DD, optional)",
        ),
        "date_to": Param(
            None,
            type=["null", "string"],
            format="date",
            title="Đến ngày / To (YYYY-MM-DD, optional)",
        ),
    },
)
def dvctt_report() -> None:
    """Build the report workbook for the `year` param."""

    @task(task_id="build_report")
    def run_build_report(*, params: dict[str, Any] | None = None) -> str:
        """Run `dvctt.pipeline.build_report`; the workbook's path goes to XCom."""
        from dvctt.pipeline import build_report  # heavy: import when the task runs, not at parse

        params = params or {}
        ignored = {k: params.get(k) for k in ("unit", "date_from", "date_to") if params.get(k)}
        if ignored:
            log.warning("Tham số chỉ được ghi nhận, chưa áp dụng / params recorded, not applied: %s", ignored)
        return str(build_report(workspace(), int(params["year"])).path)

    run_build_report()


dvctt_report()
