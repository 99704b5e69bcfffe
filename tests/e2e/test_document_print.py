"""The Báo cáo as a recipient opens it: LibreOffice renders the .docx to PDF, pdftotext reads it back, and every
figure sentence of section II must say what the workbook's «Dữ liệu» sheet holds (read with openpyxl)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from core.catalogue import load_catalogue
from dvctt.pipeline import build_report
from tests.support.oracle_readers import read_data_sheet
from tests.support.services import print_tools

ROOT = "12"
AT = datetime(2025, 12, 13, 1, 30, tzinfo=UTC)


@dataclass
class Printed:
    text: str  # the body, footers removed, whitespace collapsed
    first_page: str
    pages: int
    data: pd.DataFrame  # the root's rows of «Dữ liệu», by indicator


@pytest.fixture(scope="module")
def printed(demo_run: Path, tmp_path_factory) -> Printed:
    soffice = print_tools()
    tmp = tmp_path_factory.mktemp("document_print")
    ws = tmp / "ws"
    shutil.copytree(demo_run, ws, symlinks=True)
    result = build_report(ws, produced_at=AT)
    profile = f"-env:UserInstallation={(tmp / 'profile').as_uri()}"
    done = subprocess.run([soffice, profile, "--headless", "--norestore", "--convert-to", "pdf", "--outdir",
                           str(tmp / "pdf"), str(result.document)], capture_output=True, text=True, timeout=600,
                          check=False)
    pdf = tmp / "pdf" / f"{result.document.stem}.pdf"
    assert done.returncode == 0 and pdf.is_file(), done.stdout + done.stderr
    raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = raw.split("\f")
    body = [line for line in raw.replace("\f", "\n").splitlines() if "lập lúc" not in line]
    data = read_data_sheet(result.path)
    return Printed(" ".join(" ".join(body).split()), " ".join(pages[0].split()), len([p for p in pages if p.strip()]),
                   data[data["unit_code"] == ROOT].set_index("indicator_code"))


def _vn(n: float) -> str:
    return f"{round(n):,d}".replace(",", ".")


def _pct(fraction: float) -> str:
    return f"{fraction * 100:.1f}".replace(".", ",") + " %"


def test_every_target_sentence_matches_the_data_sheet(printed: Printed) -> None:
    targeted = [i for i in load_catalogue().indicators if i.targets]
    assert len(targeted) >= 15
    for ind in targeted:
        row = printed.data.loc[ind.code]
        start = printed.text.find(f"{ind.label}: ")
        assert start >= 0, ind.code
        sentence = printed.text[start + len(ind.label) + 2:].split(" đơn vị có số liệu.")[0]
        if pd.isna(row["value"]):
            assert sentence.startswith("Chưa có số liệu ("), (ind.code, sentence)
        else:
            figure = f"{_pct(row['value'])} ({_vn(row['numerator'])}/{_vn(row['denominator'])})"
            assert sentence.startswith(figure), (ind.code, sentence, figure)
        goals = re.findall(r"mục tiêu năm (\d{4}): (\d+,\d) %", sentence)
        assert goals, (ind.code, sentence)
        for year, goal in goals:
            assert _pct(ind.targets[int(year)]) == f"{goal} %", (ind.code, sentence)


def test_first_page_reads_as_a_report_to_sign(printed: Printed) -> None:
    first = printed.first_page
    for text in ("DỰ THẢO", "UBND TỈNH LAI CHÂU", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO", "Kính gửi: Ủy ban nhân dân tỉnh Lai Châu.",
                 "Căn cứ Quyết định số 1588/QĐ-TTg", "I. CÔNG TÁC CHỈ ĐẠO, TRIỂN KHAI"):
        assert text in first, text
    assert "Dự thảo – lập lúc 08:30 ngày 13/12/2025" in first  # the footer
    assert 2 <= printed.pages <= 8
    results = printed.text.split("II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU")[1].split("III. CÁC HOẠT ĐỘNG")[0]
    assert re.search(r"\d\.\d %", results) is None  # no English decimal point, whatever the locale
