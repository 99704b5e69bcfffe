"""The workbook a unit fills in (`dvctt template`).

It is prefilled with the unit's identity so the reader can check a unit only submits for
itself, carries Excel data validation so most mistakes are caught while typing, and keeps
its layout in `core.layout` so writer and reader cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from core import layout as L
from core.catalogue import Catalogue, Kind
from core.config import Window
from core.units import Unit
from report import styles as S
from report.xlsx import save_workbook

GUIDE = [
    "HƯỚNG DẪN ĐIỀN BIỂU MẪU BÁO CÁO KẾT QUẢ THỰC HIỆN ĐỀ ÁN 1588/QĐ-TTg",
    "",
    "1. Không đổi tên các trang tính, không sửa cột «Mã chỉ tiêu», «Mã hoạt động» và mã đơn vị đã điền sẵn.",
    "2. Chỉ điền vào các ô màu vàng. Ô màu xám không cần điền.",
    "3. Trang «Chỉ tiêu»: chỉ tiêu tỷ lệ ghi TỬ SỐ và MẪU SỐ là số nguyên (ví dụ 45 và 50), không ghi tỷ lệ phần trăm;"
    " tử số không được lớn hơn mẫu số. Chỉ tiêu Có/Không chọn «Có» hoặc «Không» trong danh sách.",
    "4. Ô để trống được hiểu là CHƯA CÓ SỐ LIỆU (không phải số 0). Nếu kết quả bằng 0, hãy ghi rõ số 0.",
    "5. Trang «Hoạt động»: ghi số lượng là số nguyên không âm; kinh phí ghi bằng đồng (ví dụ 15000000).",
    "6. Trang «Khó khăn, kiến nghị»: ghi nội dung khó khăn, vướng mắc và kiến nghị, đề xuất; có thể thêm dòng.",
    "7. Lưu tệp dạng .xlsx và chép vào thư mục dùng chung của đơn vị. Nộp lại tệp mới sẽ thay thế số liệu đã nộp;"
    " các lần nộp trước vẫn được lưu.",
    "8. Nếu tệp bị từ chối, xem tệp phản hồi trong thư mục «phan_hoi» cùng thư mục nộp: tệp ghi rõ trang, ô và cách sửa.",
]


def _header(ws: Worksheet, title: str, headers: list[str], widths: list[int]) -> None:
    ws["A1"] = title
    ws["A1"].font = S.TITLE
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    for col, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row=L.HEADER_ROW, column=col, value=text)
        cell.font, cell.fill, cell.border, cell.alignment = S.BOLD, S.HEADER_FILL, S.BOX, S.CENTER
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = f"A{L.HEADER_ROW + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = f"{L.HEADER_ROW}:{L.HEADER_ROW}"


def _style_row(ws: Worksheet, row: int, ncols: int, inputs: set[int]) -> None:
    for col in range(1, ncols + 1):
        cell = ws.cell(row=row, column=col)
        cell.border, cell.font = S.BOX, S.NORMAL
        cell.alignment = S.WRAP
        if col in inputs:
            cell.fill = S.INPUT_FILL


def _target_text(targets: dict[int, float]) -> str:
    return "; ".join(f"{y}: {v:.0%}" for y, v in sorted(targets.items()))


def build_template(unit: Unit, year: int, window: Window, catalogue: Catalogue) -> Workbook:
    wb = Workbook()
    guide = wb.worksheets[0]
    guide.title = L.SHEET_GUIDE
    for i, line in enumerate(GUIDE, start=1):
        guide.cell(row=i, column=1, value=line).font = S.TITLE if i == 1 else S.NORMAL
    guide.column_dimensions["A"].width = 140

    info = wb.create_sheet(L.SHEET_INFO)
    info["A1"] = f"BÁO CÁO KẾT QUẢ THỰC HIỆN ĐỀ ÁN 1588/QĐ-TTg NĂM {year}"
    info["A1"].font = S.TITLE
    values = {
        "Mã đơn vị": unit.code,
        "Tên đơn vị": unit.name,
        "Cấp": unit.level_label,
        "Năm báo cáo": year,
        "Kỳ báo cáo": f"{window.start:%d/%m/%Y} – {window.end:%d/%m/%Y}",
        "Phiên bản mẫu": L.TEMPLATE_VERSION,
    }
    for offset, (label, _key) in enumerate(L.INFO_ROWS):
        row = L.INFO_FIRST_ROW + offset
        info.cell(row=row, column=1, value=label).font = S.BOLD
        info.cell(row=row, column=2, value=values.get(label))
        _style_row(info, row, 2, set() if label in values else {2})
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 60

    targets = wb.create_sheet(L.SHEET_TARGETS)
    _header(targets, f"CÁC CHỈ TIÊU NĂM {year}", L.TARGET_HEADERS, [6, 22, 60, 14, 14, 12, 16, 24])
    whole = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                           errorTitle="Số không hợp lệ", error="Chỉ nhập số nguyên không âm (ví dụ 45).",
                           showErrorMessage=True)
    yes_no = DataValidation(type="list", formula1=f'"{L.YES},{L.NO}"', allow_blank=True,
                            errorTitle="Giá trị không hợp lệ", error="Chọn «Có» hoặc «Không».", showErrorMessage=True)
    targets.add_data_validation(whole)
    targets.add_data_validation(yes_no)
    row = L.HEADER_ROW
    for n, ind in enumerate(catalogue.for_unit_kind(unit.level), start=1):
        row = L.HEADER_ROW + n
        label = ind.label
        if ind.kind is Kind.RATIO:
            label += f"\n– Tử số: {ind.numerator_label}\n– Mẫu số: {ind.denominator_label}"
        for col, value in enumerate([n, ind.code, label, None, None, None, _target_text(ind.targets)], start=1):
            targets.cell(row=row, column=col, value=value)
        inputs = {4, 5} if ind.kind is Kind.RATIO else {6}
        _style_row(targets, row, len(L.TARGET_HEADERS), inputs | {8})
        for col in {4, 5, 6} - inputs:
            targets.cell(row=row, column=col).fill = S.LOCKED_FILL
        if ind.kind is Kind.RATIO:
            whole.add(f"D{row}:E{row}")
        else:
            yes_no.add(f"F{row}")
        targets.cell(row=row, column=4).number_format = S.INT_FMT
        targets.cell(row=row, column=5).number_format = S.INT_FMT

    acts = wb.create_sheet(L.SHEET_ACTIVITIES)
    _header(acts, f"KẾT QUẢ CÁC HOẠT ĐỘNG TUYÊN TRUYỀN NĂM {year}", L.ACTIVITY_HEADERS, [6, 20, 60, 14, 16, 24])
    whole_acts = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                errorTitle="Số không hợp lệ", error="Chỉ nhập số nguyên không âm.", showErrorMessage=True)
    acts.add_data_validation(whole_acts)
    for n, act in enumerate(catalogue.activities, start=1):
        row = L.HEADER_ROW + n
        for col, entry in enumerate([n, act.code, act.label, act.unit], start=1):
            acts.cell(row=row, column=col, value=entry)
        _style_row(acts, row, len(L.ACTIVITY_HEADERS), {5, 6})
        acts.cell(row=row, column=5).number_format = S.INT_FMT
        whole_acts.add(f"E{row}")

    text = wb.create_sheet(L.SHEET_TEXT)
    _header(text, "KHÓ KHĂN, VƯỚNG MẮC VÀ KIẾN NGHỊ, ĐỀ XUẤT", L.TEXT_HEADERS, [6, 24, 110])
    kinds = DataValidation(type="list", formula1='"' + ",".join(L.TEXT_KINDS.values()) + '"', allow_blank=True)
    text.add_data_validation(kinds)
    n = 0
    for kind_label in L.TEXT_KINDS.values():
        for _ in range(L.TEXT_ROWS_PER_KIND):
            n += 1
            row = L.HEADER_ROW + n
            text.cell(row=row, column=1, value=n)
            text.cell(row=row, column=2, value=kind_label)
            _style_row(text, row, 3, {3})
            kinds.add(f"B{row}")
    wb.active = 1
    return wb


def write_template(unit: Unit, year: int, window: Window, catalogue: Catalogue, path: Path) -> Path:
    return save_workbook(build_template(unit, year, window, catalogue), path)
