"""Render what a clerk prints to docs/*.png: the template's first page and its «Chỉ tiêu» page, and the first
page of a feedback file (`make docs-pictures`; needs LibreOffice and poppler-utils).

The feedback comes from a real intake: a commune's template with three typical slips (85% typed as a
numerator, a numerator above its denominator, a word in a count) is dropped into a throw-away workspace.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

from printed_pages import page_png, print_to_pdf, soffice

from core import layout as L
from core.catalogue import load_catalogue
from core.config import load_config, write_config
from core.units import load_registry
from dvctt.demo import demo_config
from dvctt.intake import ingest
from templates.submission import build_template

UNIT = "03386"
ARRIVED = datetime(2025, 12, 5, 2, 30, tzinfo=UTC)  # fixed, so the pictures change only when the pages do


def _spoiled(workspace: Path) -> Path:
    config = load_config(workspace)
    unit = load_registry(config)[UNIT]
    wb = build_template(unit, config.year, config.report_window, load_catalogue())
    targets, acts = wb[L.SHEET_TARGETS], wb[L.SHEET_ACTIVITIES]
    first, second = L.HEADER_ROW + 1, L.HEADER_ROW + 2
    targets[f"D{first}"], targets[f"E{first}"] = 0.85, 50
    targets[f"D{first}"].number_format = "0%"
    targets[f"D{second}"], targets[f"E{second}"] = 14, 12
    acts[f"E{L.HEADER_ROW + 1}"] = "nhiều"
    path = workspace / "inbox" / UNIT / "bao_cao_dvctt_2025.xlsx"
    path.parent.mkdir(parents=True)
    wb.save(path)
    past = time.time() - 600
    os.utime(path, (past, past))
    return path


def main() -> None:
    soffice()  # both tools, before the workspace is built
    with TemporaryDirectory(prefix="dvctt-pictures-") as tmp:
        workspace = Path(tmp) / "ws"
        workspace.mkdir()
        write_config(workspace, demo_config("12", 2025))
        config = load_config(workspace)
        template = Path(tmp) / "bieu_mau.xlsx"
        build_template(load_registry(config)[UNIT], config.year, config.report_window, load_catalogue()).save(template)
        dropped = _spoiled(workspace)
        ingest(workspace, now=ARRIVED)
        feedback = dropped.parent / "phan_hoi" / f"{dropped.stem}.phan_hoi.xlsx"
        pdfs = Path(tmp)
        print_to_pdf([template, feedback], pdfs)
        page_png(pdfs / "bieu_mau.pdf", 1, "bieu_mau_trang_1", 60)
        page_png(pdfs / "bieu_mau.pdf", 3, "bieu_mau_chi_tieu", 60)
        page_png(pdfs / f"{feedback.stem}.pdf", 1, "phan_hoi_trang_1", 60)


if __name__ == "__main__":
    main()
