"""Render what a leader prints to docs/*.png: the annex workbook's one-page «Tóm tắt» and the targets' chart on
«Tổng hợp» (`make docs-pictures`; needs LibreOffice and poppler-utils).

The workbook is the Lai Châu 2025 demo's, produced at a fixed time, so the pictures change only when the pages do.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

from dvctt.demo import create_demo
from dvctt.pipeline import build_report

DOCS = Path(__file__).resolve().parent
PRODUCED_AT = datetime(2025, 12, 13, 1, 0, tzinfo=UTC)


def _png(pdf: Path, page: int, name: str) -> None:
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(DOCS / name)], check=True)


def main() -> None:
    soffice = shutil.which("soffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        sys.exit("Cần LibreOffice (soffice) và poppler-utils (pdftoppm).")
    with TemporaryDirectory(prefix="dvctt-annex-") as tmp:
        workspace = Path(tmp) / "ws"
        create_demo(workspace, "12", 2025, run=True)
        report = build_report(workspace, produced_at=PRODUCED_AT).path
        env = {**os.environ, "LC_ALL": "vi_VN.UTF-8", "LANG": "vi_VN.UTF-8"}
        subprocess.run([soffice, f"-env:UserInstallation={(Path(tmp) / 'profile').as_uri()}", "--headless",
                        "--norestore", "--convert-to", "pdf", "--outdir", tmp, str(report)],
                       env=env, check=True, capture_output=True)
        pdf = Path(tmp) / f"{report.stem}.pdf"
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout.split("\f")
        chart = next(n for n, page in enumerate(text, start=1) if re.search(r"Kết quả so với mục tiêu năm", page))
        _png(pdf, 1, "phu_luc_tom_tat")
        _png(pdf, chart, "phu_luc_bieu_do")


if __name__ == "__main__":
    main()
