"""The clerk's files the way a clerk meets them: opened and printed by LibreOffice, in a Vietnamese locale.

A blank and a filled template and two feedback files are printed to PDF; `pdftotext -layout` shows what
shares a page and a line, `pdftotext -raw` gives each cell's wrapped text in one piece (a row too short
for its text loses the lines that do not fit). The template is also saved back to .xlsx by LibreOffice,
to see that it understood the lists, the checks and the protection. Expected values are written here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core import layout as L
from core.catalogue import Kind, load_catalogue
from core.config import write_config
from core.records import Finding
from dvctt.demo import demo_config
from report.feedback import write_feedback
from templates.submission import GUIDE
from tests.support.factory import set_count, set_ratio, set_yes_no, template_for
from tests.support.services import unavailable

COMMUNE, DEPT = "03386", "12-SKHCN"
FILLED = {"Người lập biểu": "Nguyễn Văn Kiểm", "Số điện thoại": "0912 345 678", "Ngày lập": "05/12/2025"}
TEXTS = {"Khó khăn, vướng mắc": "Sóng điện thoại yếu ở bản Nậm Cuổi", "Kiến nghị, đề xuất": "Cấp thêm máy tính bảng"}


@dataclass
class Printed:
    blank: Path
    filled: Path
    department: Path
    feedback_short: Path
    feedback_long: Path
    resaved: Path
    fixes: list[tuple[str, str]]  # (cell, fix) of the long feedback, in order


def _vn(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _figures(code: str, n: int) -> tuple[int, int]:
    return 4300 + n, 5400 + n


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> Printed:
    soffice = shutil.which("soffice")
    if soffice is None:
        unavailable("LibreOffice is not installed (no `soffice` on PATH); .ci/run installs libreoffice-calc")
    tmp = tmp_path_factory.mktemp("clerk")
    ws = tmp / "ws"
    ws.mkdir()
    write_config(ws, demo_config("12", 2025))
    files = {name: tmp / f"{name}.xlsx" for name in ("blank", "filled", "department")}
    template_for(ws, COMMUNE).save(files["blank"])
    template_for(ws, DEPT).save(files["department"])
    wb = template_for(ws, COMMUNE)
    info = wb[L.SHEET_INFO]
    for offset, (label, _) in enumerate(L.INFO_ROWS):
        if label in FILLED:
            value = FILLED[label]
            info.cell(row=L.INFO_FIRST_ROW + offset, column=2,
                      value=date(2025, 12, 5) if label == "Ngày lập" else value)
    for n, ind in enumerate(load_catalogue().for_unit_kind("commune")):
        if ind.kind is Kind.RATIO:
            set_ratio(wb, ind.code, *_figures(ind.code, n))
        else:
            set_yes_no(wb, ind.code, L.YES if n % 2 else L.NO)
    for n, act in enumerate(load_catalogue().activities_for("commune")):
        set_count(wb, act.code, 1200 + n)
    text = wb[L.SHEET_TEXT]
    text.cell(row=L.HEADER_ROW + 1, column=3, value=TEXTS["Khó khăn, vướng mắc"])
    spare = L.HEADER_ROW + 2 * L.TEXT_ROWS_PER_KIND + 1
    text.cell(row=spare, column=2, value="Kiến nghị, đề xuất")
    text.cell(row=spare, column=3, value=TEXTS["Kiến nghị, đề xuất"])
    wb.save(files["filled"])
    arrived = datetime(2025, 12, 6, 2, 0, tzinfo=UTC)
    short = write_feedback(tmp / "ngan.phan_hoi.xlsx", unit_name="Phường Quyết Thắng", file_name="ngan.xlsx",
                           arrived_at=arrived, accepted=False, findings=[
                               Finding("k", "error", "r", "Chỉ tiêu", "D4", "85%", "Số nguyên không âm",
                                       "Sửa #0: ghi số người đã được tuyên truyền, không ghi tỷ lệ phần trăm.")])
    advice = "ô này đang ghi sai; hãy ghi lại đúng số liệu của đơn vị theo hướng dẫn ở trang đầu của biểu mẫu, lưu tệp " \
        "rồi chép lại vào thư mục của đơn vị."
    fixes = [(f"D{4 + n}", f"Sửa #{n}: " + " ".join([advice] * (1 + n % 3))) for n in range(1, 31)]
    long = write_feedback(tmp / "dai.phan_hoi.xlsx", unit_name="Phường Quyết Thắng", file_name="dai.xlsx",
                          arrived_at=arrived, accepted=False,
                          findings=[Finding("k", "error", "r", "Chỉ tiêu", cell, "abc", "Một con số", fix)
                                    for cell, fix in fixes])
    env = {**os.environ, "LC_ALL": "vi_VN.UTF-8", "LANG": "vi_VN.UTF-8"}
    profile = f"-env:UserInstallation={(tmp / 'profile').as_uri()}"
    for target, out, inputs in (("pdf", tmp / "pdf", [*files.values(), short, long]),
                                ("xlsx:Calc MS Excel 2007 XML", tmp / "resaved", [files["blank"]])):
        done = subprocess.run([soffice, profile, "--headless", "--norestore", "--convert-to", target, "--outdir",
                               str(out), *map(str, inputs)], env=env, capture_output=True, text=True, timeout=600,
                              check=False)
        assert done.returncode == 0, done.stdout + done.stderr
    pdf = tmp / "pdf"
    return Printed(pdf / "blank.pdf", pdf / "filled.pdf", pdf / "department.pdf", pdf / "ngan.phan_hoi.pdf",
                   pdf / "dai.phan_hoi.pdf", tmp / "resaved" / "blank.xlsx", fixes)


def _pages(pdf: Path, mode: str = "-layout") -> list[str]:
    if shutil.which("pdftotext") is None:
        unavailable("pdftotext is not installed (poppler-utils); .ci/run installs it")
    text = subprocess.run(["pdftotext", mode, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]  # every page ends with a form feed


def _flat(text: str) -> str:
    return " ".join(text.split())


# The title on the first page of each sheet, in sheet order.
TITLES = ["HƯỚNG DẪN ĐIỀN BIỂU MẪU", "BÁO CÁO KẾT QUẢ THỰC HIỆN ĐỀ ÁN 1588/QĐ-TTg NĂM", "CÁC CHỈ TIÊU NĂM",
          "KẾT QUẢ CÁC HOẠT ĐỘNG TUYÊN TRUYỀN NĂM", "KHÓ KHĂN, VƯỚNG MẮC VÀ KIẾN NGHỊ, ĐỀ XUẤT", "VÍ DỤ CÁCH ĐIỀN",
          "DANH SÁCH LỰA CHỌN"]


def _sheets(pages: list[str]) -> list[list[str]]:
    """The pages of each sheet: a sheet starts on the page with its title and runs until the next title."""
    sheets: list[list[str]] = []
    for page in pages:
        starts = [t for t in TITLES if t in page]
        assert len(starts) <= 1, starts
        if starts:
            sheets.append([page])
        else:
            assert sheets, page[:200]
            sheets[-1].append(page)
    return sheets


def _page_of(pages: list[str], title: str) -> str:
    """A sheet's pages as one text, the sheet named by (a part of) its title."""
    found = [sheet for sheet in _sheets(pages) if title in sheet[0]]
    assert len(found) == 1, (title, len(found))
    return "\n".join(found[0])


def _on_one_line(page: str, *parts: str) -> bool:
    return any(all(part in line for part in parts) for line in page.splitlines())


def test_each_sheet_prints_in_order_and_a_long_one_repeats_its_header(printed: Printed) -> None:
    for pdf in (printed.blank, printed.filled, printed.department):
        sheets = _sheets(_pages(pdf))
        assert [next(t for t in TITLES if t in sheet[0]) for sheet in sheets] == TITLES, pdf
        for sheet in sheets:  # guide, info, indicators, activities, texts, example, lists
            assert len(sheet) <= 3, (pdf, sheet[0][:80])  # the catalogue of the plans fits in a few pages
            for page in sheet[1:]:  # the header row is printed again on every further page of a table
                assert "Mã" in page and "STT" in page, page[:200]


def test_labels_share_a_line_with_their_values(printed: Printed) -> None:
    pages = _pages(printed.filled)
    info = _page_of(pages, "BÁO CÁO KẾT QUẢ THỰC HIỆN ĐỀ ÁN 1588/QĐ-TTg NĂM 2025")
    for label, value in {"Mã đơn vị": COMMUNE, "Tên đơn vị": "Phường Quyết Thắng", "Năm báo cáo": "2025",
                         "Kỳ báo cáo": "15/12/2024 – 14/12/2025", **FILLED}.items():
        assert _on_one_line(info, label, value), (label, value, info)
    targets = _page_of(pages, "CÁC CHỈ TIÊU NĂM 2025")
    assert _on_one_line(targets, *L.TARGET_HEADERS)  # every column on the page: it fits the width
    for n, ind in enumerate(load_catalogue().for_unit_kind("commune")):
        if ind.kind is Kind.RATIO:
            assert _on_one_line(targets, ind.code, *map(_vn, _figures(ind.code, n))), ind.code
        else:
            assert _on_one_line(targets, ind.code, L.YES if n % 2 else L.NO), ind.code
    acts = _page_of(pages, "KẾT QUẢ CÁC HOẠT ĐỘNG TUYÊN TRUYỀN NĂM 2025")
    assert _on_one_line(acts, *L.ACTIVITY_HEADERS)
    for n, act in enumerate(load_catalogue().activities_for("commune")):
        assert _on_one_line(acts, act.code, act.unit, _vn(1200 + n)), act.code
    texts = _page_of(pages, "KHÓ KHĂN, VƯỚNG MẮC VÀ KIẾN NGHỊ, ĐỀ XUẤT")
    for kind, content in TEXTS.items():
        assert _on_one_line(texts, kind, content), kind


def test_no_wrapped_text_is_cut_in_print(printed: Printed) -> None:
    """Instructions, indicator names with their numerator and denominator, whole: nothing cut at the right
    margin or by a row too short for its text."""
    pages = _pages(printed.blank, "-raw")
    raw = [_flat(p) for p in pages]
    guide = _flat(_page_of(pages, "HƯỚNG DẪN ĐIỀN BIỂU MẪU"))
    for paragraph in GUIDE:
        assert _flat(paragraph) in guide, paragraph
    targets = _flat(_page_of(pages, "CÁC CHỈ TIÊU NĂM 2025"))
    for ind in load_catalogue().for_unit_kind("commune"):
        label = ind.label + (f" – Tử số: {ind.numerator_label} – Mẫu số: {ind.denominator_label}"
                             if ind.kind is Kind.RATIO else "")
        assert _flat(label) in targets, ind.code
    example = next(p for p in raw if "VÍ DỤ CÁCH ĐIỀN" in p)
    assert "KHÔNG ĐƯỢC ĐỌC KHI TIẾP NHẬN" in example and "45" in example and "Có" in example
    lists = raw[-1]
    assert all(choice in lists for choice in (*L.TEXT_KINDS.values(), L.YES, L.NO))


def test_feedback_prints_its_verdict_and_every_fix_whole(printed: Printed) -> None:
    short = _pages(printed.feedback_short)
    assert len(short) == 1
    assert _on_one_line(short[0], "Tệp bị TỪ CHỐI: có 1 lỗi.")
    assert _on_one_line(short[0], "Chỉ tiêu", "D4", "85%", "Sửa #0:")
    pages = _pages(printed.feedback_long)
    raw = _flat(" ".join(_pages(printed.feedback_long, "-raw")))
    assert len(pages) >= 2
    assert all(_on_one_line(page, "STT", "Ô", "Cách sửa") for page in pages)  # the header on every page
    for cell, fix in printed.fixes:
        marker = fix.split(":")[0] + ":"
        holding = [page for page in pages if _on_one_line(page, f" {cell} ", marker)]
        assert len(holding) == 1, (cell, marker)  # the cell and its fix start on the same line of one page
        assert _flat(fix) in raw, cell  # and the whole fix is printed


def test_libreoffice_keeps_the_lists_checks_and_protection(printed: Printed) -> None:
    wb = load_workbook(printed.resaved)
    names = {name: list(d.destinations) for name, d in wb.defined_names.items()}
    for name, choices in ((L.LIST_TEXT_KINDS, list(L.TEXT_KINDS.values())), (L.LIST_YES_NO, [L.YES, L.NO])):
        (sheet, ref), = names[name]
        assert [c.value for row in wb[sheet][ref.replace("$", "")] for c in row] == choices
    text = wb[L.SHEET_TEXT]
    kind = next(dv for dv in text.data_validations.dataValidation if f"B{L.HEADER_ROW + 1}" in dv.sqref)
    assert (kind.type, kind.formula1) == ("list", L.LIST_TEXT_KINDS)
    targets = wb[L.SHEET_TARGETS]
    custom = [dv for dv in targets.data_validations.dataValidation if dv.type == "custom"]
    assert custom and all(re.search(r"D(\d+)<=E\1", dv.formula1) for dv in custom)
    assert all(ws.protection.sheet for ws in wb.worksheets)
    assert targets[f"D{L.HEADER_ROW + 1}"].protection.locked is False
    assert targets[f"C{L.HEADER_ROW + 1}"].protection.locked is True
