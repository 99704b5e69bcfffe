"""Real Airflow for the DAG tests: a throw-away AIRFLOW_HOME with a SQLite metadata DB, and `dag.test()`
run in a child interpreter.

Airflow reads its configuration (AIRFLOW_HOME, the metadata DB URL, the DAGs folder) once, when it is
first imported, so the only robust way to point it at a temporary database from inside pytest is a
fresh interpreter whose environment is set before `import airflow`. The child also keeps Airflow's
and GX's log output off the pytest console: it is captured and shown only when a run fails.

Used as a module by `tests/e2e/test_dags.py`, and as a script by itself (the child side):
    AIRFLOW_HOME=... python tests/support/airflow_env.py PLAN.json RESULT.json
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DAGS_FOLDER = REPO / "dags"

#: Set by the pipeline's DAGs at run time; a value inherited from the developer's shell must not leak in.
_DROP = ("DVCTT_WAREHOUSE_URL", "DVCTT_WORKSPACE")


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def airflow_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of an Airflow process using `home` and its own SQLite metadata DB."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW") and k not in _DROP}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home.resolve()}/airflow.db",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
            # Unpaused, so an asset event visibly queues the consumer DAG (AssetDagRunQueue).
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
            "GX_ANALYTICS_ENABLED": "False",
            "PYTHONWARNINGS": "ignore",
        }
    )
    env.update(extra)
    return env


class DagTests:
    """A child interpreter running `dag.test()` on a fresh SQLite metadata DB.

    It starts at once and gets ready (imports Airflow, migrates the DB, parses `dags/`, imports the
    pipeline) while the caller prepares the workspace; `run(plan)` then hands it the steps and waits.
    A step is ``{"dag_id": str, "conf": dict | None, "logical_date": "now" | None | ISO datetime,
    "env": dict | None}``; a ``None`` logical date is what an asset-triggered run gets, an ISO datetime
    stands for a scheduled day, and ``env`` overrides environment variables for that step only.
    """

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self._plan_file, self._result_file = workdir / "plan.json", workdir / "result.json"
        self._log = workdir / "dag_test.log"
        self._plan_file.unlink(missing_ok=True)
        self._result_file.unlink(missing_ok=True)
        with self._log.open("w", encoding="utf-8") as log:  # Airflow/GX chatter, read only on failure
            self._proc = subprocess.Popen(
                [sys.executable, __file__, str(self._plan_file), str(self._result_file)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def run(self, plan: list[dict[str, Any]], timeout: float = 900) -> dict[str, Any]:
        """``{"migrate_seconds", "warm_up_seconds", "parse": {...}, "runs": [...]}``; raises with the
        child's log tail if the child itself failed (a failed DAG run is reported in ``runs``)."""
        tmp = self._plan_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(plan), encoding="utf-8")
        tmp.replace(self._plan_file)  # atomic: the child never reads half a plan
        try:
            code = self._proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            raise
        if code != 0 or not self._result_file.exists():
            raise RuntimeError(f"dag.test child failed (exit {code}):\n{self.log_tail()}")
        return json.loads(self._result_file.read_text(encoding="utf-8"))

    def log_tail(self, lines: int = 80) -> str:
        """The end of the child's output (warnings and errors only: it logs at WARNING)."""
        return "\n".join(self._log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    def log_text(self) -> str:
        """The child's whole output: what the tasks logged at WARNING and above."""
        return self._log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Kill the child if it is still waiting (the caller failed before `run`)."""
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()


# --- child side -------------------------------------------------------------------------------


def _child(plan_file: Path, result_file: Path) -> None:
    # `airflow db migrate` is `airflow.utils.db.upgradedb()`; calling it here saves a second Airflow
    # start-up. On an empty DB Airflow 3 creates the tables from the ORM and stamps the Alembic head
    # rather than replaying every migration.
    from airflow.utils.db import upgradedb

    started = time.perf_counter()
    upgradedb()
    migrate_seconds = round(time.perf_counter() - started, 2)

    import pendulum

    # Airflow's dag processor puts the bundle folder on sys.path (BundleDagBag); do the same here.
    sys.path.insert(0, str(DAGS_FOLDER))
    from airflow.dag_processing.dagbag import DagBag

    heavy = ("dvctt.pipeline", "great_expectations", "pandas")
    started = time.perf_counter()
    bag = DagBag(dag_folder=str(DAGS_FOLDER))
    parse = {
        "seconds": round(time.perf_counter() - started, 3),
        "heavy_modules": sorted(m for m in heavy if m in sys.modules),
    }
    if bag.import_errors:
        raise SystemExit(f"import errors: {bag.import_errors}")

    started = time.perf_counter()
    import dvctt.pipeline  # noqa: F401  warm-up: the tasks import it; do it while the caller is busy

    warm_up_seconds = round(time.perf_counter() - started, 2)
    deadline = time.monotonic() + 900
    while not plan_file.exists():
        if time.monotonic() > deadline:
            raise SystemExit("no plan received")
        time.sleep(0.1)

    results = []
    for step in json.loads(plan_file.read_text(encoding="utf-8")):
        # Parsed afresh per step, as a worker does per task: in-process runs update the params they share.
        dag = DagBag(dag_folder=str(DAGS_FOLDER)).dags[step["dag_id"]]
        for t in dag.tasks:  # a failure must fail the test now, not after the back-off delays
            t.retries = 0
        kwargs: dict[str, Any] = {"run_conf": step.get("conf")}
        when = step.get("logical_date", "now")
        if when != "now":
            kwargs["logical_date"] = None if when is None else pendulum.parse(when)
        saved = {k: os.environ.get(k) for k in step.get("env") or {}}
        os.environ.update(step.get("env") or {})
        started = time.perf_counter()
        try:
            dr = dag.test(**kwargs)
        finally:
            for key, value in saved.items():
                if value is None:
                    del os.environ[key]
                else:
                    os.environ[key] = value
        results.append({**_describe(dr), "seconds": round(time.perf_counter() - started, 2)})
    result = {"migrate_seconds": migrate_seconds, "warm_up_seconds": warm_up_seconds, "parse": parse, "runs": results}
    result_file.write_text(json.dumps(result, default=str), encoding="utf-8")


def _describe(dr: Any) -> dict[str, Any]:
    """State, task states, return values and asset events of a finished DagRun."""
    from airflow.models.asset import AssetDagRunQueue, AssetEvent, AssetModel
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        tis = {ti.task_id: str(ti.state) for ti in dr.get_task_instances(session=session)}
        xcoms = {
            x.task_id: XComModel.deserialize_value(x)
            for x in session.scalars(XComModel.get_many(run_id=dr.run_id, dag_ids=dr.dag_id, key="return_value"))
        }
        events = [
            {"uri": uri, "extra": event.extra, "task_id": event.source_task_id}
            for event, uri in session.execute(
                select(AssetEvent, AssetModel.uri)
                .join(AssetModel, AssetModel.id == AssetEvent.asset_id)
                .where(AssetEvent.source_run_id == dr.run_id)
            )
        ]
        queued = sorted(session.scalars(select(AssetDagRunQueue.target_dag_id)))
    return {
        "dag_id": dr.dag_id,
        "run_id": dr.run_id,
        "state": str(dr.state),
        "logical_date": dr.logical_date,
        "conf": dr.conf,
        "tasks": tis,
        "xcom": xcoms,
        "asset_events": events,
        "queued_for": queued,
    }


if __name__ == "__main__":
    _child(Path(sys.argv[1]), Path(sys.argv[2]))
