"""The production shape, for real: Airflow 3.3.2 as separate processes (scheduler, dag-processor, api-server
and a Celery worker on Redis) with PostgreSQL for Airflow's metadata and for the warehouse, on a demo
workspace, driven only through the REST API as an operator or another system would.

What docker-compose.yaml runs, minus the containers: the same executor, broker, databases and DAG folder.
`dvctt_ingest` is triggered, its asset event makes the scheduler start a draft `dvctt_report`, then a final
`dvctt_report` is triggered with params; the workbooks must be on disk and the rows in PostgreSQL.

Isolation: scratch PostgreSQL databases (dropped afterwards), Redis database 5 only (flushed before and after),
free ports, a temporary AIRFLOW_HOME. Every process gets its own process group and is stopped in a `finally`.
Airflow's output goes to log files whose tails are printed only when something fails.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.support.airflow_env import airflow_env, free_port
from tests.support.pg import scratch_database
from tests.support.services import unavailable

AIRFLOW = str(Path(sys.executable).with_name("airflow"))
REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 5  # a database of our own: flushed, never the others
USER, YEAR = "admin", 2025
RUN_TIMEOUT_S = 240


def _redis() -> Any:
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        unavailable(f"Redis not reachable at {REDIS_HOST}:{REDIS_PORT}: {exc}")
    return client


def _tail(path: Path, lines: int = 40) -> str:
    if not path.is_file():
        return "(no file)"
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


class Stack:
    """The Airflow processes, their logs, and a REST client once the api-server answers."""

    def __init__(self, home: Path, env: dict[str, str], api: str) -> None:
        self.home, self.env, self.api = home, env, api
        self.procs: dict[str, subprocess.Popen] = {}
        self.client = httpx.Client(base_url=api, timeout=30)

    def log(self, name: str) -> Path:
        return self.home / f"{name}.log"

    def run(self, name: str, *args: str) -> None:
        """A one-off command (db migrate); its output goes to its log."""
        with self.log(name).open("w") as out:
            code = subprocess.call([AIRFLOW, *args], env=self.env, stdout=out, stderr=subprocess.STDOUT, timeout=300)
        if code:
            pytest.fail(f"airflow {' '.join(args)} failed ({code}):\n{_tail(self.log(name))}")

    def start(self, name: str, *args: str, **env: str) -> None:
        with self.log(name).open("w") as out:  # the child keeps its own descriptor
            self.procs[name] = subprocess.Popen([AIRFLOW, *args], env={**self.env, **env}, stdout=out,
                                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                                start_new_session=True)

    def stop(self) -> None:
        """SIGTERM every process group, wait, then SIGKILL what is left: nothing outlives the test."""
        self.client.close()
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for proc in self.procs.values():
            with suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        for proc in self.procs.values():
            with suppress(ProcessLookupError):  # the group too: task supervisors, Celery pool processes
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def diagnostics(self) -> str:
        """Process states and log tails, then the newest task logs: what a failed assertion prints."""
        parts = [f"--- {name} (exit {proc.poll()}) ---\n{_tail(self.log(name))}" for name, proc in self.procs.items()]
        task_logs = sorted((self.home / "logs").rglob("*.log"), key=lambda p: p.stat().st_mtime)[-3:]
        parts += [f"--- task log {p.relative_to(self.home)} ---\n{_tail(p, 30)}" for p in task_logs]
        return "\n".join(parts)

    def wait(self, what: str, check: Callable[[], Any], timeout: float) -> Any:
        """Poll `check` until it returns something truthy; fail with the diagnostics after `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            dead = {n: p.returncode for n, p in self.procs.items() if p.poll() is not None}
            if dead:
                pytest.fail(f"Airflow process exited while waiting for {what}: {dead}\n{self.diagnostics()}")
            try:
                if result := check():
                    return result
            except httpx.TransportError:
                pass  # the api-server is still starting
            time.sleep(1)
        pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what}\n{self.diagnostics()}")

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.client.request(method, path, **kwargs)
        if response.is_error:
            pytest.fail(f"{method} {path} → {response.status_code}: {response.text}\n{self.diagnostics()}")
        return response.json()

    def finished_run(self, dag_id: str, run_id: str) -> dict:
        def state() -> dict | None:
            run = self.call("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")
            return run if run["state"] in ("success", "failed") else None

        run = self.wait(f"{dag_id} run {run_id}", state, RUN_TIMEOUT_S)
        if run["state"] != "success":
            tis = self.call("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances")["task_instances"]
            pytest.fail(f"{dag_id} {run_id} failed: {[(t['task_id'], t['state']) for t in tis]}\n{self.diagnostics()}")
        return run

    def xcom(self, dag_id: str, run_id: str, task_id: str) -> Any:
        path = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/return_value"
        return self.call("GET", path)["value"]


def _environment(home: Path, ws: Path, meta_url: str, warehouse_url: str, api: str, password_file: Path) -> dict:
    from cryptography.fernet import Fernet

    plain = meta_url.split("?")[0]
    return airflow_env(
        home,
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=meta_url,
        AIRFLOW__CORE__EXECUTOR="CeleryExecutor",
        AIRFLOW__CELERY__BROKER_URL=f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}",
        AIRFLOW__CELERY__RESULT_BACKEND=f"db+{plain}",
        AIRFLOW__CELERY__WORKER_CONCURRENCY="2",
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="True",  # only the DAGs the test unpauses run
        AIRFLOW__CORE__FERNET_KEY=Fernet.generate_key().decode(),
        AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_urlsafe(32),
        AIRFLOW__API__SECRET_KEY=secrets.token_urlsafe(32),
        AIRFLOW__API__BASE_URL=api,
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"{api}/execution/",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=f"{USER}:admin",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(password_file),
        AIRFLOW__CORE__DEFAULT_TIMEZONE="Asia/Ho_Chi_Minh",
        DVCTT_WORKSPACE=str(ws),
        DVCTT_WAREHOUSE_URL=warehouse_url,
    )


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from dvctt.demo import create_demo

    if importlib.util.find_spec("asyncpg") is None:  # a missing dependency, not a missing service: fail
        pytest.fail("asyncpg is not installed: Airflow 3.3 cannot start on PostgreSQL without it "
                    "(it belongs in pyproject.toml's dependencies).")
    redis_client = _redis()
    root = tmp_path_factory.mktemp("production")
    home, ws = root / "airflow", root / "ws"
    home.mkdir()
    password, port = secrets.token_urlsafe(16), free_port()
    password_file = home / "passwords.json"
    password_file.write_text(json.dumps({USER: password}), encoding="utf-8")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with ExitStack() as stack:
        meta_url = stack.enter_context(scratch_database("airflow_meta"))
        warehouse_url = stack.enter_context(scratch_database("dvctt_warehouse"))
        redis_client.flushdb()
        stack.callback(redis_client.flushdb)
        api = f"http://127.0.0.1:{port}"
        af = Stack(home, _environment(home, ws, meta_url, warehouse_url, api, password_file), api)
        stack.callback(af.stop)
        create_demo(ws, "12", YEAR, run=False)
        af.run("migrate", "db", "migrate")
        timings["migrate"] = time.perf_counter() - started
        af.start("api-server", "api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1")
        af.start("dag-processor", "dag-processor")
        af.start("scheduler", "scheduler")
        af.start("worker", "celery", "worker", "--concurrency", "2", "--skip-serve-logs", "--without-gossip",
                 "--without-mingle", "--celery-hostname", f"dvctt-test-{port}@%h",
                 AIRFLOW__LOGGING__LOGGING_LEVEL="INFO")  # so its log shows which tasks it executed

        af.wait("the api-server", lambda: af.client.get("/api/v2/monitor/health").status_code == 200, 120)
        token = af.client.post("/auth/token", json={"username": USER, "password": password})
        assert token.status_code == 201, token.text
        af.client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        wrong = httpx.post(f"{api}/auth/token", json={"username": USER, "password": "sai"}, timeout=30)
        af.wait("the four DAGs to be parsed", lambda: af.call(
            "GET", "/api/v2/dags", params={"dag_id_pattern": "dvctt"})["total_entries"] == 4, 120)
        import_errors = af.call("GET", "/api/v2/importErrors")["import_errors"]
        timings["ready"] = time.perf_counter() - started

        # One unit's file is dropped only later, so that a second ingest has new data for the draft.
        held = next((ws / "inbox").glob("*/*.xlsx"))
        later = root / held.name
        held.rename(later)
        af.call("PATCH", "/api/v2/dags/dvctt_ingest", json={"is_paused": False})
        ingest = af.call("POST", "/api/v2/dags/dvctt_ingest/dagRuns", json={"logical_date": None})
        ingest = af.finished_run("dvctt_ingest", ingest["dag_run_id"])
        timings["ingest"] = time.perf_counter() - started
        # The demo's final dates (6/12 and 13/12/2025) are past: unpausing makes the scheduler catch them up.
        af.call("PATCH", "/api/v2/dags/dvctt_report", json={"is_paused": False})

        def scheduled() -> list[dict] | None:
            runs = af.call("GET", "/api/v2/dags/dvctt_report/dagRuns", params={"run_type": "scheduled"})["dag_runs"]
            return runs if len(runs) == 2 else None

        caught_up = [af.finished_run("dvctt_report", r["dag_run_id"]) for r in af.wait("the caught-up finals",
                                                                                    scheduled, 120)]
        later.rename(held)
        os.utime(held, (time.time() - 60, time.time() - 60))  # settled: copied a minute ago
        second = af.call("POST", "/api/v2/dags/dvctt_ingest/dagRuns", json={"logical_date": None})
        af.finished_run("dvctt_ingest", second["dag_run_id"])

        def asset_run() -> dict | None:
            runs = af.call("GET", "/api/v2/dags/dvctt_report/dagRuns", params={"run_type": "asset_triggered"})
            return runs["dag_runs"][0] if runs["dag_runs"] else None

        draft = af.wait("the asset-triggered draft report", asset_run, 60)
        draft = af.finished_run("dvctt_report", draft["dag_run_id"])
        final = af.call("POST", "/api/v2/dags/dvctt_report/dagRuns", json={
            "logical_date": None, "conf": {"year": YEAR, "final": True}, "note": "Bản chính thức (kiểm thử)"})
        final = af.finished_run("dvctt_report", final["dag_run_id"])
        timings["reports"] = time.perf_counter() - started

        result = {
            "import_errors": import_errors, "wrong_password": wrong.status_code,
            "ingest": ingest, "ingest_summary": af.xcom("dvctt_ingest", ingest["dag_run_id"], "inbox.ingest"),
            "draft": draft, "draft_result": af.xcom("dvctt_report", draft["dag_run_id"], "report.build_report"),
            "final": final, "final_result": af.xcom("dvctt_report", final["dag_run_id"], "report.build_report"),
            "final_kept": af.xcom("dvctt_report", final["dag_run_id"], "report.keep_final"),
            "final_tasks": af.call("GET", f"/api/v2/dags/dvctt_report/dagRuns/{final['dag_run_id']}/taskInstances"),
            "caught_up": caught_up,
            "ws": ws, "worker_log": af.log("worker"),
        }
        engine = create_engine(warehouse_url)
        with engine.connect() as conn:
            result["warehouse"] = {
                "submissions": conn.scalar(text("SELECT count(*) FROM submissions WHERE is_current")),
                "facts": conn.scalar(text("SELECT count(*) FROM facts")),
                "finals": [tuple(r) for r in conn.execute(text("SELECT year, run_id, path FROM final_reports"))],
            }
        engine.dispose()
        yield result
    timings["total with teardown"] = time.perf_counter() - started
    print("\nproduction stack timings (s): " + ", ".join(f"{k} {v:.0f}" for k, v in timings.items()))


def test_the_api_needs_a_valid_password_and_every_dag_imports(production: dict[str, Any]) -> None:
    assert production["wrong_password"] == 401
    assert production["import_errors"] == []


def test_ingest_then_an_asset_triggered_draft_ran_on_the_celery_worker(production: dict[str, Any]) -> None:
    summary, draft = production["ingest_summary"], production["draft_result"]
    # Unpausing dvctt_ingest may let the scheduler start a run of its own first; either run's event counts.
    assert summary["accepted"] > 100 and summary["pending"] == 0
    assert production["draft"]["run_type"] == "asset_triggered" and production["draft"]["logical_date"] is None
    assert (draft["kind"], draft["year"]) == ("draft", YEAR)
    # CeleryExecutor is the only executor: the worker's log names the tasks it received.
    assert "report.build_report" in production["worker_log"].read_text(encoding="utf-8", errors="replace")


def test_rest_triggered_final_report_is_on_disk_and_in_postgresql(production: dict[str, Any]) -> None:
    final, result, kept = production["final"], production["final_result"], production["final_kept"]
    assert final["conf"] == {"year": YEAR, "final": True} and final["note"] == "Bản chính thức (kiểm thử)"
    assert {t["task_id"]: t["state"] for t in production["final_tasks"]["task_instances"]} == {
        "report.build_report": "success", "report.keep_final": "success"}
    assert (result["kind"], result["year"]) == ("final", YEAR)
    assert 100 < result["units_reported"] < result["units_expected"]  # the demo leaves some units missing
    workbook, kept = Path(result["path"]), Path(kept)
    assert workbook.parent == production["ws"] / "outbox" / str(YEAR) and workbook.stat().st_size > 10_000
    assert kept.parent == workbook.parent and "_chinh_thuc_" in kept.name and kept.is_file()
    warehouse = production["warehouse"]
    assert warehouse["submissions"] > 100 and warehouse["facts"] > 1000
    assert (YEAR, final["dag_run_id"], str(kept)) in warehouse["finals"]


def test_final_runs_missed_before_the_stack_started_are_caught_up(production: dict[str, Any]) -> None:
    caught_up = production["caught_up"]
    assert sorted(r["logical_date"] for r in caught_up) == ["2025-12-05T23:00:00Z", "2025-12-12T23:00:00Z"]
    recorded = {run_id for _, run_id, _ in production["warehouse"]["finals"]}
    assert {r["dag_run_id"] for r in caught_up} <= recorded  # built and kept as finals
