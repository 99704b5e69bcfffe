"""Faults at the worst moment: killed ingest, PostgreSQL dropping connections, a full disk."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dvctt.pipeline import build_report, ingest
from load import connect
from load import schema as T
from load.warehouse import warehouse_url
from tests.support.oracle_readers import read_data_sheet
from tests.support.pg import scratch_database, terminate_backends


def _state(url: str) -> dict[str, int]:
    engine = connect(url)
    with engine.connect() as conn:
        out = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
               for t in (T.files, T.submissions, T.facts, T.texts)}
        out["current"] = conn.execute(select(func.count()).select_from(T.submissions)
                                      .where(T.submissions.c.is_current.is_(True))).scalar_one()
    engine.dispose()
    return out


def _ingest_cmd(ws: Path) -> list[str]:
    return [sys.executable, "-m", "dvctt.cli", "ingest", "--workspace", str(ws), "--json"]


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 0.7, 1.4, 2.1])
def test_kill_9_mid_ingest_then_rerun_converges(fresh_ws: Path, delay: float, tmp_path: Path) -> None:
    reference = tmp_path / "ref"
    shutil.copytree(fresh_ws, reference)
    ingest(reference)
    expected = _state(warehouse_url(reference))

    files = len(list((fresh_ws / "inbox").glob("*/*.xlsx")))
    proc = subprocess.Popen(_ingest_cmd(fresh_ws), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Every file archived means reading, validation and the load come next: kill somewhere in there.
    deadline = time.monotonic() + 240
    while len(list((fresh_ws / "archive").glob("*/*"))) < files and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(delay)
    killed = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    summary = ingest(fresh_ws).to_dict()
    assert _state(warehouse_url(fresh_ws)) == expected
    assert summary["seen"] == summary["accepted"] + summary["quarantined"] + summary["pending"]
    assert summary["accepted"] == expected["files"]
    if delay == 0.0:
        assert killed, "the ingest finished before the kill: the test proved nothing"


@pytest.mark.slow
def test_postgres_connections_dropped_mid_run_are_retried(fresh_ws: Path, monkeypatch) -> None:
    app = f"dvctt_fault_{os.getpid()}"
    with scratch_database(app) as url:
        monkeypatch.setenv("DVCTT_WAREHOUSE_URL", url)
        kills = 0
        done = threading.Event()

        def saboteur() -> None:  # drop the ingest's connections three times while it runs
            nonlocal kills
            while not done.is_set() and kills < 3:
                hit = terminate_backends(app)
                kills += hit
                time.sleep(0.4 if hit else 0.02)

        thread = threading.Thread(target=saboteur)
        thread.start()
        try:
            summary = ingest(fresh_ws).to_dict()
        finally:
            done.set()
            thread.join()
        state = _state(url)
        assert kills > 0, "the saboteur never hit a connection: the test proved nothing"
        assert state["files"] == summary["accepted"] + summary["quarantined"] == summary["seen"]
        assert state["current"] == summary["accepted"]
        again = ingest(fresh_ws).to_dict()
        assert again["new_accepted"] == 0 and _state(url) == state


def test_postgres_warehouse_gives_same_figures_as_sqlite(fresh_ws: Path, monkeypatch, tmp_path: Path) -> None:
    lite = tmp_path / "lite"
    shutil.copytree(fresh_ws, lite)
    ingest(lite)
    expected = read_data_sheet(build_report(lite).path)
    with scratch_database() as url:
        monkeypatch.setenv("DVCTT_WAREHOUSE_URL", url)
        ingest(fresh_ws)
        got = read_data_sheet(build_report(fresh_ws).path)
        assert _state(url)["facts"] == _state(f"sqlite:///{lite / 'warehouse.sqlite'}")["facts"]
    assert got.equals(expected)


def test_full_disk_leaves_no_half_written_report(demo_run: Path, tmp_path: Path) -> None:
    report = next((demo_run / "outbox").rglob("*.xlsx"))
    before = report.read_bytes()
    assert len(before) > 200_000
    script = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))\n"  # SQLite's files fit, the report not
        "from dvctt.pipeline import build_report\n"
        "try:\n    build_report(sys.argv[1])\nexcept OSError as exc:\n    print('ENOSPC-like', exc.errno); sys.exit(3)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(demo_run)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert report.read_bytes() == before  # the old report is intact, not truncated
    assert not [p for p in report.parent.iterdir() if p.name.startswith(".tmp-")]


def test_files_dropped_while_ingest_runs_are_all_accounted(fresh_ws: Path) -> None:
    from tests.support.factory import drop, template_for

    units = ["03387", "03388", "03389"]
    stop = threading.Event()

    def dropper() -> None:
        for n, unit in enumerate(units):
            if stop.is_set():
                return
            drop(fresh_ws, unit, template_for(fresh_ws, unit), f"muon_{n}.xlsx")
            time.sleep(0.2)

    thread = threading.Thread(target=dropper)
    thread.start()
    first = ingest(fresh_ws).to_dict()
    thread.join()
    second = ingest(fresh_ws).to_dict()
    on_disk = [p for p in (fresh_ws / "inbox").glob("*/*") if p.is_file()]
    assert second["seen"] == len(on_disk)
    assert second["seen"] == second["accepted"] + second["quarantined"] + second["pending"]
    assert second["pending"] == 0 and first["seen"] <= second["seen"]
    assert {f["name"] for f in second["files"]} >= {f"muon_{n}.xlsx" for n in range(len(units))}
