"""The Airflow DAGs, on real Airflow: they parse, they are wired as designed, and a `dag.test()` run of
ingest → report writes the same consolidated figures as the CLI path on the same demo workspace.

`dag.test()` runs in a child interpreter (see `tests/airflow_env.py`): Airflow fixes its metadata DB
when first imported, so a fresh process with AIRFLOW_HOME set first is the robust way to give it a
throw-away SQLite DB. Parsing and param checks run in-process with the same environment.
"""

from __future__ import annotations

import copy
import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.airflow_env import DAGS_FOLDER, DagTests, airflow_env

DATA_COLUMNS = ["unit_code", "unit_name", "level", "parent_code", "indicator_code", "numerator", "denominator", "value"]
SUBMISSIONS_URI = "dvctt://warehouse/submissions"
YEAR = 2025


@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A throw-away AIRFLOW_HOME; this process's Airflow settings point at it for the module.

    Only effective if nothing imported `airflow` earlier in the session; the in-process tests only
    parse DAGs, which needs no metadata DB, so they hold either way.
    """
    home = tmp_path_factory.mktemp("airflow_home")
    with pytest.MonkeyPatch.context() as mp:
        for key, value in airflow_env(home).items():
            if key.startswith("AIRFLOW"):
                mp.setenv(key, value)
        mp.syspath_prepend(str(DAGS_FOLDER))  # as Airflow's BundleDagBag does for a bundle folder
        yield home


@pytest.fixture(scope="module")
def dagbag(airflow_home: Path) -> Any:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_FOLDER))


def test_dagbag_has_no_import_errors(dagbag: Any) -> None:
    assert dagbag.import_errors == {}
    assert {"dvctt_ingest", "dvctt_report"} <= set(dagbag.dag_ids)
    assert all(stat.warning_num == 0 for stat in dagbag.dagbag_stats), dagbag.captured_warnings


def test_dags_are_wired_as_designed(dagbag: Any) -> None:
    ingest, report = dagbag.dags["dvctt_ingest"], dagbag.dags["dvctt_report"]
    assert (ingest.catchup, ingest.max_active_runs) == (False, 1)
    assert [a.uri for a in ingest.task_dict["announce_new_data"].outlets] == [SUBMISSIONS_URI]
    assert [a.uri for a in report.timetable.asset_condition.objects] == [SUBMISSIONS_URI]
    for dag in (ingest, report):
        assert {"dvctt"} <= set(dag.tags) and "Tiếng Việt" in dag.doc_md and "English" in dag.doc_md
        for t in dag.tasks:
            assert (t.retries, t.retry_exponential_backoff) == (2, 2.0)


def test_only_transient_errors_are_retried(dagbag: Any) -> None:
    from airflow.sdk import RetryAction

    from dvctt.config import ConfigError

    policy = dagbag.dags["dvctt_report"].task_dict["build_report"].retry_policy
    assert policy.evaluate(ConfigError("workspace.yaml"), 1, 3).action == RetryAction.FAIL
    assert policy.evaluate(OSError("database is locked"), 1, 3).action == RetryAction.DEFAULT


def test_report_params_are_typed(dagbag: Any) -> None:
    from airflow.sdk.exceptions import ParamValidationError

    params = dagbag.dags["dvctt_report"].params
    assert params.validate()["level"] == "province"
    ok = copy.deepcopy(params)
    ok.update({"year": YEAR, "unit": "03386", "date_from": "2025-01-01", "date_to": "2025-12-14"})
    assert ok.validate()["year"] == YEAR
    for bad in ({"year": 2023}, {"year": "2025"}, {"level": "district"}, {"date_to": "2025-13-01"}):
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


@pytest.fixture(scope="module")
def runs(airflow_home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One demo workspace (not ingested) copied twice: the CLI path runs `ingest` + `build_report` on
    one copy; Airflow runs dvctt_ingest twice (new data, then none) and an asset-style dvctt_report
    (no logical date, year from params) on the other."""
    root = tmp_path_factory.mktemp("dag_runs")
    ws_airflow, ws_cli = root / "ws_airflow", root / "ws_cli"
    home = airflow_home / "dag_test"
    home.mkdir()
    child = DagTests(airflow_env(home, DVCTT_WORKSPACE=str(ws_airflow)), root)  # gets ready meanwhile
    try:
        from dvctt.demo import create_demo
        from dvctt.pipeline import build_report, ingest

        create_demo(root / "demo", "12", YEAR, run=False)
        shutil.copytree(root / "demo", ws_airflow)
        shutil.copytree(root / "demo", ws_cli)
        inbox_before = _inbox_files(ws_airflow)
        with pytest.MonkeyPatch.context() as mp:  # the SQLite warehouse inside each workspace
            mp.delenv("DVCTT_WAREHOUSE_URL", raising=False)
            ingest(ws_cli)
            cli_report = build_report(ws_cli, YEAR).path
        result = child.run(
            [
                {"dag_id": "dvctt_ingest"},
                {"dag_id": "dvctt_ingest"},
                {"dag_id": "dvctt_report", "conf": {"year": YEAR}, "logical_date": None},
            ]
        )
        log_tail = child.log_tail()
    finally:
        child.stop()
    first, second, report = result["runs"]
    return {
        **result,
        "first_ingest": first,
        "second_ingest": second,
        "report": report,
        "cli_report": cli_report,
        "ws_airflow": ws_airflow,
        "inbox_before": inbox_before,
        "inbox_after": _inbox_files(ws_airflow),
        "log_tail": log_tail,
    }


def _failed(run: dict[str, Any], runs: dict[str, Any]) -> str:
    """Assertion message: the run, then what Airflow logged (task tracebacks)."""
    summary = {k: v for k, v in run.items() if k != "xcom"}
    return f"{summary}\n--- Airflow log (tail) ---\n{runs['log_tail']}"


def test_parsing_imports_no_pipeline_code(runs: dict[str, Any]) -> None:
    assert runs["parse"]["heavy_modules"] == []


def test_ingest_dag_emits_the_asset_only_for_new_data(runs: dict[str, Any]) -> None:
    first, second = runs["first_ingest"], runs["second_ingest"]
    assert first["state"] == "success", _failed(first, runs)
    assert first["tasks"] == {"ingest": "success", "announce_new_data": "success"}
    assert first["xcom"]["ingest"]["new_data"] is True and first["xcom"]["ingest"]["new_accepted"] > 0
    [event] = first["asset_events"]
    assert event["uri"] == SUBMISSIONS_URI and event["extra"]["new_accepted"] == first["xcom"]["ingest"]["new_accepted"]
    assert "dvctt_report" in first["queued_for"]  # the consumer DAG is queued by the event

    assert second["state"] == "success", _failed(second, runs)
    assert second["tasks"] == {"ingest": "success", "announce_new_data": "skipped"}
    assert second["xcom"]["ingest"]["new_data"] is False
    assert second["asset_events"] == []


def test_ingest_dag_never_moves_or_deletes_units_files(runs: dict[str, Any]) -> None:
    before, after = runs["inbox_before"], runs["inbox_after"]
    assert before and {k: after.get(k) for k in before} == before


def test_report_dag_matches_the_cli_report(runs: dict[str, Any]) -> None:
    report = runs["report"]
    assert report["state"] == "success", _failed(report, runs)
    assert report["logical_date"] is None and report["conf"] == {"year": YEAR}
    path = Path(report["xcom"]["build_report"])
    assert path.is_file() and path.parent == runs["ws_airflow"] / "outbox" / str(YEAR)
    airflow_data, cli_data = _data_sheet(path), _data_sheet(runs["cli_report"])
    assert len(airflow_data) > 100
    pd.testing.assert_frame_equal(airflow_data, cli_data)


def test_tasks_fail_fast_without_workspace(dagbag: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """No DVCTT_WORKSPACE: a clear failure that Airflow does not retry (AirflowFailException)."""
    from _common import workspace
    from airflow.sdk.exceptions import AirflowFailException

    monkeypatch.delenv("DVCTT_WORKSPACE", raising=False)
    with pytest.raises(AirflowFailException, match="DVCTT_WORKSPACE"):
        workspace()
