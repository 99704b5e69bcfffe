"""The submission workbook's layout: the single source of truth for the writer and the reader."""

from __future__ import annotations

TEMPLATE_VERSION = "DVCTT-1"

SHEET_GUIDE = "Hướng dẫn"
SHEET_INFO = "Thông tin chung"
SHEET_TARGETS = "Chỉ tiêu"
SHEET_ACTIVITIES = "Hoạt động"
SHEET_TEXT = "Khó khăn, kiến nghị"

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
]
INFO_FIRST_ROW = 3

TARGET_HEADERS = ["STT", "Mã chỉ tiêu", "Tên chỉ tiêu", "Tử số", "Mẫu số", "Có/Không", "Mục tiêu", "Ghi chú"]
ACTIVITY_HEADERS = ["STT", "Mã hoạt động", "Hoạt động", "Đơn vị tính", "Số lượng", "Ghi chú"]
TEXT_HEADERS = ["STT", "Loại", "Nội dung"]
HEADER_ROW = 3

YES, NO = "Có", "Không"
TEXT_KINDS = {"kho_khan": "Khó khăn, vướng mắc", "kien_nghi": "Kiến nghị, đề xuất"}
TEXT_ROWS_PER_KIND = 8
# Rows below the typed ones whose «Loại» the clerk picks from the list: room for more texts on a protected sheet.
TEXT_SPARE_ROWS = 14

# Written for the clerk, never read: the reader looks only for the sheets above, by name.
SHEET_EXAMPLE = "Ví dụ"
SHEET_LISTS = "Danh mục"
# Named ranges on SHEET_LISTS that the drop-down lists use (a quoted "a,b" list splits on every comma).
LIST_TEXT_KINDS = "DS_LOAI"
LIST_YES_NO = "DS_CO_KHONG"
