"""Smoke test: the benchmark still runs end to end (its timings are printed, not checked)."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.support import REPO

ROOT = REPO


def test_bench_small_runs() -> None:
    proc = subprocess.run([sys.executable, "-m", "bench.run", "--small"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for label in ("floor: calamine", "floor: DuckDB one-pass portal measures", "xlsxwriter constant_memory",
                  "naive peer", "ingest one new file"):
        assert label in proc.stdout
    # Every target of issue 18 on its own line, readable by a script: `ratio <what> (target ≤ N)  <value>`.
    targets = re.findall(r"^ratio (.+) \(target [≤≥] [0-9.]+\)\s+[0-9.]+$", proc.stdout, flags=re.MULTILINE)
    assert len(targets) == 8, proc.stdout
    for what in ("portal_aggregate / DuckDB floor", "intake / calamine floor", "end-to-end / (calamine + DuckDB floor)",
                 "write / xlsxwriter constant_memory", "naive / our intake", "CLI ingest nothing new",
                 "CLI ingest one new file", "peak RSS / 1 GiB"):
        assert any(what in t for t in targets), (what, targets)


def test_bench_read_memory_runs() -> None:
    """Smaller than its default (20 MB inflated instead of 195), both shapes; the ratio is printed, not checked."""
    proc = subprocess.run([sys.executable, "-m", "bench.bench_read_memory", "--mb", "20"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.count("ratio (peak_rss - base) / inflated") == 2 and "base:" in proc.stdout
