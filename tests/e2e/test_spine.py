"""The spine end to end: dropped workbooks → warehouse → rollup → leadership workbook."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from core.config import load_config
from dvctt.pipeline import build_report, report_path
from load import connect
from load import schema as T
from load.warehouse import warehouse_url
from tests.support.oracle_readers import read_data_sheet, unit_file_figures


def _close(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return b is not None and not (isinstance(b, float) and math.isnan(b)) and math.isclose(a, b, rel_tol=1e-12)


def test_aggregates_are_sums_of_children_and_values_are_ratios(demo_run: Path) -> None:
    data = read_data_sheet(report_path(demo_run, load_config(demo_run)))
    assert {"unit_code", "unit_name", "level", "parent_code", "indicator_code", "numerator", "denominator",
            "value"} <= set(data.columns)
    parents = set(data["parent_code"].dropna())
    checked = 0
    for (parent, code), kids in data[data["parent_code"].notna()].groupby(["parent_code", "indicator_code"]):
        row = data[(data["unit_code"] == parent) & (data["indicator_code"] == code)].iloc[0]
        for col in ("numerator", "denominator"):
            expected = kids[col].sum(min_count=1)
            assert _close(row[col], expected), (parent, code, col, row[col], expected)
        checked += 1
    assert checked > 100 and "12" in parents
    ratio = data[data["denominator"].notna() & (data["denominator"] > 0)]
    assert ((ratio["value"] - ratio["numerator"] / ratio["denominator"]).abs() < 1e-12).all()
    counts = data[data["denominator"].isna() & data["numerator"].notna()]
    assert (counts["value"] == counts["numerator"]).all()


def test_leaf_rows_equal_the_unit_files(demo_run: Path) -> None:
    data = read_data_sheet(report_path(demo_run, load_config(demo_run))).set_index(["unit_code", "indicator_code"])
    files = sorted((demo_run / "inbox").glob("*/*.xlsx"))
    assert len(files) > 100
    for path in files:
        unit = path.parent.name
        figures = unit_file_figures(path)
        unit_rows = data.loc[unit]
        for code, (num, den) in figures.items():
            assert _close(float(num), unit_rows.loc[code, "numerator"]), (unit, code)
            assert _close(None if den is None else float(den), unit_rows.loc[code, "denominator"]), (unit, code)
        reported = set(unit_rows[unit_rows["numerator"].notna()].index)
        assert reported == set(figures), unit


def test_workbook_sheets_and_completeness(demo_run: Path) -> None:
    path = report_path(demo_run, load_config(demo_run))
    wb = load_workbook(path)
    assert {"Tổng hợp", "Theo đơn vị", "Hoạt động", "Tình hình nộp", "Khó khăn, kiến nghị", "Nguồn số liệu",
            "Dữ liệu"} <= set(wb.sheetnames)
    ws = wb["Tình hình nộp"]
    statuses = [c.value for c in ws["G"] if c.value in ("Đúng hạn", "Trễ hạn", "Chưa nộp")]
    units_with_files = {p.name for p in (demo_run / "inbox").iterdir() if any(p.glob("*.xlsx"))}
    assert statuses.count("Chưa nộp") > 0 and statuses.count("Trễ hạn") > 0
    assert statuses.count("Đúng hạn") + statuses.count("Trễ hạn") == len(units_with_files)
    expected = len(load_config(demo_run).agencies) + 106  # 12 agencies + 16 district offices + 106 communes
    assert len(statuses) == expected


def test_same_state_gives_same_bytes(demo_run: Path) -> None:
    produced_at = datetime(2025, 12, 14, 1, 0, tzinfo=UTC)  # printed on every page: an input like the warehouse
    first = build_report(demo_run, produced_at=produced_at).path.read_bytes()
    again = build_report(demo_run, produced_at=produced_at).path.read_bytes()
    assert first == again


def test_rerun_is_idempotent(demo_run: Path) -> None:
    from dvctt.pipeline import ingest

    engine = connect(warehouse_url(demo_run))
    with engine.connect() as conn:
        before = [conn.execute(select(func.count()).select_from(t)).scalar_one() for t in (T.files, T.facts)]
    summary = ingest(demo_run).to_dict()
    with engine.connect() as conn:
        after = [conn.execute(select(func.count()).select_from(t)).scalar_one() for t in (T.files, T.facts)]
    assert before == after
    assert summary["new_accepted"] == summary["new_quarantined"] == 0
    assert summary["seen"] == summary["accepted"] + summary["quarantined"] + summary["pending"]


def test_data_sheet_covers_every_unit_and_item(demo_run: Path) -> None:
    from core.catalogue import load_catalogue
    from core.units import load_registry

    config = load_config(demo_run)
    data = read_data_sheet(report_path(demo_run, config))
    n_units = len(load_registry(config).units)
    assert len(data) == n_units * len(load_catalogue().items)
    assert data.groupby("unit_code").size().nunique() == 1
