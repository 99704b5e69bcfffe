"""Write the sample portal exports (deterministic, seeded; the generator is `dvctt.portal_samples`).

    python samples/portal/make_samples.py [OUTPUT_DIR]

* mau_06a_40_2025.xlsx, mau_06a_40_2026.xlsx - Form 06a of Nghệ An (the demo province) with the registry's
  real codes: 2025 until 30/6 under the old communes and districts, from 1/7 under the new communes; 2026 by
  Decree 09 quarters. Counts include dossiers received online under procedures offered fully online.
* mau_hoso_chitiet_40_2025.csv, mau_hoso_chitiet_40_2026.csv - the departments' dossiers, one row each, with
  the procedure's level (toàn trình / một phần).
* mau_06a_tonghop.xlsx, mau_hoso_chitiet.csv - Lai Châu 2025 under its 3-level codes, which the tests use.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from dvctt.demo import DEMO_PROVINCE  # noqa: E402
from dvctt.portal_samples import SAMPLE_YEAR, write_lai_chau_2025, write_province_samples  # noqa: E402


def main(out: Path) -> None:
    written = [*write_province_samples(out, DEMO_PROVINCE, SAMPLE_YEAR), *write_lai_chau_2025(out)]
    print("Đã ghi " + ", ".join(str(p) for p in written))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
