"""The calendar derived from workspace.yaml: final runs, reminder and alert windows, keeping a final report.

The demo configuration has two deadlines: 8/12 (communes, district offices) and 15/12 (departments, press).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from core.clock import vn_day
from core.config import load_config
from dvctt.schedule import (
    ScheduleError,
    alerts_due,
    final_run_times,
    final_runs,
    keep_final,
    reminders_due,
    report_kind,
)
from tests.support.airflow_env import airflow_env

D8, D15 = date(2025, 12, 8), date(2025, 12, 15)


@pytest.fixture
def config(small_ws: Path):
    return load_config(small_ws)


def test_one_final_run_per_deadline_two_days_ahead_at_six_in_vietnam(config) -> None:
    runs = final_runs(config)
    assert [(r.deadline, r.levels, r.run_on, r.alert_on) for r in runs] == [
        (D8, ("commune", "district_office"), date(2025, 12, 6), date(2025, 12, 7)),
        (D15, ("department", "press"), date(2025, 12, 13), date(2025, 12, 14)),
    ]
    assert runs[0].at.isoformat() == "2025-12-06T06:00:00+07:00"
    assert runs[0].at.astimezone(UTC) == datetime(2025, 12, 5, 23, 0, tzinfo=UTC)


def test_the_schedule_follows_the_configuration(config) -> None:
    later = config.model_copy(update={"final_report_days_before": 1, "deadlines": {"commune": D8}})
    # Levels without a deadline of their own fall back to 15/12; one day ahead, the alert is on the deadline day.
    assert [(r.deadline, r.run_on, r.alert_on) for r in final_runs(later)] == [
        (D8, date(2025, 12, 7), D8), (D15, date(2025, 12, 14), D15)]
    assert [r.run_on for r in final_runs(config.for_year(2026))] == [date(2026, 12, 6), date(2026, 12, 13)]


def test_parse_time_reading_raises_with_the_reason_instead_of_an_empty_schedule(small_ws: Path, tmp_path: Path) -> None:
    times = final_run_times(str(small_ws))
    assert [t.isoformat() for t in times] == ["2025-12-06T06:00:00+07:00", "2025-12-13T06:00:00+07:00"]
    with pytest.raises(ScheduleError, match="DVCTT_WORKSPACE is not set for the dag-processor"):
        final_run_times(None)
    with pytest.raises(ScheduleError, match="Không tìm thấy thư mục workspace"):
        final_run_times(tmp_path / "missing")
    broken = small_ws / "workspace.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "final_report_days_before: 0\n", encoding="utf-8")
    with pytest.raises(ScheduleError, match="final_report_days_before") as raised:
        final_run_times(small_ws)
    assert "Sửa workspace.yaml" in str(raised.value) and "no final-report schedule" in str(raised.value)


def test_scheduled_runs_are_final_asset_runs_drafts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in airflow_env(tmp_path).items():  # Airflow in a throw-away home if imported first here
        if key.startswith("AIRFLOW"):
            monkeypatch.setenv(key, value)
    from airflow.sdk.api.datamodels._generated import DagRunType  # what a task sees as dag_run.run_type

    assert report_kind(DagRunType.SCHEDULED, False) == "final"
    assert report_kind(DagRunType.ASSET_TRIGGERED, False) == report_kind(DagRunType.MANUAL, False) == "draft"
    assert report_kind(DagRunType.MANUAL, True) == "final"
    # A backfill from the UI or CLI only creates runs on the timetable's dates: the final dates.
    assert report_kind(DagRunType.BACKFILL, False) == "final"


def test_days_are_vietnamese_days() -> None:
    assert vn_day(datetime(2025, 12, 5, 16, 59, tzinfo=UTC)) == date(2025, 12, 5)
    assert vn_day(datetime(2025, 12, 5, 17, 0, tzinfo=UTC)) == date(2025, 12, 6)


@pytest.mark.parametrize(("day", "due"), [
    (date(2025, 12, 2), {}),
    (date(2025, 12, 3), {"commune": D8, "district_office": D8}),  # 5 days before
    (date(2025, 12, 7), {"commune": D8, "district_office": D8}),
    (date(2025, 12, 8), {}),  # the deadline day itself: too late for a reminder
    (date(2025, 12, 10), {"department": D15, "press": D15}),
    (date(2025, 12, 15), {}),
])
def test_reminder_window(config, day: date, due: dict) -> None:
    assert reminders_due(config, day) == due


@pytest.mark.parametrize(("day", "deadlines"), [
    (date(2025, 12, 6), []),  # the final runs that morning
    (date(2025, 12, 7), [D8]),
    (date(2025, 12, 8), [D8]),
    (date(2025, 12, 9), []),  # after the deadline there is nothing left to warn about
    (date(2025, 12, 14), [D15]),
])
def test_alert_window(config, day: date, deadlines: list[date]) -> None:
    assert [r.deadline for r in alerts_due(config, day)] == deadlines


def test_keep_final_copies_and_records_once_per_run(small_ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DVCTT_WAREHOUSE_URL", raising=False)
    workbook = small_ws / "outbox" / "2025" / "bao_cao_dvctt_12_2025.xlsx"
    workbook.parent.mkdir(parents=True)
    workbook.write_bytes(b"final figures")
    workbook.with_suffix(".docx").write_bytes(b"final report")  # the Báo cáo beside it is kept with it
    run_id = "scheduled__2025-12-05T23:00:00+00:00"
    kept = keep_final(small_ws, 2025, workbook, date(2025, 12, 6), run_id)
    assert kept.name == "bao_cao_dvctt_12_2025_chinh_thuc_20251206.xlsx" and kept.read_bytes() == b"final figures"
    assert kept.with_suffix(".docx").read_bytes() == b"final report"
    assert keep_final(small_ws, 2025, workbook, date(2025, 12, 6), run_id) == kept  # a retried task
    workbook.write_bytes(b"a later draft")  # the next draft overwrites the plain name only
    assert kept.read_bytes() == b"final figures"
    assert sorted(p.name for p in workbook.parent.iterdir()) == sorted([
        workbook.name, kept.name, "bao_cao_dvctt_12_2025.docx", "bao_cao_dvctt_12_2025_chinh_thuc_20251206.docx"])
    with sqlite3.connect(small_ws / "warehouse.sqlite") as db:
        assert db.execute("SELECT year, built_on, run_id FROM final_reports").fetchall() == [
            (2025, "2025-12-06", "scheduled__2025-12-05T23:00:00+00:00")]


def test_config_keys_have_defaults_and_are_validated(small_ws: Path) -> None:
    config = load_config(small_ws)
    assert (config.reminder_days_before, config.final_report_days_before, config.it_recipients, config.contacts) == (
        5, 2, [], {})
    path = small_ws / "workspace.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["contacts"] = {"03386": "không-phải-email"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(Exception, match="contacts"):
        load_config(small_ws)
