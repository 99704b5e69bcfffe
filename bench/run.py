"""End-to-end benchmark, side by side with the floor and a naive peer, in the same run.

    .venv/bin/python -m bench.run              # national: every commune, district office, department
    .venv/bin/python -m bench.run --small      # one province, small samples: under a minute (CI smoke test)

The workspace gets a workbook per expected unit (the real template) and a dossier-level portal
export (10 million rows; 200,000 with --small) spread over the same units. Prints wall time and
peak RSS of the CLI run (`dvctt run`, a fresh process: intake, portal, report) with its stages;
the floor (python-calamine reading the same workbooks and nothing else, plus DuckDB counting the
same dossier file by agency); the naive peer (`pandas.read_excel` with openpyxl plus one GX
validation per file, on a sample, extrapolated), compared with our intake of the same workbooks;
ingesting one new file into the loaded warehouse; and a province report. Ratios against the
targets of issue 8 are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PY = sys.executable

FLOOR_SCRIPT = """
import sys, time
from pathlib import Path
import duckdb
from python_calamine import CalamineWorkbook
files = sorted(Path(sys.argv[1]).glob("*/*.xlsx"))
t = time.perf_counter()
for f in files:
    wb = CalamineWorkbook.from_path(str(f))
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
read = time.perf_counter() - t
t = time.perf_counter()
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
con.sql(f\"\"\"SELECT "Mã đơn vị", count(*), count(*) FILTER (WHERE "Kênh tiếp nhận" = 'Trực tuyến')
              FROM read_csv('{sys.argv[2]}') GROUP BY 1\"\"\").fetchall()
print(read, time.perf_counter() - t)
"""

NAIVE_SCRIPT = """
import logging, os, sys, time
os.environ["GX_ANALYTICS_ENABLED"] = "False"
logging.disable(logging.INFO)
from pathlib import Path
import pandas as pd
import great_expectations as gx
files = sorted(Path(sys.argv[1]).glob("*/*.xlsx"))[: int(sys.argv[2])]
t = time.perf_counter()
for f in files:
    sheets = pd.read_excel(f, sheet_name=None, engine="openpyxl", header=None)
    df = sheets["Chỉ tiêu"].iloc[3:, [1, 3, 4]].set_axis(["code", "num", "den"], axis=1).dropna(subset=["code"])
    df[["num", "den"]] = df[["num", "den"]].apply(pd.to_numeric, errors="coerce")
    ctx = gx.get_context(mode="ephemeral")
    batch = ctx.data_sources.add_pandas("p").add_dataframe_asset("a").add_batch_definition_whole_dataframe("b")
    suite = gx.ExpectationSuite("s")
    suite.add_expectation(gx.expectations.ExpectColumnValuesToBeBetween(column="num", min_value=0))
    suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column="code"))
    batch.get_batch(batch_parameters={"dataframe": df}).validate(suite)
print(time.perf_counter() - t, len(files))
"""


def _timed(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) of the child, and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return wall, peak / 1024, proc.stdout


def prepare(ws: Path, province: str, year: int, dossiers: int) -> tuple[int, Path]:
    """A fresh workspace with one generated workbook per expected unit and a dossier export in portal/.

    The export (large: 1.5 GB for 10 million rows) is generated once into bench/out and hard-linked in.
    """
    from bench.bench_portal import generate as generate_dossiers
    from bench.generate import generate
    from core.config import write_config
    from core.units import load_registry
    from dvctt.demo import demo_config

    shutil.rmtree(ws, ignore_errors=True)
    ws.mkdir(parents=True)
    config = demo_config(province, year)
    write_config(ws, config)
    registry = load_registry(config)
    units = registry.of_levels(set(config.reporting_levels))
    seconds = generate(ws, config, units)
    print(f"generated {len(units)} workbooks in {seconds:.1f} s", flush=True)
    export = OUT / f"hoso_{province}_{year}_{dossiers}.csv"
    if not export.exists():
        started = time.perf_counter()
        generate_dossiers(export, dossiers, units=[*sorted(registry.units), "99-KHONGRO"])
        print(f"generated {dossiers:,} dossiers ({export.stat().st_size / 2**20:.0f} MiB) in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
    (ws / "portal").mkdir()
    os.link(export, ws / "portal" / "hoso_chitiet.csv")
    return len(units), export


def one_more_file(ws: Path) -> float:
    """Seconds to ingest one changed workbook into the loaded warehouse (interpreter start excluded)."""
    import random

    from bench.generate import KindTemplate
    from core.config import load_config
    from core.units import load_registry
    from dvctt.pipeline import ingest

    config = load_config(ws)
    unit = load_registry(config).of_levels({"commune"})[0]
    template = KindTemplate(unit.level, config)
    path = ws / "inbox" / unit.code / "nop_lai.xlsx"
    past = time.time() - 600
    path.write_bytes(template.render(unit, random.Random("warm-up")))
    os.utime(path, (past, past))
    ingest(ws)  # warm: imports and the GX context, as in a long-running worker
    path.write_bytes(template.render(unit, random.Random("one-more")))
    os.utime(path, (past, past))
    started = time.perf_counter()
    summary = ingest(ws)
    assert summary.count("accepted", new=True) + summary.count("quarantined", new=True) == 1
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="one province and small samples (< 1 minute)")
    parser.add_argument("--province", default=None, help="bench one province instead of the whole country")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--naive-sample", type=int, default=None, help="files the naive peer reads (extrapolated)")
    parser.add_argument("--dossiers", type=int, default=None, help="rows of the portal's dossier export")
    args = parser.parse_args()
    province = args.province or ("12" if args.small else "VN")
    naive_n = args.naive_sample or (20 if args.small else 150)
    dossiers = args.dossiers or (200_000 if args.small else 10_000_000)
    ws = OUT / f"ws_{province}"
    n_files, export = prepare(ws, province, args.year, dossiers)

    e2e_wall, e2e_rss, out = _timed([PY, "-m", "dvctt.cli", "run", "--workspace", str(ws), "--json"])
    result = json.loads(out)
    intake = result["ingest"]["timings"]
    stages = intake | result["portal"]["timings"] | result["report"]["timings"]
    floor_wall, _, out = _timed([PY, "-c", FLOOR_SCRIPT, str(ws / "inbox"), str(export)])
    floor_read, floor_portal = (float(x) for x in out.split()[-2:])
    _, _, out = _timed([PY, "-c", NAIVE_SCRIPT, str(ws / "inbox"), str(naive_n)])
    naive_seconds, naive_files = (float(x) for x in out.split())
    naive_total = naive_seconds / naive_files * n_files
    single = one_more_file(ws)
    started = time.perf_counter()
    from dvctt.pipeline import build_report

    build_report(ws, unit="01" if province == "VN" else None)  # Hà Nội out of the national warehouse
    report_seconds = time.perf_counter() - started

    in_process, floor, ours_intake = sum(stages.values()), floor_read + floor_portal, sum(intake.values())
    rows = [
        ("files", f"{n_files}"),
        ("portal dossiers", f"{dossiers:,} ({export.stat().st_size / 2**20:.0f} MiB)"),
        ("end-to-end CLI wall (incl. interpreter + imports)", f"{e2e_wall:.1f} s"),
        ("end-to-end in-process (sum of stages)", f"{in_process:.1f} s"),
        *((f"  stage {k}", f"{v:.2f} s") for k, v in stages.items()),
        ("end-to-end peak RSS", f"{e2e_rss:.0f} MiB"),
        ("floor: calamine read only (in-process)", f"{floor_read:.1f} s"),
        ("floor: DuckDB counts the dossier file by agency", f"{floor_portal:.1f} s"),
        ("floor total (wall incl. interpreter)", f"{floor:.1f} s  ({floor_wall:.1f} s)"),
        (f"naive peer: read_excel + GX per file ({naive_files:.0f} files, extrapolated)", f"{naive_total:.0f} s"),
        ("our intake of the same workbooks (archive … load)", f"{ours_intake:.1f} s"),
        ("ingest one new file into the loaded warehouse", f"{single:.2f} s"),
        ("province report (warm)", f"{report_seconds:.2f} s"),
        ("ratio end-to-end / floor (target ≤ 2)", f"{in_process / floor:.2f}"),
        ("ratio naive / our intake (target ≥ 20)", f"{naive_total / ours_intake:.1f}"),
        ("ratio naive / our whole end-to-end", f"{naive_total / in_process:.1f}"),
        ("files per second (intake)", f"{n_files / ours_intake:.0f}"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"results_{province}.json").write_text(json.dumps(dict(rows), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
