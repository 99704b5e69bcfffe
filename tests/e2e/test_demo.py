"""`make demo` (issue 14, done when): the cycle under way on two levels, every target filled, last year's column,
at least one estimated split, the plan's tasks, and magnitudes a province would have. Run as `dvctt demo` runs it,
on 30/11/2026."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from core import clock
from dvctt.cli import app
from report.workbook import SHEET_CROSSWALK, SHEET_SUMMARY, SHEET_TASKS
from tests.support.oracle_readers import read_data_sheet


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    ws = tmp_path_factory.mktemp("demo") / "demo"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(clock, "vn_today", lambda: date(2026, 11, 30))
        result = CliRunner().invoke(app, ["demo", "--workspace", str(ws), "--json"])
    assert result.exit_code == 0, result.output
    return ws, json.loads(result.stdout)


def test_the_demo_is_the_cycle_under_way_on_two_levels(demo: tuple[Path, dict]) -> None:
    ws, out = demo
    report = out["report"]
    assert (report["year"], report["hierarchy"], report["unit"]) == (2026, 2, "40")
    config = yaml.safe_load((ws / "workspace.yaml").read_text(encoding="utf-8"))
    assert "year" not in config and config["deadlines"]["commune"] == "08/12"  # the year follows the calendar
    assert Path(report["path"]).name == "bao_cao_dvctt_40_2026.xlsx"


def test_every_target_has_a_value_and_last_years(demo: tuple[Path, dict]) -> None:
    _, out = demo
    rows = list(load_workbook(out["report"]["path"], read_only=True)[SHEET_SUMMARY].iter_rows(values_only=True))
    header = next(r for r in rows if r[0] == "STT")
    col = {h: n for n, h in enumerate(header)}
    targets = [r for r in rows[rows.index(header) + 1:] if isinstance(r[0], int) and r[col["Mục tiêu"]] is not None]
    assert len(targets) == 16  # judged in 2026; CQ_CAITIEN's 2030 target is progress, shown without a goal
    later = next(r for r in rows[rows.index(header) + 1:] if r[1] == "CQ_CAITIEN")
    assert later[col["Mục tiêu"]] is None and later[col["Đánh giá"]] == "Đang thực hiện"
    for r in targets:
        assert isinstance(r[col["Kết quả"]], float), r[1]
        assert isinstance(r[col["Kết quả năm 2025"]], float), r[1]
        assert r[col["Đơn vị có số liệu"]] <= r[col["Đơn vị phải có số liệu"]], r[1]
    education = next(r for r in targets if r[1] == "HOCSINH_PHOCAP")
    assert (education[col["Đơn vị có số liệu"]], education[col["Đơn vị phải có số liệu"]]) == (1, 1)  # Sở GD&ĐT
    stand_ins = {r[1] for r in targets if "chỉ số thay thế" in r[2]}
    assert {"DINHDANH", "HAILONG"} <= stand_ins


def test_an_estimated_split_row_and_the_tasks(demo: tuple[Path, dict]) -> None:
    _, out = demo
    book = load_workbook(out["report"]["path"], read_only=True)
    splits = [r for r in book[SHEET_CROSSWALK].iter_rows(values_only=True) if r[5] == "Ước tính"]
    assert {(r[0], r[6]) for r in splits} >= {("17647", 2025), ("17899", 2025)}  # Hòa Sơn and Diên Hoa, split in 2025
    tasks = [r for r in book[SHEET_TASKS].iter_rows(values_only=True) if isinstance(r[0], str) and r[0][:1] == "T"
             and isinstance(r[5], int)]
    assert len(tasks) == 17 and all(sum(r[5:9]) == 7 for r in tasks)  # the seven communes that replaced Quỳnh Lưu


def test_magnitudes_a_province_would_have(demo: tuple[Path, dict]) -> None:
    _, out = demo
    data = read_data_sheet(Path(out["report"]["path"])).set_index(["unit_code", "indicator_code"])
    root = lambda code, column="numerator": data.loc[("40", code), column]  # noqa: E731
    assert 50_000 <= root("HOCSINH_PHOCAP", "denominator") <= 200_000  # upper-secondary students and university students
    assert 15 <= root("HD_NGUOITAPHUAN") / root("HD_LOPTAPHUAN") <= 60  # trainees per class
    assert root("HD_SMS_TINNHAN") / root("HD_SMS_CHIENDICH") >= 1_000  # messages per campaign
    assert root("HOSO_TRUCTUYEN", "denominator") >= 100_000  # dossiers a year in a province of three million
    communes = data.loc[[i for i in data.index if i[1] == "HD_SMS_TINNHAN" and i[0].isdigit() and len(i[0]) == 5]]
    assert communes["numerator"].dropna().median() >= 1_000  # SMS in the thousands per commune
