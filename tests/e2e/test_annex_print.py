"""The annex workbook as LibreOffice prints it, under a Vietnamese and an English locale (issue 13).

The demo's report is converted to PDF twice (LANG=vi_VN.UTF-8, LANG=en_US.UTF-8) and read back with pdftotext:
the same text both times, Vietnamese separators (1.234 and 85,5%) and never English ones, a one-page leader
sheet with its headline, the draft stamp and time produced, only the leaders' sheets, in a handful of pages.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from report.workbook import SHEET_LEADER, TECHNICAL_SHEETS
from tests.support.services import print_tools

PRODUCED_AT = datetime(2025, 12, 1, 8, 0, tzinfo=UTC)  # 15:00 in Vietnam
LOCALES = ("vi_VN.UTF-8", "en_US.UTF-8")
MAX_PAGES = 40  # the Lai Châu demo prints in 30 pages (`make demo`, Nghệ An 2026: 32, and 466 before issue 13)
WORD_BOX = 1.3  # a word's box height ÷ its font size, Liberation Serif as pdftotext measures it
VN_THOUSANDS = re.compile(r"\b\d{1,3}(?:\.\d{3})+\b")
VN_PERCENT = re.compile(r"\b\d+,\d%")
EN_THOUSANDS = re.compile(r"\b\d{1,3}(?:,\d{3})+\b(?!%)")
EN_PERCENT = re.compile(r"\b\d+\.\d%")


@dataclass
class Printed:
    pages: dict[str, list[str]]  # locale → the PDF's pages as text
    heights: list[float]  # every word's height on the page, in points (the vi_VN rendering)


@pytest.fixture(scope="module")
def printed(demo_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Printed:
    """The report, a draft produced at PRODUCED_AT, printed under both locales."""
    from dvctt.pipeline import build_report

    soffice = print_tools()
    tmp = tmp_path_factory.mktemp("annex")
    ws = tmp / "ws"
    shutil.copytree(demo_run, ws, symlinks=True)
    report = build_report(ws, produced_at=PRODUCED_AT).path
    pages, heights = {}, []
    for locale in LOCALES:
        out = tmp / locale
        env = {**os.environ, "LANG": locale, "LC_ALL": locale}
        subprocess.run([soffice, f"-env:UserInstallation={(tmp / f'profile-{locale}').as_uri()}", "--headless",
                        "--norestore", "--convert-to", "pdf", "--outdir", str(out), str(report)], env=env,
                       capture_output=True, timeout=600, check=True)
        text = subprocess.run(["pdftotext", "-layout", str(out / f"{report.stem}.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
        pages[locale] = [p for p in text.split("\f") if p.strip()]
        if locale == LOCALES[0]:
            boxes = subprocess.run(["pdftotext", "-bbox", str(out / f"{report.stem}.pdf"), "-"], capture_output=True,
                                   text=True, check=True).stdout
            heights = [float(y1) - float(y0) for y0, y1 in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"',
                                                                     boxes)]
    return Printed(pages, heights)


def _sheet(page: str) -> str:
    """The sheet a printed page belongs to: its name stands in the footer's middle, before "Trang n"."""
    parts = re.split(r"\s{2,}", page.rstrip().splitlines()[-1].strip())
    assert len(parts) >= 2 and re.fullmatch(r"Trang \d+", parts[-1]), page[-300:]
    return parts[-2]


@pytest.mark.parametrize("locale", LOCALES)
def test_vietnamese_separators_whatever_the_locale(printed: Printed, locale: str) -> None:
    text = "\n".join(printed.pages[locale])
    assert len(VN_THOUSANDS.findall(text)) > 20 and len(VN_PERCENT.findall(text)) > 20
    assert not EN_PERCENT.findall(text), EN_PERCENT.findall(text)[:5]
    assert not EN_THOUSANDS.findall(text), EN_THOUSANDS.findall(text)[:5]
    leader = printed.pages[locale][0]
    assert VN_THOUSANDS.search(leader) and VN_PERCENT.search(leader)


def test_both_locales_print_the_same_text(printed: Printed) -> None:
    assert printed.pages["vi_VN.UTF-8"] == printed.pages["en_US.UTF-8"]


def test_the_leader_sheet_is_one_page_with_its_headline_and_stamp(printed: Printed) -> None:
    pages = printed.pages["vi_VN.UTF-8"]
    sheets = [_sheet(p) for p in pages]
    assert sheets[0] == SHEET_LEADER and sheets.count(SHEET_LEADER) == 1
    assert re.search(r"Đạt \d+/\d+ chỉ tiêu năm 2025 · \d+ đơn vị chưa nộp", pages[0])
    assert all("DỰ THẢO – lập lúc 15:00 ngày 01/12/2025" in p for p in pages)
    assert "Đang thực hiện" in pages[0] and "Chưa đạt" in pages[0]  # CQ_CAITIEN's 2030 target is progress in 2025
    assert "CB_TRUYENTHONG" not in "\n".join(pages)  # names, never catalogue codes


def test_only_the_leaders_sheets_print_in_a_handful_of_pages(printed: Printed) -> None:
    pages = printed.pages["vi_VN.UTF-8"]
    sheets = [_sheet(p) for p in pages]
    print(f"annex: {len(pages)} pages", {s: sheets.count(s) for s in dict.fromkeys(sheets)})
    assert not set(sheets) & set(TECHNICAL_SHEETS)
    assert len(pages) <= MAX_PAGES
    numbers = [int(re.search(r"Trang (\d+)\s*$", p.rstrip()).group(1)) for p in pages]  # type: ignore[union-attr]
    starts = [n for n, s in enumerate(sheets) if n == 0 or s != sheets[n - 1]]
    assert all(numbers[n] == 1 for n in starts)  # every sheet numbers its own pages


def test_every_printed_word_is_9_pt_or_more(printed: Printed) -> None:
    """A word's box in Liberation Serif is 1.3 times its size (15.6 pt for 12 pt text at 100 %): fitting a sheet to
    the page never shrinks its text below 9 pt (the one-page Tóm tắt is 9 pt at 100 %)."""
    assert min(printed.heights) / WORD_BOX >= 9 - 0.1
