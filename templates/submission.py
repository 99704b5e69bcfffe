"""The workbook a unit fills in (`dvctt template`).

It is prefilled with the unit's identity so the reader can check a unit only submits for
itself, and keeps its layout in `core.layout` so writer and reader cannot drift apart. It is
made hard to misfill: every sheet is protected (no password) with only the input cells open,
each input cell explains itself when selected (an input message) and refuses what the intake
would reject (whole numbers ≥ 0, a numerator not above its denominator, a choice from a list).
Drop-down lists read their choices from named ranges on a list sheet: a quoted "a,b" list
splits at every comma, and "Khó khăn, vướng mắc" has one. Rows are sized for their wrapped text,
and every sheet prints on A4 fitted to the page width.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from openpyxl import Workbook
from openpyxl.styles import Font, NamedStyle, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.worksheet.worksheet import Worksheet

from core import layout as L
from core.catalogue import Catalogue, Indicator, Kind
from core.config import Task, Window, WorkspaceConfig
from core.units import Unit, unit_registry_label
from report import styles as S
from report.tables import PageLabels, fit_row, setup_print, text_lines
from report.xlsx import save_workbook, write_text

PROMPT_MAX, TITLE_MAX = 255, 32  # Excel's limits for an input or error message and its title
# Cell styles are named styles of the workbook: one assignment per cell instead of four (openpyxl spends most of
# a template's time hashing styles), which makes `dvctt template --all` three times faster.
CELL, INPUT, HEADER, GREY, EXAMPLE = "dvctt_o", "dvctt_o_nhap", "dvctt_tieu_de", "dvctt_o_khoa", "dvctt_vi_du"
EXAMPLE_FILL = PatternFill("solid", fgColor="E2EFDA")
CODE = Font(name=S.FONT_NAME, size=10)  # codes are capitals, which are wide: a smaller size keeps them on one line
EXAMPLE_TITLE = Font(name=S.FONT_NAME, size=14, bold=True, color="C00000")
REQUIRED = " *"  # after a label; the reader folds labels, so "Người lập biểu *" still reads as "Người lập biểu"
WHOLE_ERROR = "Chỉ nhập số nguyên không âm (ví dụ 45), không ghi chữ, không ghi tỷ lệ %. Chưa có số liệu thì để trống."

GUIDE = [
    "HƯỚNG DẪN ĐIỀN BIỂU MẪU BÁO CÁO KẾT QUẢ THỰC HIỆN ĐỀ ÁN 1588/QĐ-TTg",
    "1. Không đổi tên các trang tính, không sửa cột «Mã chỉ tiêu», «Mã hoạt động» và các thông tin đã ghi sẵn "
    "(mã, tên đơn vị, năm báo cáo).",
    "2. Chỉ điền vào các ô màu vàng; các ô khác đã được khóa. Khi chọn một ô màu vàng, một ghi chú hiện ra cho biết "
    "cần ghi gì. Ô có dấu * là ô bắt buộc phải điền.",
    "3. Trang «Chỉ tiêu»: chỉ tiêu tỷ lệ ghi TỬ SỐ và MẪU SỐ là số nguyên (ví dụ 45 và 50), không ghi tỷ lệ phần "
    "trăm; tử số không được lớn hơn mẫu số. Chỉ tiêu Có/Không chọn «Có» hoặc «Không» trong danh sách. "
    "Gõ sai (chữ, số âm, số lẻ, tử số lớn hơn mẫu số) thì Excel/LibreOffice báo ngay.",
    "4. Ô để trống được hiểu là CHƯA CÓ SỐ LIỆU (không phải số 0). Nếu kết quả bằng 0, hãy ghi rõ số 0.",
    "5. Trang «Hoạt động»: ghi số lượng là số nguyên không âm; kinh phí ghi bằng đồng (ví dụ 15000000).",
    "6. Trang «Khó khăn, kiến nghị»: mỗi ý ghi một dòng ở cột «Nội dung»; cột «Loại» chọn «Khó khăn, vướng mắc» "
    "hoặc «Kiến nghị, đề xuất» trong danh sách. Cần thêm ý thì dùng các dòng trống phía dưới (hoặc chèn thêm dòng) "
    "và chọn «Loại» cho từng dòng: dòng có nội dung mà không có loại sẽ bị trả lại.",
    "7. Trang «Ví dụ» là một bản điền mẫu để tham khảo: số liệu ghi ở trang đó KHÔNG được đọc. Trang «Danh mục» "
    "chứa các lựa chọn của ô chọn (vùng tên DS_LOAI, DS_CO_KHONG và DS_TINH_TRANG); không sửa trang này.",
    "8. Các trang được bảo vệ để tránh sửa nhầm, KHÔNG đặt mật khẩu. Nếu thật cần bỏ bảo vệ: Excel chọn Review "
    "(Xem lại) → Unprotect Sheet (Bỏ bảo vệ trang tính); LibreOffice chọn Tools (Công cụ) → Protect Sheet "
    "(Bảo vệ trang tính).",
    "9. Lưu tệp dạng .xlsx và chép vào thư mục dùng chung của đơn vị. Nộp lại tệp mới sẽ thay thế số liệu đã nộp; "
    "các lần nộp trước vẫn được lưu.",
    "10. Nếu tệp bị từ chối hoặc có cảnh báo, xem tệp phản hồi (.phan_hoi.xlsx, kèm bản .phan_hoi.txt để gửi thư) "
    "trong thư mục «phan_hoi» cùng thư mục nộp: tệp ghi rõ trang, ô, giá trị và cách sửa.",
    "11. Trang «Thông tin chung» ghi sẵn danh mục đơn vị hành chính mà mã đơn vị thuộc về (từ 01/07/2025 nhiều mã "
    "cũ được dùng lại cho đơn vị mới): không sửa. Nếu đơn vị có kế hoạch thực hiện Đề án, ghi số và ngày ban hành "
    "(ví dụ 51/KH-UBND ngày 03/4/2025) ở dòng «Kế hoạch của đơn vị».",
    "12. Đơn vị chủ trì nhiệm vụ của kế hoạch có thêm trang «Nhiệm vụ»: chọn tình trạng của từng nhiệm vụ (Chưa "
    "triển khai, Đang thực hiện, Hoàn thành) và ghi ngắn gọn kết quả.",
]


def template_name(unit_code: str, year: int) -> str:
    """The file name a unit receives its template under (reminders, `dvctt template --all`)."""
    return f"bieu_mau_dvctt_{unit_code}_{year}.xlsx"


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Rule:
    """What an input cell accepts (an Excel data validation), and what Excel says when it refuses a value."""

    kind: Literal["whole", "list", "date", "textLength", "custom"]
    formula1: str
    title: str
    error: str
    operator: Literal["between", "greaterThanOrEqual", "lessThanOrEqual"] | None = None
    formula2: str | None = None


def _input(ws: Worksheet, ref: str, title: str, prompt: str, rule: Rule | None = None) -> None:
    """Open the cells of `ref` for input, coloured, with an input message and, when `rule` is given, a check
    that refuses anything else."""
    dv = DataValidation(allow_blank=True, showInputMessage=True, promptTitle=_fit(title, TITLE_MAX),
                        prompt=_fit(prompt, PROMPT_MAX))
    if rule is not None:
        dv.type, dv.operator, dv.formula1, dv.formula2 = rule.kind, rule.operator, rule.formula1, rule.formula2
        dv.showErrorMessage, dv.errorTitle, dv.error = True, _fit(rule.title, TITLE_MAX), _fit(rule.error, PROMPT_MAX)
    ws.add_data_validation(dv)
    dv.add(ref)
    for row in ws[ref] if ":" in ref else ((ws[ref],),):
        for cell in row:
            kept = cell.number_format, cell.quotePrefix
            cell.style = INPUT
            cell.number_format, cell.quotePrefix = kept


WHOLE = Rule("whole", "0", "Số không hợp lệ", WHOLE_ERROR, "greaterThanOrEqual")


def _pick(list_name: str, choices: str) -> Rule:
    return Rule("list", list_name, "Giá trị không có trong danh sách", f"Chọn một giá trị trong danh sách: {choices}.")


def _protect(ws: Worksheet, insert_rows: bool = False) -> None:
    """Locked cells cannot change; rows and columns can still be resized (long texts), and, where asked,
    rows inserted. No password: protection prevents slips, it is not security."""
    ws.protection = SheetProtection(sheet=True, formatRows=False, formatColumns=False, insertRows=not insert_rows)


def _header(ws: Worksheet, title: str, headers: list[str], widths: list[int], page: PageLabels) -> None:
    write_text(ws["A1"], title)
    ws["A1"].font = S.TITLE
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    for col, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row=L.HEADER_ROW, column=col, value=text)
        cell.style = HEADER
        ws.column_dimensions[cell.column_letter].width = width
    fit_row(ws, L.HEADER_ROW, max(text_lines(h, w) for h, w in zip(headers, widths, strict=True)))
    ws.freeze_panes = f"A{L.HEADER_ROW + 1}"
    setup_print(ws, L.HEADER_ROW, page)


def _row(ws: Worksheet, row: int, values: Sequence[object], widths: list[int]) -> None:
    """Bordered, wrapped cells (text never a formula) and a row tall enough for the longest of them."""
    lines = 1
    for col, (value, width) in enumerate(zip(values, widths, strict=True), start=1):
        cell = ws.cell(row=row, column=col)
        cell.style = CELL  # before the value: a style replaces the quote prefix that keeps "=…" text
        write_text(cell, value) if isinstance(value, str) else setattr(cell, "value", value)
        if isinstance(value, str):
            lines = max(lines, text_lines(value, width))
    fit_row(ws, row, lines)


def _target_text(targets: dict[int, float]) -> str:
    return "; ".join(f"{y}: {v:.0%}" for y, v in sorted(targets.items()))


def _guide(ws: Worksheet, page: PageLabels) -> None:
    width = 80  # LibreOffice cuts a single column wider than the page instead of fitting it to the width
    ws.column_dimensions["A"].width = width
    for i, line in enumerate(GUIDE, start=1):
        cell = ws.cell(row=i, column=1)
        write_text(cell, line)
        cell.font, cell.alignment = (S.TITLE if i == 1 else S.NORMAL), S.WRAP
        # capitals in a larger font take half as many characters a line; a little air between paragraphs
        fit_row(ws, i, text_lines(line, width / 2) if i == 1 else text_lines(line, width) + 1)
    setup_print(ws, None, page, "portrait")
    _protect(ws)


def _info(ws: Worksheet, unit: Unit, year: int, window: Window, page: PageLabels, registry: str) -> None:
    write_text(ws["A1"], f"BÁO CÁO KẾT QUẢ THỰC HIỆN ĐỀ ÁN 1588/QĐ-TTg NĂM {year}")
    ws["A1"].font = S.TITLE
    ws.merge_cells("A1:B1")
    widths = [26, 60]
    values: dict[str, object] = {
        "Mã đơn vị": unit.code,
        "Tên đơn vị": unit.name,
        "Cấp": unit.level_label,
        "Năm báo cáo": year,
        "Kỳ báo cáo": f"{window.start:%d/%m/%Y} – {window.end:%d/%m/%Y}",
        "Phiên bản mẫu": L.TEMPLATE_VERSION,
        "Danh mục đơn vị": registry,
    }
    inputs = {
        "Người lập biểu": ("Bắt buộc. Họ và tên người lập biểu, để bộ phận tổng hợp liên hệ khi cần hỏi lại số liệu.",
                           Rule("textLength", "2", "Chưa ghi họ tên", "Ghi họ và tên người lập biểu (2 đến 100 ký tự).",
                                "between", "100")),
        "Số điện thoại": ("Bắt buộc. Số điện thoại liên hệ của người lập biểu, ví dụ 0213 3876 543 hoặc 0912 345 678.",
                          Rule("textLength", "9", "Số điện thoại không hợp lệ",
                               "Ghi số điện thoại từ 9 đến 20 ký tự, ví dụ 0912 345 678.", "between", "20")),
        "Ngày lập": (f"Bắt buộc. Ngày lập biểu, dạng ngày/tháng/năm, ví dụ 05/12/{year}.",
                     Rule("date", f"DATE({year},1,1)", "Ngày không hợp lệ",
                          f"Ghi ngày lập biểu trong năm {year} hoặc {year + 1}, dạng ngày/tháng/năm.", "between",
                          f"DATE({year + 1},12,31)")),
    }
    optional = {
        "Kế hoạch của đơn vị (số, ngày)": (
            "Không bắt buộc. Số và ngày ban hành kế hoạch thực hiện Đề án của đơn vị (kế hoạch riêng hoặc kế hoạch "
            "lồng ghép), ví dụ 51/KH-UBND ngày 03/4/2025.",
            Rule("textLength", "200", "Quá dài", "Ghi số và ngày ban hành kế hoạch, không quá 200 ký tự.",
                 "lessThanOrEqual")),
    }
    for offset, (label, _key) in enumerate(L.INFO_ROWS):
        row = L.INFO_FIRST_ROW + offset
        _row(ws, row, [label + (REQUIRED if label in inputs else ""), values.get(label)], widths)
        ws.cell(row=row, column=1).font = S.BOLD
        if label in inputs or label in optional:
            prompt, rule = inputs.get(label) or optional[label]
            _input(ws, f"B{row}", label, prompt, rule)
        if label == "Số điện thoại":
            ws.cell(row=row, column=2).number_format = "@"  # text: the leading 0 stays
        elif label == "Ngày lập":
            ws.cell(row=row, column=2).number_format = "dd/mm/yyyy"
    last = L.INFO_FIRST_ROW + len(L.INFO_ROWS) + 1
    note = ws.cell(row=last, column=1)
    write_text(note, "(*) Ô bắt buộc phải điền. Ô màu vàng do đơn vị điền; các ô khác đã ghi sẵn, không sửa.")
    note.font = S.ITALIC
    ws.merge_cells(start_row=last, start_column=1, end_row=last, end_column=2)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    setup_print(ws, None, page, "portrait")
    _protect(ws)


def _targets(ws: Worksheet, indicators: list[Indicator], year: int, page: PageLabels) -> None:
    widths = [6, 26, 60, 13, 13, 12, 14, 24]
    _header(ws, f"CÁC CHỈ TIÊU NĂM {year}", L.TARGET_HEADERS, widths, page)
    for n, ind in enumerate(indicators, start=1):
        row = L.HEADER_ROW + n
        label = ind.label
        if ind.kind is Kind.RATIO:
            label += f"\n– Tử số: {ind.numerator_label}\n– Mẫu số: {ind.denominator_label}"
        _row(ws, row, [n, ind.code, label, None, None, None, _target_text(ind.targets), None], widths)
        ws.cell(row=row, column=2).font = CODE
        d, e = f"D{row}", f"E{row}"
        if ind.kind is Kind.RATIO:
            _input(ws, d, "Tử số", f"{ind.numerator_label}. Số nguyên ≥ 0, không lớn hơn mẫu số (cột E). Chưa có "
                   "số liệu thì để trống; kết quả bằng 0 thì ghi 0.",
                   Rule("custom", f"AND(ISNUMBER({d}),{d}>=0,{d}=INT({d}),OR(ISBLANK({e}),{d}<={e}))",
                        "Tử số không hợp lệ",
                        "Tử số là số nguyên không âm và không lớn hơn mẫu số ở cột E (ví dụ 45 trên 50)."))
            _input(ws, e, "Mẫu số", f"{ind.denominator_label}. Số nguyên ≥ 0, không nhỏ hơn tử số (cột D).",
                   Rule("custom", f"AND(ISNUMBER({e}),{e}>=0,{e}=INT({e}),OR(ISBLANK({d}),{d}<={e}))",
                        "Mẫu số không hợp lệ",
                        "Mẫu số là số nguyên không âm và không nhỏ hơn tử số ở cột D (ví dụ 45 trên 50)."))
            ws[f"F{row}"].style = GREY
        else:
            _input(ws, f"F{row}", "Có/Không", f"Chọn «Có» hoặc «Không» trong danh sách: {ind.label}? Chưa có thông "
                   "tin thì để trống.", _pick(L.LIST_YES_NO, f"«{L.YES}» hoặc «{L.NO}»"))
            ws[d].style = ws[e].style = GREY
        ws[d].number_format = ws[e].number_format = S.INT_FMT
        _input(ws, f"H{row}", "Ghi chú", "Không bắt buộc: nguồn số liệu, hoặc giải thích khi số liệu khác thường.")
    _protect(ws)


def _activities(ws: Worksheet, activities: list, year: int, page: PageLabels) -> None:
    widths = [6, 22, 56, 14, 16, 24]
    _header(ws, f"KẾT QUẢ CÁC HOẠT ĐỘNG TUYÊN TRUYỀN NĂM {year}", L.ACTIVITY_HEADERS, widths, page)
    for n, act in enumerate(activities, start=1):
        row = L.HEADER_ROW + n
        _row(ws, row, [n, act.code, act.label, act.unit, None, None], widths)
        ws.cell(row=row, column=2).font = CODE
        money = " Ghi bằng đồng, ví dụ 15000000." if act.unit == "đồng" else ""
        _input(ws, f"E{row}", "Số lượng", f"{act.label} (đơn vị tính: {act.unit}). Số nguyên ≥ 0.{money} Chưa có số "
               "liệu thì để trống; không có thì ghi 0.", WHOLE)
        ws[f"E{row}"].number_format = S.INT_FMT
        _input(ws, f"F{row}", "Ghi chú", "Không bắt buộc: giải thích thêm về hoạt động.")
    _protect(ws)


def _tasks(ws: Worksheet, tasks: Sequence[Task], year: int, page: PageLabels) -> None:
    """The plan's tasks this unit leads: their status (a list) and what was done, one row each."""
    widths = [6, 14, 60, 20, 30, 18, 40]
    _header(ws, f"TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ ĐƯỢC GIAO CHỦ TRÌ NĂM {year}", L.TASK_HEADERS, widths, page)
    choices = "«" + "», «".join(L.TASK_STATUSES.values()) + "»"
    for n, task in enumerate(tasks, start=1):
        row = L.HEADER_ROW + n
        title = task.title + (f" ({task.ref})" if task.ref else "")
        _row(ws, row, [n, task.code, title, task.period or "", task.partners or "", None, None], widths)
        ws.cell(row=row, column=2).font = CODE
        _input(ws, f"F{row}", "Tình trạng", f"Chọn trong danh sách: {choices}.",
               _pick(L.LIST_TASK_STATUS, choices))
        _input(ws, f"G{row}", "Kết quả, ghi chú", "Không bắt buộc: kết quả chính, sản phẩm, lý do chưa triển khai.")
    _protect(ws)


def _texts(ws: Worksheet, page: PageLabels) -> None:
    widths = [6, 24, 100]
    _header(ws, "KHÓ KHĂN, VƯỚNG MẮC VÀ KIẾN NGHỊ, ĐỀ XUẤT", L.TEXT_HEADERS, widths, page)
    kinds: list[str | None] = [kind for kind in L.TEXT_KINDS.values() for _ in range(L.TEXT_ROWS_PER_KIND)]
    kinds += [None] * L.TEXT_SPARE_ROWS
    first, last = L.HEADER_ROW + 1, L.HEADER_ROW + len(kinds)
    for n, kind in enumerate(kinds, start=1):
        _row(ws, L.HEADER_ROW + n, [n, kind, None], widths)
    choices = "«" + "» hoặc «".join(L.TEXT_KINDS.values()) + "»"
    _input(ws, f"B{first}:B{last}", "Loại", f"Chọn trong danh sách: {choices}. Dòng có nội dung phải có loại.",
           _pick(L.LIST_TEXT_KINDS, choices))
    _input(ws, f"C{first}:C{last}", "Nội dung", "Mỗi ý một dòng, ghi ngắn gọn, cụ thể. Cần thêm dòng thì dùng các dòng "
           "trống phía dưới hoặc chèn dòng, và chọn «Loại» cho dòng đó.")
    _protect(ws, insert_rows=True)


def _example(ws: Worksheet, unit: Unit, year: int, catalogue: Catalogue, page: PageLabels) -> None:
    """A filled example of every kind of input, on a sheet the reader never looks at."""
    widths = [22, 44, 12, 12, 12, 50]
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    write_text(ws["A1"], "VÍ DỤ CÁCH ĐIỀN – TRANG NÀY CHỈ ĐỂ THAM KHẢO, KHÔNG ĐƯỢC ĐỌC KHI TIẾP NHẬN")
    ws["A1"].font = EXAMPLE_TITLE
    ws.merge_cells("A1:F1")
    intro = (f"Số liệu ở trang này không được tổng hợp. Hãy ghi số liệu của đơn vị vào các trang «{L.SHEET_INFO}», "
             f"«{L.SHEET_TARGETS}», «{L.SHEET_ACTIVITIES}» và «{L.SHEET_TEXT}», theo cách điền dưới đây.")
    write_text(ws["A2"], intro)
    ws["A2"].font, ws["A2"].alignment = S.ITALIC, S.WRAP
    ws.merge_cells("A2:F2")
    fit_row(ws, 2, text_lines(intro, sum(widths)))
    indicators = catalogue.for_unit_kind(unit.level)
    acts = catalogue.activities_for(unit.level)
    ratios = [i for i in indicators if i.kind is Kind.RATIO]
    yes_no = [i for i in indicators if i.kind is Kind.YES_NO]
    sections: list[tuple[str, list[str], set[int], Sequence[Sequence[object]]]] = [
        (f"1. Trang «{L.SHEET_INFO}»", ["Mục", "Giá trị ghi", "", "", "", "Giải thích"], {2}, [
            ["Người lập biểu" + REQUIRED, "Nguyễn Văn An", None, None, None, "Họ và tên người lập biểu."],
            ["Số điện thoại" + REQUIRED, "0213 3876 543", None, None, None, "Số máy để liên hệ khi cần hỏi lại."],
            ["Ngày lập" + REQUIRED, date(year, 12, 5), None, None, None, "Dạng ngày/tháng/năm."],
        ]),
        (f"2. Trang «{L.SHEET_TARGETS}»", ["Mã chỉ tiêu", "Tên chỉ tiêu", "Tử số", "Mẫu số", "Có/Không",
                                          "Giải thích"], {3, 4, 5}, [
            *([[ratios[0].code, ratios[0].label, 45, 50, None,
                "45 trên 50: hệ thống tự tính tỷ lệ 90%. Ghi hai số đếm được, không ghi 90%."]] if ratios else []),
            *([[ratios[1].code, ratios[1].label, 0, 12, None,
                "Kết quả bằng 0 thì ghi 0. Chưa có số liệu thì để trống cả hai ô (không ghi 0)."]]
              if len(ratios) > 1 else []),
            *([[yes_no[0].code, yes_no[0].label, None, None, L.YES, "Chọn «Có» hoặc «Không» trong danh sách."]]
              if yes_no else []),
        ]),
        (f"3. Trang «{L.SHEET_ACTIVITIES}»", ["Mã hoạt động", "Hoạt động", "Số lượng", "", "", "Giải thích"], {3}, [
            [a.code, a.label, value, None, None, why] for a, value, why in (
                *((a, 12, "Số nguyên, không kèm chữ hay đơn vị tính.") for a in acts[:1]),
                *((a, 15_000_000, "Kinh phí ghi bằng đồng: 15 triệu đồng ghi 15000000, hiển thị 15.000.000.")
                  for a in acts if a.unit == "đồng" and a.parent is None),
            )
        ]),
        (f"4. Trang «{L.SHEET_TEXT}»", ["Loại", "Nội dung", "", "", "", "Giải thích"], {1, 2}, [
            [L.TEXT_KINDS["kho_khan"], "Hạ tầng mạng Internet tại các thôn vùng cao chưa ổn định.", None, None, None,
             "Mỗi ý một dòng."],
            [L.TEXT_KINDS["kien_nghi"], "Đề nghị tổ chức thêm lớp tập huấn kỹ năng số cho cán bộ cấp xã.", None, None,
             None, "Dòng thêm mới: chọn «Loại» trong danh sách."],
        ]),
    ]
    row = 3
    for title, headers, filled, body in sections:
        row += 1
        write_text(ws.cell(row=row, column=1), title)
        ws.cell(row=row, column=1).font = S.BOLD
        row += 1
        _row(ws, row, headers, widths)
        for cell in ws[row]:
            cell.style = HEADER
        for values in body:
            row += 1
            _row(ws, row, values, widths)
            if isinstance(values[0], str) and values[0].isupper():
                ws.cell(row=row, column=1).font = CODE
            for col in filled:
                cell = ws.cell(row=row, column=col)
                cell.style = EXAMPLE
                cell.number_format = "dd/mm/yyyy" if isinstance(cell.value, date) else S.INT_FMT
    setup_print(ws, None, page)
    _protect(ws)


def _lists(wb: Workbook, ws: Worksheet, page: PageLabels) -> None:
    """The drop-down choices, one per cell, under the names the validations use."""
    write_text(ws["A1"], "DANH SÁCH LỰA CHỌN CỦA CÁC Ô CHỌN – KHÔNG SỬA TRANG NÀY")
    ws["A1"].font = S.TITLE
    for col, (name, title, choices) in enumerate([
        (L.LIST_TEXT_KINDS, f"Loại (trang «{L.SHEET_TEXT}»)", list(L.TEXT_KINDS.values())),
        (L.LIST_YES_NO, f"Có/Không (trang «{L.SHEET_TARGETS}»)", [L.YES, L.NO]),
        (L.LIST_TASK_STATUS, f"Tình trạng (trang «{L.SHEET_TASKS}»)", list(L.TASK_STATUSES.values())),
    ]):
        column = 1 + 2 * col
        letter = get_column_letter(column)
        ws.column_dimensions[letter].width = 36
        head = ws.cell(row=L.HEADER_ROW, column=column)
        head.style = HEADER
        write_text(head, title)
        for offset, choice in enumerate(choices, start=1):
            cell = ws.cell(row=L.HEADER_ROW + offset, column=column)
            cell.style = CELL
            write_text(cell, choice)
        ref = f"{quote_sheetname(ws.title)}!${letter}${L.HEADER_ROW + 1}:${letter}${L.HEADER_ROW + len(choices)}"
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    ws.column_dimensions["B"].width = 4
    setup_print(ws, None, page, "portrait")
    _protect(ws)


def _named_styles(wb: Workbook) -> None:
    def boxed(name: str, fill: PatternFill | None = None, locked: bool = True) -> NamedStyle:
        return NamedStyle(name, font=S.NORMAL, fill=fill or PatternFill(), border=S.BOX, alignment=S.WRAP,
                          protection=Protection(locked=locked))

    for style in (boxed(CELL), boxed(GREY, S.LOCKED_FILL), boxed(INPUT, S.INPUT_FILL, locked=False),
                  boxed(EXAMPLE, EXAMPLE_FILL),
                  NamedStyle(HEADER, font=S.BOLD, fill=S.HEADER_FILL, border=S.BOX, alignment=S.CENTER)):
        wb.add_named_style(style)


def build_template(unit: Unit, year: int, window: Window, catalogue: Catalogue, *,
                   config: WorkspaceConfig | None = None) -> Workbook:
    """The unit's workbook. `config` gives the registry its code comes from and the plan's tasks it leads; without
    it (a bare template) the registry is the shipped one valid for the unit, and there are no tasks."""
    wb = Workbook()
    _named_styles(wb)
    page = PageLabels(unit.name, window.end, f"Biểu mẫu báo cáo Đề án 1588/QĐ-TTg năm {year} ({L.TEMPLATE_VERSION})")
    guide = wb.worksheets[0]
    guide.title = L.SHEET_GUIDE
    _guide(guide, page)
    base = config or WorkspaceConfig(province="VN", year=year)
    _info(wb.create_sheet(L.SHEET_INFO), unit, year, window, page, unit_registry_label(unit, window, base))
    _targets(wb.create_sheet(L.SHEET_TARGETS), catalogue.for_unit_kind(unit.level), year, page)
    _activities(wb.create_sheet(L.SHEET_ACTIVITIES), catalogue.activities_for(unit.level), year, page)
    tasks = config.tasks_for(unit.code, unit.level) if config else []
    if tasks:
        _tasks(wb.create_sheet(L.SHEET_TASKS), tasks, year, page)
    _texts(wb.create_sheet(L.SHEET_TEXT), page)
    _example(wb.create_sheet(L.SHEET_EXAMPLE), unit, year, catalogue, page)
    _lists(wb, wb.create_sheet(L.SHEET_LISTS), page)
    wb.active = 1
    return wb


def write_template(unit: Unit, year: int, window: Window, catalogue: Catalogue, path: Path, *,
                   config: WorkspaceConfig | None = None) -> Path:
    return save_workbook(build_template(unit, year, window, catalogue, config=config), path)
