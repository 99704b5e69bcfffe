"""`make compose-test`: docker-compose.yaml brought up for real (podman + podman-compose), checked, torn down.

Run by deploy/compose-test.sh (which installs the tools and builds the stand-in images) with the project's
Python. The stack is the repository's docker-compose.yaml, with only deploy/compose.podman.yaml on top (Debian's
PostgreSQL and Redis instead of Docker Hub's images), a fresh .env from deploy/make_env.py, and a demo workspace
in a temporary folder. Every check prints one line; the first failure prints the services' logs and stops. The
stack (containers, volumes, network) and the temporary folder are removed in every case.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
PROJECT = "dvctt-compose-test"
IMAGE = "localhost/dvctt-airflow:compose-test"
BASE = os.environ.get("DVCTT_BASE_IMAGE", "localhost/dvctt-debian:bookworm")
PODMAN_COMPOSE = os.environ["PODMAN_COMPOSE"].split()  # set by compose-test.sh
YEAR, PROVINCE = 2025, "12"
AIRFLOW_UID, CLERK_UID = 1234, 40001  # the service account IT runs the stack as; a unit's clerk on the file share
SERVICES = ["airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer", "airflow-worker"]
STARTED = time.monotonic()


class CheckFailed(Exception):
    pass


def say(status: str, what: str, detail: str = "") -> None:
    elapsed = time.monotonic() - STARTED
    print(f"[{elapsed:6.0f} s] {status:<4} {what}" + (f": {detail}" if detail else ""), flush=True)


def check(what: str, ok: bool, detail: str = "") -> None:
    if not ok:
        say("FAIL", what, detail)
        raise CheckFailed(what)
    say("ok", what, detail)


def run(*args: str, check_rc: bool = True, env: dict[str, str] | None = None, timeout: float = 1800) -> str:
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout)
    if check_rc and proc.returncode:
        raise CheckFailed(f"{' '.join(args[:4])}… exited {proc.returncode}:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return proc.stdout


def wait(what: str, probe: Callable[[], Any], timeout: float, every: float = 3) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if result := probe():
                return result
        except (httpx.TransportError, CheckFailed, subprocess.CalledProcessError):
            pass
        time.sleep(every)
    say("FAIL", what, f"not within {timeout:.0f} s")
    raise CheckFailed(what)


class Stack:
    def __init__(self, tmp: Path) -> None:
        self.tmp, self.env_file = tmp, tmp / ".env"

    def compose(self, *args: str, check_rc: bool = True) -> str:
        return run(*PODMAN_COMPOSE, "--project-name", PROJECT, "--env-file", str(self.env_file),
                   "-f", str(REPO / "docker-compose.yaml"), "-f", str(REPO / "deploy" / "compose.podman.yaml"), *args,
                   check_rc=check_rc)

    def container(self, service: str) -> str:
        ids = run("podman", "ps", "-a", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}",
                  "--filter", f"label=com.docker.compose.service={service}").split()
        if not ids:
            raise CheckFailed(f"no container for {service}")
        return ids[0]

    def healthy(self, service: str) -> bool:
        return subprocess.run(["podman", "healthcheck", "run", self.container(service)], capture_output=True).returncode == 0

    def logs(self) -> str:
        out = []
        for service in ["postgres", "redis", "airflow-init", *SERVICES]:
            try:
                text = run("podman", "logs", "--tail", "40", self.container(service), check_rc=False)
            except CheckFailed:
                continue
            out.append(f"--- {service} ---\n{text}")
        return "\n".join(out)

    def down(self) -> None:
        self.compose("down", "-v", check_rc=False)
        for kind in ("pod", "network"):
            subprocess.run(["podman", kind, "rm", "-f", f"pod_{PROJECT}" if kind == "pod" else f"{PROJECT}_default"],
                           capture_output=True)
        left = run("podman", "ps", "-a", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}", check_rc=False)
        if left.split():
            subprocess.run(["podman", "rm", "-f", *left.split()], capture_output=True)
        volumes = run("podman", "volume", "ls", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}",
                      check_rc=False)
        if volumes.split():
            subprocess.run(["podman", "volume", "rm", "-f", *volumes.split()], capture_output=True)


def set_env(path: Path, **values: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    for key, value in values.items():
        lines = [line for line in lines if not line.startswith(f"{key}=")] + [f"{key}={value}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def env_value(path: Path, key: str) -> str:
    return next(line.partition("=")[2] for line in path.read_text(encoding="utf-8").splitlines()
                if line.startswith(f"{key}="))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def workspace(tmp: Path) -> tuple[Path, Path, Path]:
    """A demo workspace (files only, not ingested) as the units' clerks left it; one unit's file held back to be
    dropped while the stack runs, and a broken file for another unit."""
    from dvctt.demo import create_demo

    ws = tmp / "workspace"
    create_demo(ws, PROVINCE, YEAR, run=False)
    later = tmp / "later"
    unit_dir = sorted(p for p in (ws / "inbox").iterdir() if p.is_dir() and any(p.glob("*.xlsx")))[0]
    held = next(unit_dir.glob("*.xlsx"))
    later.mkdir()
    shutil.move(held, later / held.name)
    for path in (ws / "inbox").rglob("*"):  # units' folders and files belong to the clerks who dropped them
        os.chown(path, CLERK_UID, CLERK_UID)
        path.chmod(0o755 if path.is_dir() else 0o644)
    return ws, later / held.name, unit_dir


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="dvctt-compose-test.", dir="/var/tmp"))
    stack = Stack(tmp)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        checks(stack, tmp)
    except CheckFailed as exc:
        print(f"\n{exc}\n\n{stack.logs()}", flush=True)
        return 1
    except Exception:
        say("FAIL", "compose-test itself", "unexpected error (traceback below)")
        print(f"{traceback.format_exc()}\n{stack.logs()}", flush=True)
        return 1
    finally:
        stack.down()
        shutil.rmtree(tmp, ignore_errors=True)
        say("ok", "torn down", "containers, volumes, network and the temporary workspace removed")
    say("ok", "compose-test passed", f"{time.monotonic() - STARTED:.0f} s in all")
    return 0


@contextmanager
def api(port: str, password: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        token = client.post("/auth/token", json={"username": "admin", "password": password})
        check("the admin user logs in (FAB auth manager, POST /auth/token)", token.status_code in (200, 201),
              f"HTTP {token.status_code}")
        client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        yield client


def _check_migrations(stack: Stack) -> subprocess.CompletedProcess[str]:
    """`airflow db check-migrations` in the scheduler, tried again only while the container cannot resolve a
    service's name: podman's DNS once missed "postgres" for a moment with every service healthy. A revision
    mismatch fails at once."""
    for _ in range(6):
        proc = subprocess.run(["podman", "exec", stack.container("airflow-scheduler"), "airflow", "db",
                               "check-migrations", "--migration-wait-timeout", "10"], capture_output=True, text=True)
        if proc.returncode == 0 or "could not translate host name" not in proc.stdout + proc.stderr:
            return proc
        time.sleep(5)
    return proc


def checks(stack: Stack, tmp: Path) -> None:
    ws, held, held_unit = workspace(tmp)
    port = str(_free_port())
    run(sys.executable, str(REPO / "deploy" / "make_env.py"), str(stack.env_file), "--workspace", str(ws),
        "--uid", str(AIRFLOW_UID), "--it", "it@example.gov.vn",
        "--smtp", "smtp://127.0.0.1:25?disable_ssl=true&disable_tls=true&from_email=bao-cao%40example.gov.vn")
    set_env(stack.env_file, DVCTT_AIRFLOW_IMAGE=IMAGE, DVCTT_BASE_IMAGE=BASE, AIRFLOW_API_PORT=port,
            AIRFLOW__API__BASE_URL=f"http://127.0.0.1:{port}", DVCTT_INGEST_SCHEDULE="* * * * *")
    say("ok", "workspace and .env", f"{ws} (demo {PROVINCE}/{YEAR}); .env from deploy/make_env.py")

    stack.compose("build", "airflow-init")
    check("the image builds from uv.lock (docker-compose.yaml's build:, pip check inside)",
          run("podman", "image", "exists", IMAGE, check_rc=False) == "")
    for bad, why in (("change-me", "a change-me secret"), ("not-a-fernet-key", "a non-Fernet FERNET_KEY")):
        proc = subprocess.run(["podman", "run", "--rm", "-e", f"AIRFLOW__CORE__FERNET_KEY={bad}", IMAGE, "version"],
                              capture_output=True, text=True)
        check(f"a container refuses to start with {why}", proc.returncode == 78 and "dvctt:" in proc.stderr,
              proc.stderr.strip().splitlines()[0] if proc.stderr.strip() else f"exit {proc.returncode}")

    stack.compose("up", "-d", "postgres", "redis")
    wait("postgres and redis healthy", lambda: stack.healthy("postgres") and stack.healthy("redis"), 120)
    say("ok", "postgres and redis healthy")
    stack.compose("up", "-d", "--no-deps", "airflow-init")
    code = run("podman", "wait", stack.container("airflow-init"), timeout=600).strip()
    init_log = run("podman", "logs", stack.container("airflow-init"), check_rc=False)
    check("airflow-init exits 0", code == "0", f"exit {code}")
    check("airflow-init migrated the metadata database (airflow db migrate)",
          "airflow-init: metadata database migrated" in init_log)
    check("airflow-init created the admin user", "airflow-init: admin user admin ready" in init_log)
    check("airflow-init created the warehouse database", "Warehouse database 'dvctt' ready" in init_log)

    stack.compose("up", "-d")
    for service in SERVICES:
        wait(f"{service} healthy", lambda service=service: stack.healthy(service), 420, every=5)
        say("ok", f"{service} healthy", "podman healthcheck run")
    migrations = _check_migrations(stack)
    check("the metadata database is at Airflow's head revision", migrations.returncode == 0,
          "" if migrations.returncode == 0 else (migrations.stdout + migrations.stderr)[-2000:])

    with api(port, env_value(stack.env_file, "_AIRFLOW_WWW_USER_PASSWORD")) as client:
        dags = wait("the four DAGs parsed", lambda: (r := client.get("/api/v2/dags", params={
            "dag_id_pattern": "dvctt"}).json())["total_entries"] == 4 and r, 240)
        errors = client.get("/api/v2/importErrors").json()
        check("the four DAGs parse with 0 import errors", errors["total_entries"] == 0,
              ", ".join(sorted(d["dag_id"] for d in dags["dags"])) + f"; import errors: {errors['import_errors']}")
        proved_ingest(client, ws, held, held_unit)
        proved_report(client, stack, ws, held, held_unit)
    proved_ownership(ws, held_unit / held.name, sha256(held))
    proved_runbook(stack, port)


def scheduled_ingests(client: httpx.Client) -> list[dict]:
    runs = client.get("/api/v2/dags/dvctt_ingest/dagRuns", params={"run_type": "scheduled", "state": "success",
                                                                    "order_by": "-run_after", "limit": 20}).json()
    return runs["dag_runs"]


def xcom(client: httpx.Client, dag_id: str, run_id: str, task_id: str) -> Any:
    path = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/return_value"
    return client.get(path).json()["value"]


def finals_caught_up(client: httpx.Client, ws: Path) -> None:
    """The demo's final dates are past, so the scheduler catches their runs up, and a final takes in the inbox
    first: the file is dropped only once they are done, or a final, not the scheduled ingest, would take it in."""
    from core.config import load_config
    from dvctt.schedule import final_runs

    due = len(final_runs(load_config(ws)))

    def done() -> list[dict] | None:
        runs = client.get("/api/v2/dags/dvctt_report/dagRuns", params={"run_type": "scheduled"}).json()["dag_runs"]
        finished = [r for r in runs if r["state"] in ("success", "failed")]
        return finished if len(finished) >= due else None

    finished = wait(f"the {due} caught-up final reports", done, 420)
    check(f"the {due} final reports missed before the stack started are caught up",
          all(r["state"] == "success" for r in finished), ", ".join(f"{r['dag_run_id']} {r['state']}" for r in finished))


def proved_ingest(client: httpx.Client, ws: Path, held: Path, held_unit: Path) -> None:
    first = wait("a scheduled dvctt_ingest run", lambda: scheduled_ingests(client), 300)[0]
    summary = xcom(client, "dvctt_ingest", first["dag_run_id"], "inbox.ingest")
    check("the scheduled ingest took in the workspace's inbox", summary["accepted"] > 100,
          f"{first['dag_run_id']}: {json.dumps({k: summary[k] for k in ('seen', 'accepted', 'quarantined')})}")
    check("the ingest XCom is a summary, not the per-file list", "files" not in summary and len(json.dumps(summary)) < 1000,
          f"{len(json.dumps(summary))} bytes: {sorted(summary)}")
    finals_caught_up(client, ws)
    known = {r["dag_run_id"] for r in scheduled_ingests(client)}
    target = held_unit / held.name
    shutil.copy2(held, target)  # as the clerk's share would: their owner and mode
    os.chown(target, CLERK_UID, CLERK_UID)
    broken = ws / "inbox" / sorted(p.name for p in (ws / "inbox").iterdir() if p != held_unit)[-1] / "hong.xlsx"
    broken.write_bytes(b"not a workbook")
    os.chown(broken, CLERK_UID, CLERK_UID)
    past = time.time() - 60  # settled: copied a minute ago
    for path in (target, broken):
        os.utime(path, (past, past))

    def took_it_in() -> dict | None:
        for r in scheduled_ingests(client):
            if r["dag_run_id"] not in known:
                s = xcom(client, "dvctt_ingest", r["dag_run_id"], "inbox.ingest")
                if s["new_accepted"] >= 1:
                    return {"run": r["dag_run_id"], **s}
        return None

    try:
        taken = wait("a scheduled ingest taking in the dropped file", took_it_in, 300)
    except CheckFailed:
        for r in scheduled_ingests(client):  # what each later run answered, for the log
            if r["dag_run_id"] not in known:
                print(r["dag_run_id"], xcom(client, "dvctt_ingest", r["dag_run_id"], "inbox.ingest"), flush=True)
        raise
    check("a file dropped into the mounted inbox is taken in by the scheduled dvctt_ingest",
          taken["new_accepted"] == 1 and taken["new_quarantined"] == 1,
          f"{taken['run']}: new_accepted {taken['new_accepted']}, new_quarantined {taken['new_quarantined']} "
          f"({held_unit.name}/{held.name} accepted, the broken file quarantined)")


def proved_report(client: httpx.Client, stack: Stack, ws: Path, held: Path, held_unit: Path) -> None:
    from openpyxl import load_workbook

    workbook = ws / "outbox" / str(YEAR) / f"bao_cao_dvctt_{PROVINCE}_{YEAR}.xlsx"
    unit = held_unit.name

    def draft_with_the_unit() -> bool:
        runs = client.get("/api/v2/dags/dvctt_report/dagRuns", params={"run_type": "asset_triggered",
                                                                        "state": "success"}).json()["dag_runs"]
        if not runs or not workbook.is_file():
            return False
        rows = load_workbook(workbook, read_only=True)["Dữ liệu"].iter_rows(values_only=True)
        return any(row[0] == unit for row in rows)

    wait("the asset-triggered draft with the dropped unit", draft_with_the_unit, 300)
    check("dvctt_report (asset-triggered draft) wrote the workbook into the mounted outbox",
          workbook.stat().st_size > 10_000, f"{workbook.relative_to(ws)} lists unit {unit}")

    sql = ("SELECT f.indicator_code, f.numerator, f.sheet, f.cell FROM facts f JOIN submissions s "
           f"ON s.id = f.submission_id WHERE s.is_current AND f.unit_code = '{unit}' AND f.numerator IS NOT NULL "
           "ORDER BY f.indicator_code")
    out = run("podman", "exec", stack.container("postgres"), "psql", "-U", "airflow", "-d", "dvctt", "-At", "-F", "\t",
              "-c", sql)
    facts = [line.split("\t") for line in out.splitlines() if line]
    source = load_workbook(held, data_only=True)
    yes_no = {"Có": 1.0, "Không": 0.0}  # a yes/no answer is stored as 1/1 or 0/1

    def typed(sheet: str, cell: str) -> float:
        value = source[sheet][cell].value
        return yes_no[value] if isinstance(value, str) else float(value)

    mismatched = [f for f in facts if typed(f[2], f[3]) != float(f[1])]
    current = run("podman", "exec", stack.container("postgres"), "psql", "-U", "airflow", "-d", "dvctt", "-At", "-c",
                  "SELECT count(*) FROM submissions WHERE is_current").strip()
    check("the figures are in the PostgreSQL warehouse, cell for cell as the unit typed them",
          len(facts) > 10 and not mismatched and int(current) > 100,
          f"{current} current submissions; unit {unit}: {len(facts)} numerators = the source workbook's cells"
          + (f"; mismatched {mismatched[:3]}" if mismatched else ""))


def proved_ownership(ws: Path, clerk_file: Path, clerk_sha: str) -> None:
    def owner_mode(path: Path) -> tuple[int, int, str]:
        st = path.stat()
        return st.st_uid, st.st_gid, oct(st.st_mode & 0o777)

    written = {
        "outbox workbook": next((ws / "outbox" / str(YEAR)).glob("bao_cao_*.xlsx")),
        "run page": next((ws / "outbox").rglob("*.html")),
        "archived file": next(p for p in (ws / "archive").rglob("*") if p.is_file()),
        "quarantine reason": next((ws / "quarantine").rglob("*.ly_do.txt")),
        "feedback to the unit": next((ws / "inbox").rglob("phan_hoi/*.xlsx")),
    }
    report = {name: owner_mode(path) for name, path in written.items()}
    check("files the pipeline wrote belong to AIRFLOW_UID, group 0, readable by all (0644)",
          all(v == (AIRFLOW_UID, 0, "0o644") for v in report.values()),
          "; ".join(f"{k} {u}:{g} {m}" for k, (u, g, m) in report.items()))
    folders = {p: owner_mode(p) for p in (ws / "archive", ws / "outbox", ws / "quarantine")}
    check("the folders the pipeline writes belong to AIRFLOW_UID (airflow-init chowned the tree)",
          all(v[0] == AIRFLOW_UID for v in folders.values()), "; ".join(f"{p.name} {v[0]}:{v[1]} {v[2]}"
                                                                       for p, v in folders.items()))
    check("a unit's own file keeps its owner, mode and bytes", owner_mode(clerk_file) == (CLERK_UID, CLERK_UID, "0o644")
          and sha256(clerk_file) == clerk_sha, f"{clerk_file.relative_to(ws)} {owner_mode(clerk_file)}")


def proved_runbook(stack: Stack, port: str) -> None:
    """The README's commands for the admin password, retention, and backup and restore of the warehouse."""
    new_password = "Doi-mat-khau-2025"
    run("podman", "exec", stack.container("airflow-apiserver"), "airflow", "users", "reset-password",
        "--username", "admin", "--password", new_password)
    token = httpx.post(f"http://127.0.0.1:{port}/auth/token", json={"username": "admin", "password": new_password},
                       timeout=30)
    check("README: `airflow users reset-password` changes the admin password", token.status_code in (200, 201))
    cutoff = time.strftime("%Y-%m-%d", time.localtime(time.time() - 180 * 86400))
    run("podman", "exec", stack.container("airflow-scheduler"), "airflow", "db", "clean", "--clean-before-timestamp",
        cutoff, "--skip-archive", "--yes")
    run("podman", "exec", stack.container("airflow-scheduler"), "find", "/opt/airflow/logs", "-type", "f", "-mtime",
        "+180", "-delete")
    check("README: retention commands (airflow db clean, old log files) run", True, f"before {cutoff}")

    pg = stack.container("postgres")

    def state() -> str:
        return run("podman", "exec", pg, "psql", "-U", "airflow", "-d", "dvctt", "-At", "-c",
                   "SELECT (SELECT count(*) FROM facts) || ' facts, ' || (SELECT count(*) FROM submissions) "
                   "|| ' submissions, facts owned by ' || (SELECT tableowner FROM pg_tables WHERE tablename = 'facts')"
                   ).strip()

    before, dump = state(), stack.tmp / "warehouse.dump"
    with dump.open("wb") as out:
        subprocess.run(["podman", "exec", pg, "pg_dump", "-U", "airflow", "-Fc", "dvctt"], stdout=out, check=True)
    stack.compose("stop", *SERVICES)
    run("podman", "exec", pg, "dropdb", "-U", "airflow", "--if-exists", "dvctt")
    run("podman", "exec", pg, "createdb", "-U", "airflow", "-O", "dvctt", "dvctt")
    with dump.open("rb") as dumped:
        subprocess.run(["podman", "exec", "-i", pg, "pg_restore", "-U", "airflow", "-d", "dvctt", "--no-owner",
                        "--role=dvctt"], stdin=dumped, check=True, capture_output=True)
    after = state()
    check("README: the warehouse backed up (pg_dump), dropped and restored (pg_restore) as it was",
          after == before and after.endswith("owned by dvctt"), after)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())
