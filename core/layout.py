"""The submission workbook's layout: the single source of truth for the writer and the reader."""

from __future__ import annotations

# DVCTT-2: the unit's registry on «Thông tin chung», its plan's number and date, activities by unit kind, and the
# «Nhiệm vụ» sheet of a task-based plan. DVCTT-1 files are still read (with a warning): every row is read by its code.
TEMPLATE_VERSION = "DVCTT-2"

SHEET_GUIDE = "Hướng dẫn"
SHEET_INFO = "Thông tin chung"
SHEET_TARGETS = "Chỉ tiêu"
SHEET_ACTIVITIES = "Hoạt động"
SHEET_TEXT = "Khó khăn, kiến nghị"
SHEET_TASKS = "Nhiệm vụ"  # only in the template of a unit that leads a task of the plan

# Thông tin chung: label in column A, value in column B. Meta keys are what the reader emits.
INFO_ROWS: list[tuple[str, str | None]] = [
    ("Mã đơn vị", "MA_DON_VI"),
    ("Tên đơn vị", "TEN_DON_VI"),
    ("Cấp", None),
    ("Năm báo cáo", "NAM_BAO_CAO"),
    ("Kỳ báo cáo", None),
    ("Người lập biểu", "NGUOI_LAP"),
    ("Số điện thoại", None),
    ("Ngày lập", None),
    ("Phiên bản mẫu", "PHIEN_BAN"),
    # Which registry the unit code comes from: codes were reused by the 1/7/2025 reorganisation (core.units).
    ("Danh mục đơn vị", "DANH_MUC"),
    ("Kế hoạch của đơn vị (số, ngày)", "KE_HOACH"),
]
INFO_FIRST_ROW = 3

TARGET_HEADERS = ["STT", "Mã chỉ tiêu", "Tên chỉ tiêu", "Tử số", "Mẫu số", "Có/Không", "Mục tiêu", "Ghi chú"]
ACTIVITY_HEADERS = ["STT", "Mã hoạt động", "Hoạt động", "Đơn vị tính", "Số lượng", "Ghi chú"]
TEXT_HEADERS = ["STT", "Loại", "Nội dung"]
TASK_HEADERS = ["STT", "Mã nhiệm vụ", "Nhiệm vụ", "Thời gian thực hiện", "Cơ quan phối hợp", "Tình trạng",
                "Kết quả, ghi chú"]
HEADER_ROW = 3

YES, NO = "Có", "Không"
TEXT_KINDS = {"kho_khan": "Khó khăn, vướng mắc", "kien_nghi": "Kiến nghị, đề xuất"}
# A task's status, reported by its lead unit; stored as the number.
TASK_STATUSES = {0: "Chưa triển khai", 1: "Đang thực hiện", 2: "Hoàn thành"}
PLAN_TEXT = "ke_hoach"  # the unit's plan (number, date), stored with the free texts under this kind
TEXT_ROWS_PER_KIND = 8
# Rows below the typed ones whose «Loại» the clerk picks from the list: room for more texts on a protected sheet.
TEXT_SPARE_ROWS = 14

# Written for the clerk, never read: the reader looks only for the sheets above, by name.
SHEET_EXAMPLE = "Ví dụ"
SHEET_LISTS = "Danh mục"
# Named ranges on SHEET_LISTS that the drop-down lists use (a quoted "a,b" list splits on every comma).
LIST_TEXT_KINDS = "DS_LOAI"
LIST_YES_NO = "DS_CO_KHONG"
LIST_TASK_STATUS = "DS_TINH_TRANG"
