"""The Airflow DAGs, on real Airflow: they parse and serialize, they are wired as designed, and `dag.test()`
runs write the same consolidated figures as the CLI path, keep final reports, remind units and alert IT
through a real SMTP server (aiosmtpd) reached via an Airflow SMTP connection.

`dag.test()` runs in a child interpreter (see `tests/support/airflow_env.py`): Airflow fixes its metadata DB
when first imported, so a fresh process with AIRFLOW_HOME set first is the robust way to give it a
throw-away SQLite DB. Parsing and param checks run in-process with the same environment.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import shutil
import sqlite3
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from aiosmtpd.controller import Controller
from openpyxl import load_workbook

from tests.integration.test_delivery import Mailbox
from tests.support.airflow_env import DAGS_FOLDER, DagTests, airflow_env, free_port
from tests.support.oracle_readers import docx_lines

DATA_COLUMNS = ["unit_code", "unit_name", "level", "parent_code", "indicator_code", "numerator", "denominator", "value"]
SUBMISSIONS_URI = "dvctt://warehouse/submissions"
DAG_IDS = {"dvctt_ingest", "dvctt_portal", "dvctt_report", "dvctt_reminders"}
YEAR = 2025
CONTACTS = {"03598": "ubnd.03598@example.gov.vn", "106-VP": "vanphong.106@example.gov.vn"}  # two late units
IT, IT_FALLBACK, SENDER = "it.skhcn@example.gov.vn", "truc.it@example.gov.vn", "bao-cao-dvctt@laichau.gov.vn"


@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A throw-away AIRFLOW_HOME; this process's Airflow settings point at it for the module.

    Only effective if nothing imported `airflow` earlier in the session; the in-process tests only
    parse DAGs, which needs no metadata DB, so they hold either way.
    """
    from core.config import write_config
    from dvctt.demo import demo_config

    home = tmp_path_factory.mktemp("airflow_home")
    parse_ws = tmp_path_factory.mktemp("parse_ws")  # the dag-processor reads workspace.yaml (final dates)
    write_config(parse_ws, demo_config("12", YEAR))
    with pytest.MonkeyPatch.context() as mp:
        for key, value in airflow_env(home).items():
            if key.startswith("AIRFLOW"):
                mp.setenv(key, value)
        mp.setenv("DVCTT_WORKSPACE", str(parse_ws))
        mp.syspath_prepend(str(DAGS_FOLDER))  # as Airflow's BundleDagBag does for a bundle folder
        yield home


@pytest.fixture(scope="module")
def dagbag(airflow_home: Path) -> Any:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_FOLDER))


def test_dagbag_has_no_import_errors(dagbag: Any) -> None:
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == DAG_IDS
    assert all(stat.warning_num == 0 for stat in dagbag.dagbag_stats), dagbag.captured_warnings


def test_every_dag_serializes_as_the_dag_processor_stores_it(dagbag: Any) -> None:
    """The SDK EventsTimetable passes DagBag but fails here in 3.3.2 (apache/airflow#69401)."""
    from airflow.serialization.serialized_objects import DagSerialization

    for dag_id in DAG_IDS:
        DagSerialization.from_dict(json.loads(json.dumps(DagSerialization.to_dict(dagbag.dags[dag_id]))))


def test_dags_are_wired_as_designed(dagbag: Any) -> None:
    from _common import on_task_failure
    from airflow.sdk import Asset

    ingest, report = dagbag.dags["dvctt_ingest"], dagbag.dags["dvctt_report"]
    assert [a.uri for a in ingest.task_dict["inbox.announce_new_data"].outlets] == [SUBMISSIONS_URI]
    assert report.timetable.asset_condition == Asset(SUBMISSIONS_URI)  # draft on new data, or by the clock
    assert list(report.task_dict) == ["report.build_report", "report.keep_final"]
    for dag in dagbag.dags.values():
        # Only the report catches up: its timetable holds nothing but the year's final dates.
        assert (dag.catchup, dag.max_active_runs) == (dag.dag_id == "dvctt_report", 1)
        assert {"dvctt"} <= set(dag.tags) and "Tiếng Việt" in dag.doc_md and "English" in dag.doc_md
        for t in dag.tasks:
            assert (t.retries, t.retry_exponential_backoff) == (2, 2.0)
            assert t.on_failure_callback == [on_task_failure]
            assert t.task_group.group_id, f"{t.task_id} is not in a task group"


def test_daily_dags_run_on_vietnamese_time(dagbag: Any) -> None:
    for dag_id, hour in (("dvctt_portal", "5"), ("dvctt_reminders", "7")):
        timetable = dagbag.dags[dag_id].timetable
        assert str(timetable.timezone) == "Asia/Ho_Chi_Minh" and timetable.expression.split()[1] == hour


def _parse_report(monkeypatch: pytest.MonkeyPatch, ws: Path | None) -> Any:
    from airflow.dag_processing.dagbag import DagBag

    if ws is None:
        monkeypatch.delenv("DVCTT_WORKSPACE", raising=False)
    else:
        monkeypatch.setenv("DVCTT_WORKSPACE", str(ws))
    return DagBag(dag_folder=str(DAGS_FOLDER / "dvctt_report.py"))


def test_final_reports_are_scheduled_from_the_workspace_deadlines(airflow_home: Path, small_ws: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Parse time reads workspace.yaml (demo deadlines: 8/12 commune and offices, 15/12 departments and press)."""
    report = _parse_report(monkeypatch, small_ws).dags["dvctt_report"]
    events = [(t.isoformat(), str(t.tzinfo)) for t in report.timetable.timetable.event_dates]
    assert events == [("2025-12-06T06:00:00+07:00", "Asia/Ho_Chi_Minh"), ("2025-12-13T06:00:00+07:00", "Asia/Ho_Chi_Minh")]
    assert "Upcoming final reports:** không còn / none" in report.doc_md  # both are past: none listed


def test_the_doc_lists_only_final_reports_still_to_come(airflow_home: Path, small_ws: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import timedelta

    from core.clock import now, vn_day

    today = vn_day(now())
    past, future = today - timedelta(days=20), today + timedelta(days=20)
    config = yaml.safe_load((small_ws / "workspace.yaml").read_text(encoding="utf-8"))
    config.update(year=today.year, deadlines={"commune": future.isoformat(), "department": past.isoformat()},
                  reporting_levels=["commune", "department"])
    (small_ws / "workspace.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    report = _parse_report(monkeypatch, small_ws).dags["dvctt_report"]
    upcoming = f"{future - timedelta(days=2):%d/%m/%Y} 06:00"
    assert f"Upcoming final reports:** {upcoming}\n" in report.doc_md
    assert f"{past - timedelta(days=2):%d/%m/%Y}" not in report.doc_md


def test_a_broken_or_missing_workspace_is_an_import_error_not_an_empty_schedule(
        airflow_home: Path, small_ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = small_ws / "workspace.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "final_report_days_before: 0\n", encoding="utf-8")
    bag = _parse_report(monkeypatch, small_ws)
    [error] = bag.import_errors.values()
    assert "dvctt_report" not in bag.dags
    assert "final_report_days_before" in error and "Sửa workspace.yaml" in error and "no final-report schedule" in error
    [error] = _parse_report(monkeypatch, None).import_errors.values()
    assert "DVCTT_WORKSPACE is not set for the dag-processor" in error


def test_a_final_run_missed_while_the_scheduler_was_down_is_caught_up(airflow_home: Path, small_ws: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """What the scheduler asks the timetable when it comes back after the 06:00 of 6/12 (now is later): the missed
    final, not the next one. Without catchup the timetable skips to the future and the final is lost."""
    import pendulum
    from _common import START_DATE
    from airflow.timetables.base import DataInterval, TimeRestriction

    report = _parse_report(monkeypatch, small_ws).dags["dvctt_report"]
    timetable = report.timetable.timetable
    restriction = TimeRestriction(earliest=pendulum.instance(START_DATE), latest=None, catchup=report.catchup)
    first = timetable.next_dagrun_info(last_automated_data_interval=None, restriction=restriction)
    assert first is not None and first.logical_date == pendulum.datetime(2025, 12, 6, 6, tz="Asia/Ho_Chi_Minh")
    after = timetable.next_dagrun_info(last_automated_data_interval=DataInterval.exact(first.logical_date),
                                       restriction=restriction)
    assert after is not None and after.logical_date == pendulum.datetime(2025, 12, 13, 6, tz="Asia/Ho_Chi_Minh")
    lost = TimeRestriction(earliest=pendulum.instance(START_DATE), latest=None, catchup=False)
    assert timetable.next_dagrun_info(last_automated_data_interval=None, restriction=lost) is None


def test_only_transient_errors_are_retried(dagbag: Any) -> None:
    from airflow.sdk import RetryAction

    from core.config import ConfigError

    policy = dagbag.dags["dvctt_report"].task_dict["report.build_report"].retry_policy
    assert policy.evaluate(ConfigError("workspace.yaml"), 1, 3).action == RetryAction.FAIL
    assert policy.evaluate(OSError("database is locked"), 1, 3).action == RetryAction.DEFAULT


def test_report_params_are_typed(dagbag: Any) -> None:
    from airflow.sdk.exceptions import ParamValidationError

    params = dagbag.dags["dvctt_report"].params
    assert params.validate() == {"year": None, "final": False, "hierarchy": None, "unit": None, "date_from": None,
                                 "date_to": None}
    ok = copy.deepcopy(params)
    ok.update({"year": YEAR, "final": True, "hierarchy": 2, "unit": "03386", "date_from": "2025-01-01",
               "date_to": "2025-12-14"})
    assert ok.validate()["hierarchy"] == 2
    for bad in ({"year": 2023}, {"year": "2025"}, {"final": "yes"}, {"hierarchy": 4}, {"hierarchy": "3"},
                {"date_to": "2025-13-01"}):
        p = copy.deepcopy(params)
        with pytest.raises(ParamValidationError):
            p.update(bad)
            p.validate()


def _inbox_files(ws: Path) -> dict[str, str]:
    return {
        str(p.relative_to(ws)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((ws / "inbox").rglob("*"))
        if p.is_file()
    }


def _data_sheet(path: Path) -> pd.DataFrame:
    df = pd.read_excel(path, sheet_name="Dữ liệu", engine="openpyxl", dtype={"unit_code": str, "parent_code": str})
    return df[DATA_COLUMNS].sort_values(["unit_code", "indicator_code"]).reset_index(drop=True)


def _smtp_connection(port: int) -> str:
    """An Airflow connection (JSON form) to the test server: plain SMTP, as aiosmtpd speaks it."""
    return json.dumps({"conn_type": "smtp", "host": "127.0.0.1", "port": port,
                       "extra": {"disable_ssl": True, "disable_tls": True, "timeout": 10, "retry_limit": 0,
                                 "from_email": SENDER}})


VN_MORNING = "T07:00:00+07:00"
PLAN = [
    {"dag_id": "dvctt_ingest"},
    {"dag_id": "dvctt_ingest"},
    {"dag_id": "dvctt_report", "logical_date": None},  # as an asset event triggers it: no date, no conf
    {"dag_id": "dvctt_report", "conf": {"final": True}, "logical_date": "2025-12-06T06:00:00+07:00"},
    {"dag_id": "dvctt_report", "conf": {"year": YEAR - 1}},  # a backfill of the year before, by hand
    {"dag_id": "dvctt_reminders", "logical_date": "2025-12-04" + VN_MORNING},  # 4 days before 8/12
    {"dag_id": "dvctt_reminders", "logical_date": "2025-12-05" + VN_MORNING},  # nothing new to send
    {"dag_id": "dvctt_reminders", "logical_date": "2025-12-07" + VN_MORNING},  # final of 6/12 exists: no alert
    {"dag_id": "dvctt_reminders", "logical_date": "2025-12-14" + VN_MORNING},  # no final for 15/12: alert
    {"dag_id": "dvctt_portal"},
    {"dag_id": "dvctt_portal", "env": {"DVCTT_WORKSPACE": "/nonexistent/workspace"}},  # fails: IT is told
    {"dag_id": "dvctt_report", "conf": {"unit": "105", "hierarchy": 3}},  # one district's subtree, by hand
    # Reminders on a workspace whose inbox was never ingested: the run takes it in first.
    {"dag_id": "dvctt_reminders", "logical_date": "2025-12-04" + VN_MORNING, "env": {"DVCTT_WORKSPACE": "@fresh"}},
    {"dag_id": "dvctt_portal", "env": {"DVCTT_WORKSPACE": "@portal"}},  # an unreadable export: failed, IT told why
    {"dag_id": "dvctt_ingest", "env": {"DVCTT_WORKSPACE": "@broken"}},  # a broken workspace.yaml, twice:
    {"dag_id": "dvctt_ingest", "env": {"DVCTT_WORKSPACE": "@broken"}},  # IT is mailed once that day
    # A final on a workspace whose inbox no ingest has seen yet (the stack's first start, a caught-up final).
    {"dag_id": "dvctt_report", "logical_date": "2025-12-06T06:00:00+07:00", "conf": {"final": True},
     "env": {"DVCTT_WORKSPACE": "@final"}},
]
STEPS = ["first_ingest", "second_ingest", "draft", "final", "backfill", "remind", "remind_again", "check_ok", "check_late",
         "portal", "portal_broken", "district", "remind_fresh", "portal_unreadable", "broken_1", "broken_2", "first_final"]
IT_FRESH, IT_PORTAL = "it.fresh@example.gov.vn", "it.portal@example.gov.vn"


@pytest.fixture(scope="module")
def runs(airflow_home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One demo workspace (not ingested) copied twice: the CLI path runs `ingest` + `build_report` on
    one copy; Airflow runs PLAN on the other, mailing through an SMTP connection to a real server."""
    root = tmp_path_factory.mktemp("dag_runs")
    ws_airflow, ws_cli = root / "ws_airflow", root / "ws_cli"
    home = airflow_home / "dag_test"
    home.mkdir()
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = airflow_env(home, DVCTT_WORKSPACE=str(ws_airflow), AIRFLOW_CONN_SMTP_DEFAULT=_smtp_connection(smtp.port),
                      DVCTT_IT_RECIPIENTS=IT_FALLBACK)
    from core.config import write_config
    from dvctt.demo import create_demo, demo_config

    ws_airflow.mkdir()
    write_config(ws_airflow, demo_config("12", YEAR))  # the child parses dvctt_report at once: it reads this
    child = DagTests(env, root)  # gets ready meanwhile
    try:
        from dvctt.pipeline import build_report, ingest

        create_demo(root / "demo", "12", YEAR, run=False)
        workspaces = {name: root / f"ws_{name}" for name in ("fresh", "portal", "broken", "final")}
        for ws in (ws_airflow, ws_cli, *workspaces.values()):
            shutil.copytree(root / "demo", ws, dirs_exist_ok=True)
        submitted = {d.name for d in (root / "demo" / "inbox").iterdir()  # every unit has a folder; these a file
                     if any(f.is_file() for f in d.iterdir())}
        _configure(ws_airflow, contacts=CONTACTS, it_recipients=[IT])
        _configure(workspaces["fresh"], contacts={c: f"u{c}@example.gov.vn" for c in submitted}, it_recipients=[IT_FRESH])
        _configure(workspaces["portal"], it_recipients=[IT_PORTAL])
        (workspaces["portal"] / "portal").mkdir()
        (workspaces["portal"] / "portal" / "hong.xlsx").write_bytes(b"not a workbook")
        _configure(workspaces["broken"], final_report_days_before=0)  # invalid: mail goes to $DVCTT_IT_RECIPIENTS
        for step in PLAN:
            if (step.get("env") or {}).get("DVCTT_WORKSPACE", "").startswith("@"):
                step["env"] = {"DVCTT_WORKSPACE": str(workspaces[step["env"]["DVCTT_WORKSPACE"][1:]])}
        inbox_before = _inbox_files(ws_airflow)
        with pytest.MonkeyPatch.context() as mp:  # the SQLite warehouse inside each workspace
            mp.delenv("DVCTT_WAREHOUSE_URL", raising=False)
            ingest(ws_cli)
            cli_report = build_report(ws_cli, YEAR).path
        result = child.run(PLAN)
        log_tail = child.log_tail()
    finally:
        child.stop()
        smtp.stop()
    return {
        **result,
        **dict(zip(STEPS, result["runs"], strict=True)),
        "submitted": submitted,
        "airflow_log": child.log_text(),
        "mail": mailbox.received,
        "cli_report": cli_report,
        "ws_airflow": ws_airflow,
        "inbox_before": inbox_before,
        "inbox_after": _inbox_files(ws_airflow),
        "log_tail": log_tail,
    }


def _configure(ws: Path, **changes: Any) -> None:
    config_file = ws / "workspace.yaml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config.update(changes)
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


def _failed(run: dict[str, Any], runs: dict[str, Any]) -> str:
    """Assertion message: the run, then what Airflow logged (task tracebacks)."""
    summary = {k: v for k, v in run.items() if k != "xcom"}
    return f"{summary}\n--- Airflow log (tail) ---\n{runs['log_tail']}"


def _mail_to(runs: dict[str, Any], address: str) -> list[EmailMessage]:
    return [msg for _, rcpts, msg in runs["mail"] if address in rcpts]


def _attachments(msg: EmailMessage) -> dict[str, bytes]:
    return {part.get_filename(): part.get_payload(decode=True) for part in msg.iter_attachments()}


def test_parsing_imports_no_pipeline_code(runs: dict[str, Any]) -> None:
    assert runs["parse"]["heavy_modules"] == []


def test_ingest_dag_emits_the_asset_only_for_new_data(runs: dict[str, Any]) -> None:
    first, second = runs["first_ingest"], runs["second_ingest"]
    assert first["state"] == "success", _failed(first, runs)
    assert first["tasks"] == {"inbox.ingest": "success", "inbox.announce_new_data": "success"}
    summary = first["xcom"]["inbox.ingest"]
    assert summary["new_data"] is True and summary["new_accepted"] > 0
    # A summary, not the inbox: the tallies and the run page; the per-file detail is in the warehouse and on it.
    assert set(summary) == {"seen", "accepted", "quarantined", "pending", "new_accepted", "new_quarantined", "new_data",
                            "html"}
    assert Path(summary["html"]).is_file() and summary["accepted"] > 100
    [event] = first["asset_events"]
    assert event["uri"] == SUBMISSIONS_URI and event["extra"]["new_accepted"] == summary["new_accepted"]
    assert "dvctt_report" in first["queued_for"]  # the consumer DAG is queued by the event

    assert second["state"] == "success", _failed(second, runs)
    assert second["tasks"] == {"inbox.ingest": "success", "inbox.announce_new_data": "skipped"}
    assert second["xcom"]["inbox.ingest"]["new_data"] is False
    assert second["asset_events"] == []


def test_ingest_dag_never_moves_or_deletes_units_files(runs: dict[str, Any]) -> None:
    before, after = runs["inbox_before"], runs["inbox_after"]
    assert before and {k: after.get(k) for k in before} == before


def test_asset_triggered_draft_uses_the_configured_year_and_matches_the_cli(runs: dict[str, Any]) -> None:
    draft = runs["draft"]
    assert draft["state"] == "success", _failed(draft, runs)
    assert draft["logical_date"] is None and draft["conf"] == {}
    assert draft["tasks"] == {"report.build_report": "success", "report.keep_final": "skipped"}
    result = draft["xcom"]["report.build_report"]
    assert (result["kind"], result["year"]) == ("draft", YEAR)
    path = Path(result["path"])
    assert Path(result["document"]) == path.with_suffix(".docx") and Path(result["document"]).is_file()
    assert path.is_file() and path.parent == runs["ws_airflow"] / "outbox" / str(YEAR)
    airflow_data, cli_data = _data_sheet(path), _data_sheet(runs["cli_report"])
    assert len(airflow_data) > 100
    pd.testing.assert_frame_equal(airflow_data, cli_data)


def test_final_report_is_kept_under_its_own_name_and_recorded(runs: dict[str, Any]) -> None:
    final = runs["final"]
    assert final["state"] == "success", _failed(final, runs)
    assert final["xcom"]["report.build_report"]["kind"] == "final"
    kept = Path(final["xcom"]["report.keep_final"])
    assert kept.name == f"bao_cao_dvctt_12_{YEAR}_chinh_thuc_20251206.xlsx" and kept.is_file()
    footer = docx_lines(kept.with_suffix(".docx"), "word/footer1.xml")[0]
    assert footer.startswith("Bản chính thức – lập lúc ")  # the Báo cáo is kept with it, marked final
    assert "DỰ THẢO" not in docx_lines(kept.with_suffix(".docx"))
    header = load_workbook(kept).worksheets[0].oddHeader.center.text
    assert header.startswith("&BCHÍNH THỨC – lập lúc "), header  # the run's kind, printed on every page
    with sqlite3.connect(runs["ws_airflow"] / "warehouse.sqlite") as db:
        rows = db.execute("SELECT year, built_on, path, run_id FROM final_reports").fetchall()
    assert rows == [(YEAR, "2025-12-06", str(kept), final["run_id"])]


def test_a_past_year_is_reported_by_hand_with_the_year_param(runs: dict[str, Any]) -> None:
    backfill = runs["backfill"]
    assert backfill["state"] == "success", _failed(backfill, runs)
    result = backfill["xcom"]["report.build_report"]
    assert (result["kind"], result["year"], result["units_reported"]) == ("draft", YEAR - 1, 0)
    assert Path(result["path"]) == runs["ws_airflow"] / "outbox" / str(YEAR - 1) / f"bao_cao_dvctt_12_{YEAR - 1}.xlsx"
    assert Path(result["path"]).is_file()


def test_reminders_dag_reminds_late_units_once_with_their_template(runs: dict[str, Any]) -> None:
    remind, again = runs["remind"], runs["remind_again"]
    assert remind["state"] == again["state"] == "success", _failed(remind, runs)
    sent = remind["xcom"]["units.send_reminders"]
    assert {u["unit_code"] for u in sent["reminded"]} == set(CONTACTS)
    assert {u["unit_code"] for u in sent["no_contact"]} == {"03601", "03616", "03434", "112-VHKHTT"}
    assert again["xcom"]["units.send_reminders"]["reminded"] == [] and again["xcom"]["units.send_reminders"][
        "already_done"] == 6
    for code, address in CONTACTS.items():
        [msg] = _mail_to(runs, address)  # one reminder, however many runs
        assert msg["From"] == SENDER and "hạn 08/12/2025" in msg["Subject"]
        plain, rich = msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()
        assert "Kính gửi" in plain and "<" not in plain and "Kính gửi" in rich  # text and HTML alternatives
        [(name, data)] = _attachments(msg).items()
        assert name == f"bieu_mau_dvctt_{code}_{YEAR}.xlsx"
        info = load_workbook(io.BytesIO(data))["Thông tin chung"]
        assert code in {c.value for row in info.iter_rows() for c in row}


def test_it_gets_the_list_once_and_one_alert_for_a_missing_final(runs: dict[str, Any]) -> None:
    it_mail = _mail_to(runs, IT)
    lists = [m for m in it_mail if "Đơn vị chưa nộp" in m["Subject"]]
    alerts = [m for m in it_mail if "CẢNH BÁO" in m["Subject"]]
    assert len(lists) == 1 and len(alerts) == 1 and len(it_mail) == 2, [m["Subject"] for m in it_mail]
    assert "Xã Mường Khoa" in lists[0].get_body(("html",)).get_content()
    assert list(_attachments(lists[0])) == [f"don_vi_chua_nop_{YEAR}_20251204.xlsx"]
    assert "hạn 15/12/2025" in alerts[0]["Subject"]
    assert runs["check_ok"]["xcom"]["it.check_final_report"] == []
    [alert] = runs["check_late"]["xcom"]["it.check_final_report"]
    assert alert == {"deadline": "2025-12-15", "levels": ["department", "press"], "to": [IT]}


def test_portal_dag_runs_and_a_failure_reaches_it_in_both_languages(runs: dict[str, Any]) -> None:
    portal, broken = runs["portal"], runs["portal_broken"]
    assert portal["state"] == "success", _failed(portal, runs)
    assert portal["xcom"]["portal.ingest_portal"]["files"] == 0
    assert broken["state"] == "failed" and broken["tasks"] == {"portal.ingest_portal": "failed"}
    # workspace.yaml unreadable: the $DVCTT_IT_RECIPIENTS address
    [msg] = [m for m in _mail_to(runs, IT_FALLBACK) if "dvctt_portal" in m["Subject"]]
    assert msg["Subject"] == "[DVCTT] Lỗi tác vụ dvctt_portal.portal.ingest_portal / Task failed"
    text = msg.get_body(("html",)).get_content()
    assert "ConfigError" in text and "Sửa tệp workspace.yaml" in text and "Fix workspace.yaml" in text


def test_tasks_fail_fast_without_workspace(dagbag: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """No DVCTT_WORKSPACE: a clear failure that Airflow does not retry (AirflowFailException)."""
    from _common import workspace
    from airflow.sdk.exceptions import AirflowFailException

    monkeypatch.delenv("DVCTT_WORKSPACE", raising=False)
    with pytest.raises(AirflowFailException, match="DVCTT_WORKSPACE"):
        workspace()


def test_a_report_narrowed_by_hand_to_one_district(runs: dict[str, Any]) -> None:
    district = runs["district"]
    assert district["state"] == "success", _failed(district, runs)
    result = district["xcom"]["report.build_report"]
    assert (result["unit"], result["hierarchy"], result["kind"]) == ("105", 3, "draft")
    assert Path(result["path"]).name == f"bao_cao_dvctt_12_{YEAR}_dv105.xlsx"  # not the yearly report's name
    assert 0 < result["units_expected"] < runs["draft"]["xcom"]["report.build_report"]["units_expected"]


def test_reminders_take_in_the_inbox_before_reminding(runs: dict[str, Any]) -> None:
    fresh = runs["remind_fresh"]
    assert fresh["state"] == "success", _failed(fresh, runs)
    assert fresh["tasks"] == {"inbox.ingest": "success", "inbox.announce_new_data": "success",
                              "units.send_reminders": "success", "it.check_final_report": "success"}
    assert fresh["xcom"]["inbox.ingest"]["new_accepted"] == len(runs["submitted"])
    sent = fresh["xcom"]["units.send_reminders"]
    assert sent["reminded"] == [] and {u["unit_code"] for u in sent["no_contact"]} == {
        "03598", "03601", "03616", "03434", "106-VP", "112-VHKHTT"}
    # Every unit that submitted has an address in that workspace: not one of them got a reminder.
    fresh_contacts = {f"u{code}@example.gov.vn" for code in runs["submitted"]}
    assert not [m for _, rcpts, m in runs["mail"] if fresh_contacts & set(rcpts)]
    assert len(_mail_to(runs, IT_FRESH)) == 1


def test_an_unreadable_portal_export_fails_the_task_and_tells_it_why(runs: dict[str, Any]) -> None:
    run = runs["portal_unreadable"]
    assert run["state"] == "failed" and run["tasks"] == {"portal.ingest_portal": "failed"}
    [msg] = _mail_to(runs, IT_PORTAL)
    text = msg.get_body(("plain",)).get_content()
    assert "dvctt_portal.portal.ingest_portal" in msg["Subject"] and "hong.xlsx: " in text and "portal/" in text
    assert "unreadable portal export: hong.xlsx" in runs["airflow_log"]  # the task log says which and why


def test_the_same_failure_mails_it_once_a_day(runs: dict[str, Any]) -> None:
    assert runs["broken_1"]["state"] == runs["broken_2"]["state"] == "failed"
    mails = [m for m in _mail_to(runs, IT_FALLBACK) if "dvctt_ingest" in m["Subject"]]
    assert len(mails) == 1 and "final_report_days_before" in mails[0].get_body(("plain",)).get_content()


def test_a_final_report_takes_in_the_inbox_first(runs: dict[str, Any]) -> None:
    first = runs["first_final"]
    assert first["state"] == "success", _failed(first, runs)
    result = first["xcom"]["report.build_report"]
    assert result["kind"] == "final" and result["units_reported"] == len(runs["submitted"])
