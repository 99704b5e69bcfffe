"""Benchmark the national rollup under both hierarchies.

    .venv/bin/python bench/bench_rollup.py
    .venv/bin/python bench/bench_rollup.py --hierarchy 2      # one hierarchy only

Facts are synthetic and seeded: every old commune (10,047) × every catalogue item, submitted under
the old codes, as in the 2025 window. Under the 3-level hierarchy they roll up directly
(commune → 696 districts → 63 provinces → country); under the 2-level one they first go through
the crosswalk onto 3,321 communes → 34 provinces → country, 318 split communes becoming 691
weighted shares (the other 142 partially merged communes kept their code, so they are read as the
new commune). Each hierarchy
runs in a fresh child process so that its peak RSS (getrusage) is its own; the child checks that
the national root equals the sum of the facts, so a fast wrong answer does not pass.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.units import Hierarchy

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def national_facts(seed: int = 2025):
    """Every old commune × every item: counts 0–40, yes/no 1/1 or 0/1, ratios num ≤ den ≤ 60."""
    import numpy as np
    import pandas as pd

    from core.catalogue import Kind, load_catalogue
    from core.config import Registry
    from core.units import load_country

    reg = Registry()
    country = load_country(reg.dir, reg.file, reg.merges)
    communes = [c for c, u in country.old.items() if u.level == "commune"]
    items = load_catalogue().items
    rng = np.random.default_rng(seed)
    n = len(communes) * len(items)
    kind = np.tile([i.kind.value for i in items], len(communes))
    den = rng.integers(1, 61, n).astype(float)
    num = np.floor(rng.random(n) * (den + 1))
    yes = rng.random(n) < 0.8
    num = np.where(kind == Kind.YES_NO.value, yes.astype(float), num)
    den = np.where(kind == Kind.YES_NO.value, 1.0, den)
    den = np.where(kind == Kind.COUNT.value, np.nan, den)
    return pd.DataFrame({"unit_code": np.repeat(communes, len(items)),
                         "indicator_code": np.tile([i.code for i in items], len(communes)),
                         "numerator": num, "denominator": den})


def run_one(hierarchy: Hierarchy) -> dict:
    from datetime import date

    from core.catalogue import load_catalogue
    from core.config import Registry, Window
    from core.units import build_registry, load_country
    from transform import rollup

    window = Window(start=date(2024, 12, 15), end=date(2025, 12, 14))
    reg = Registry()
    t0 = time.perf_counter()
    registry = build_registry(load_country(reg.dir, reg.file, reg.merges), hierarchy, None, window)
    t1 = time.perf_counter()
    facts = national_facts()
    t2 = time.perf_counter()
    data = rollup(registry, facts, load_catalogue())
    t3 = time.perf_counter()
    root = data[data["unit_code"] == registry.root]
    ok = bool(abs(root["numerator"].sum() - facts["numerator"].sum()) < 1e-6 * facts["numerator"].sum())
    levels = {lv: sum(1 for u in registry.units.values() if u.level == lv) for lv in ("province", "district", "commune")}
    return {"hierarchy": hierarchy, "units": levels, "facts": len(facts), "rows_out": len(data),
            "registry_s": round(t1 - t0, 3), "facts_s": round(t2 - t1, 3), "rollup_s": round(t3 - t2, 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "root_equals_sum_of_facts": ok}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hierarchy", type=int, choices=[2, 3], help="one hierarchy only (default: both)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.hierarchy)))
        return
    for hierarchy in [args.hierarchy] if args.hierarchy else [3, 2]:
        start = time.perf_counter()
        out = subprocess.run([sys.executable, __file__, "--child", "--hierarchy", str(hierarchy)],
                             check=True, capture_output=True, text=True).stdout
        result = json.loads(out)
        print(f"{hierarchy} cấp {result['units']}: {result['facts']:,} facts → {result['rows_out']:,} rows | "
              f"registry {result['registry_s']} s, facts {result['facts_s']} s, rollup {result['rollup_s']} s, "
              f"process {time.perf_counter() - start:.1f} s wall | peak RSS {result['peak_rss_mb']} MB | "
              f"root = Σ facts: {result['root_equals_sum_of_facts']}")


if __name__ == "__main__":
    main()
