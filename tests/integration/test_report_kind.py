"""Draft or final, and when: `dvctt report` prints the run's clock and DỰ THẢO, `--chinh-thuc` CHÍNH THỨC."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from core import clock
from dvctt.cli import app

NOW = datetime(2025, 12, 13, 2, 5, tzinfo=UTC)  # 09:05 in Vietnam


@pytest.mark.parametrize(("flags", "kind"), [([], "DỰ THẢO"), (["--chinh-thuc"], "CHÍNH THỨC")])
def test_the_report_says_its_kind_and_the_time_it_was_produced(demo_run: Path, tmp_path: Path, flags: list[str],
                                                               kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(demo_run, ws, symlinks=True)
    monkeypatch.setattr(clock, "now", lambda: NOW)
    done = CliRunner().invoke(app, ["report", "--workspace", str(ws), *flags])
    assert done.exit_code == 0, done.output
    book = load_workbook(done.stdout.strip().splitlines()[-1])
    for sheet in book.worksheets:
        assert sheet.oddHeader.center.text == f"&B{kind} – lập lúc 09:05 ngày 13/12/2025", sheet.title
