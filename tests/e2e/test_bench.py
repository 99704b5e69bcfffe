"""Smoke test: the benchmark still runs end to end (its timings are printed, not checked)."""

from __future__ import annotations

import subprocess
import sys

from tests.support import REPO

ROOT = REPO


def test_bench_small_runs() -> None:
    proc = subprocess.run([sys.executable, "-m", "bench.run", "--small"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for label in ("floor: calamine", "naive peer", "ratio end-to-end / floor", "ingest one new file"):
        assert label in proc.stdout


def test_bench_read_memory_runs() -> None:
    """Smaller than its default (20 MB inflated instead of 195), both shapes; the ratio is printed, not checked."""
    proc = subprocess.run([sys.executable, "-m", "bench.bench_read_memory", "--mb", "20"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.count("ratio (peak_rss - base) / inflated") == 2 and "base:" in proc.stdout
