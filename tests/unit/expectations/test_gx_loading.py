"""Great Expectations is imported without the scipy.stats and altair imports its unused expectations make,
and those modules still work the moment anything uses them."""

from __future__ import annotations

import subprocess
import sys

from tests.support import REPO

CHECK = """
import sys
import expectations.submission
loaded = sorted(m for m in ("scipy.stats._stats_py", "altair.vegalite") if m in sys.modules)
from scipy import stats
import altair
print(loaded, round(float(stats.entropy([0.5, 0.5], [0.9, 0.1])), 4), altair.Chart.__name__,
      "scipy.stats._stats_py" in sys.modules)
"""


def test_gx_imports_without_scipy_stats_and_altair_which_load_on_first_use():
    out = subprocess.run([sys.executable, "-c", CHECK], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["[]", "0.5108", "Chart", "True"]
