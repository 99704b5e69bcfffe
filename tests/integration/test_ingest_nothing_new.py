"""An ingest that finds nothing new answers without Great Expectations or pandas, and says what a full run says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from dvctt.inbox_check import unchanged
from dvctt.intake import ingest_locked
from dvctt.pipeline import ingest
from load import connect, schema
from load.warehouse import warehouse_url
from tests.support.factory import drop, drop_bytes, set_ratio, settle, template_for

COMMUNE, OTHER = "03386", "03387"
HEAVY = ("great_expectations", "pandas", "openpyxl", "duckdb")

# A fresh interpreter runs `dvctt ingest` as IT does, then lists which heavy packages it imported.
PROBE = """
import io, json, sys
from contextlib import redirect_stdout
from dvctt.cli import app
out = io.StringIO()
with redirect_stdout(out):
    try:
        app(["ingest", "--workspace", sys.argv[1], "--json"])
    except SystemExit as exc:
        assert not exc.code, exc.code
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[2:]))
print(json.dumps({"summary": json.loads(out.getvalue()), "heavy": heavy}))
"""


def _probe(ws: Path) -> dict:
    env = os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.run([sys.executable, "-c", PROBE, str(ws), *HEAVY], capture_output=True, text=True, env=env,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _runs(ws: Path) -> int:
    with connect(warehouse_url(ws)).connect() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.runs)).scalar_one())


def _workspace(ws: Path) -> None:
    wb = template_for(ws, COMMUNE)
    set_ratio(wb, "CB_TRUYENTHONG", 45, 50)
    drop(ws, COMMUNE, wb)
    drop_bytes(ws, OTHER, b"not a workbook", "hong.xlsx")  # quarantined: known too, with its status
    os.symlink(ws / "inbox" / COMMUNE / "bao_cao.xlsx", ws / "inbox" / OTHER / "loi_tat.xlsx")
    first = ingest(ws)
    assert first.count("accepted", new=True) == 1 and first.count("quarantined", new=True) == 2


def test_nothing_new_imports_neither_gx_nor_pandas_and_is_recorded(small_ws: Path) -> None:
    _workspace(small_ws)
    runs = _runs(small_ws)
    got = _probe(small_ws)
    assert got["heavy"] == []
    summary = got["summary"]
    assert (summary["seen"], summary["accepted"], summary["quarantined"], summary["new_data"]) == (3, 1, 2, False)
    assert _runs(small_ws) == runs + 1  # the run is recorded, as a full run records it


def test_the_quick_answer_is_the_full_runs_answer(small_ws: Path) -> None:
    _workspace(small_ws)
    quick = unchanged(small_ws)
    assert quick is not None
    full = ingest_locked(small_ws, None, False)  # the whole path, with nothing new
    assert {k: v for k, v in quick.to_dict().items() if k != "timings"} == \
        {k: v for k, v in full.to_dict().items() if k != "timings"}
    assert list(quick.timings) == list(full.timings)


def test_a_new_or_changed_file_takes_the_full_path(small_ws: Path) -> None:
    _workspace(small_ws)
    wb = template_for(small_ws, OTHER)
    set_ratio(wb, "CB_TRUYENTHONG", 40, 50)
    drop(small_ws, OTHER, wb)
    assert unchanged(small_ws) is None
    got = _probe(small_ws)
    assert "great_expectations" in got["heavy"]  # validated by GX, as ever
    assert got["summary"]["new_accepted"] == 1
    settle(small_ws / "inbox" / COMMUNE / "bao_cao.xlsx")  # same bytes, new stat: hashed again, then known
    assert unchanged(small_ws) is None
    assert ingest(small_ws).count("accepted", new=True) == 0
    assert unchanged(small_ws) is not None
