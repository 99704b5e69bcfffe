"""Render what a leader prints to docs/*.png: the annex workbook's one-page «Tóm tắt» and the targets' chart on
«Tổng hợp» (`make docs-pictures`; needs LibreOffice and poppler-utils).

The workbook is the Lai Châu 2025 demo's, produced at a fixed time, so the pictures change only when the pages do.
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

from printed_pages import page_png, print_to_pdf, soffice

from dvctt.demo import create_demo
from dvctt.pipeline import build_report

PRODUCED_AT = datetime(2025, 12, 13, 1, 0, tzinfo=UTC)


def main() -> None:
    soffice()  # both tools, before the demo is built
    with TemporaryDirectory(prefix="dvctt-annex-") as tmp:
        workspace = Path(tmp) / "ws"
        create_demo(workspace, "12", 2025, run=True)
        report = build_report(workspace, produced_at=PRODUCED_AT).path
        print_to_pdf([report], Path(tmp))
        pdf = Path(tmp) / f"{report.stem}.pdf"
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout.split("\f")
        chart = next(n for n, page in enumerate(text, start=1) if re.search(r"Kết quả so với mục tiêu năm", page))
        page_png(pdf, 1, "phu_luc_tom_tat", 70)
        page_png(pdf, chart, "phu_luc_bieu_do", 70)


if __name__ == "__main__":
    main()
