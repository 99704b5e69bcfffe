"""Benchmark the dossier-level portal path: generate a CSV of N dossiers, then aggregate it.

    .venv/bin/python bench/bench_portal.py                 # 10,000,000 rows
    .venv/bin/python bench/bench_portal.py --rows 1000000

The CSV (UTF-8, comma separated, dd/mm/yyyy dates, Vietnamese values; about 150 bytes a row) is
written by DuckDB into bench/out/ and reused on the next run with the same row count. The
processing runs in a fresh child process so its peak RSS (getrusage) is not inflated by the
generator; it prints rows/s and peak RSS. DuckDB's memory cap comes from
DVCTT_PORTAL_MEMORY_LIMIT (default 1GB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

UNITS = ["12", "12-SKHCN", "12-STP", "12-SYT", "105", "106", "107", "108", "109", "110", "111", "112",
         "03386", "03387", "03388", "03389", "99-KHONGRO"]
FIELDS = ["Đất đai", "Xây dựng", "Đầu tư tại Việt Nam", "Hộ tịch", "Chứng thực", "Khoa học và công nghệ",
          "Thành lập và hoạt động của hộ kinh doanh", "Lao động - Thương binh và Xã hội"]
CHANNELS = ["Trực tuyến", "Trực tuyến", "Trực tuyến", "Trực tiếp", "BCCI"]
RATINGS = ["Rất hài lòng", "Hài lòng", "Hài lòng", "Không hài lòng", "", "", "", "5", "4"]
STATUSES = ["Đã trả kết quả"] * 8 + ["Đang xử lý", "Đã hủy"]


def _lit(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def generate(path: Path, rows: int, dirty: bool = False, units: list[str] = UNITS) -> None:
    """Write the CSV with DuckDB (pseudo-random from hash(i), so the file is deterministic), the
    dossiers spread over `units` (agency codes). `dirty` spoils about 0.15% of rows (unknown
    channel, impossible date) to exercise the problem-reporting pass."""
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    con = duckdb.connect()
    con.execute(f"""
COPY (
  WITH b AS (
    SELECT i,
      TIMESTAMP '2025-01-01 07:00:00' + to_minutes(CAST(hash(i, 1) % (365 * 24 * 60) AS BIGINT)) AS rec,
      CAST(hash(i, 2) % 21 AS INTEGER) AS span,
      CAST(hash(i, 3) % 10 AS INTEGER) AS fate
    FROM range({rows}) t(i)
  )
  SELECT
    'H25.' || lpad(CAST(i AS VARCHAR), 8, '0') AS "Mã hồ sơ",
    {_lit(units)}[1 + CAST(hash(i, 4) % {len(units)} AS INTEGER)] AS "Mã đơn vị",
    {_lit(FIELDS)}[1 + CAST(hash(i, 5) % {len(FIELDS)} AS INTEGER)] AS "Lĩnh vực",
    '1.' || CAST(1000 + hash(i, 6) % 9000 AS VARCHAR) AS "Mã TTHC",
    CASE WHEN {dirty} AND hash(i, 13) % 1000 = 0 THEN 'Fax'
         ELSE {_lit(CHANNELS)}[1 + CAST(hash(i, 7) % {len(CHANNELS)} AS INTEGER)] END AS "Kênh tiếp nhận",
    CASE WHEN {dirty} AND hash(i, 14) % 2000 = 0 THEN '31/02/2025'
         ELSE strftime(rec, '%d/%m/%Y %H:%M') END AS "Ngày tiếp nhận",
    strftime(rec + to_days(span), '%d/%m/%Y') AS "Hạn xử lý",
    CASE WHEN fate < 8 THEN strftime(rec + to_days(CAST(greatest(span - 3 + hash(i, 8) % 5, 0) AS INTEGER)),
                                     '%d/%m/%Y %H:%M:%S') ELSE '' END AS "Ngày hoàn thành",
    {_lit(STATUSES)}[1 + fate] AS "Trạng thái",
    CASE WHEN hash(i, 9) % 5 < 2 THEN 'Có' ELSE 'Không' END AS "Có phí",
    CASE WHEN hash(i, 9) % 5 = 0 THEN 'Có' ELSE '' END AS "Thanh toán trực tuyến",
    CASE WHEN hash(i, 10) % 10 < 7 THEN 'x' ELSE '' END AS "Số hóa",
    CASE WHEN hash(i, 11) % 2 = 0 THEN 'Có' ELSE 'Không' END AS "Định danh điện tử",
    {_lit(RATINGS)}[1 + CAST(hash(i, 12) % {len(RATINGS)} AS INTEGER)] AS "Đánh giá"
  FROM b
) TO '{tmp}' (FORMAT csv, HEADER, DELIMITER ',')""")
    con.close()
    tmp.replace(path)


def process(path: Path, rows: int) -> dict:
    """Read and aggregate the file once; report throughput and this process's peak RSS."""
    from extract.portal import read_portal_file
    from transform.portal import portal_measures

    known = set(UNITS) - {"99-KHONGRO"}
    start = time.perf_counter()
    export = read_portal_file(path)
    result = portal_measures([export], date(2025, 1, 1), date(2025, 12, 31), known)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_kib = usage.ru_maxrss  # KiB on Linux
    hoso = result.facts[result.facts.indicator_code == "HOSO_TRUCTUYEN"]
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),  # robust to a busy machine
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "file_mib": round(path.stat().st_size / 2**20, 1),
        "units": int(hoso.shape[0]),
        "dossiers_counted": int(hoso.denominator.sum()),
        "unknown_dossiers": int(result.unknown_agencies.rows.sum()) if not result.unknown_agencies.empty else 0,
        "problems": len(result.problems),
        "memory_limit": os.environ.get("DVCTT_PORTAL_MEMORY_LIMIT", "1GB"),
        "cpus": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--dirty", action="store_true", help="spoil ~0.15%% of rows to time problem reporting")
    parser.add_argument("--process", type=Path, help=argparse.SUPPRESS)  # child mode
    args = parser.parse_args()
    if args.process:
        print(json.dumps(process(args.process, args.rows)))
        return
    path = args.out / f"hoso_{args.rows}{'_dirty' if args.dirty else ''}.csv"
    if not path.exists():
        t = time.perf_counter()
        generate(path, args.rows, args.dirty)
        print(f"generated {path} ({path.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t:.1f} s",
              flush=True)
    child = subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--process", str(path)],
                           check=True, capture_output=True, text=True)
    stats = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"{stats['rows']:,} rows in {stats['seconds']} s = {stats['rows_per_second']:,} rows/s "
          f"({stats['cpu_seconds']} CPU s); "
          f"peak RSS {stats['peak_rss_mib']} MiB (file {stats['file_mib']} MiB, memory_limit {stats['memory_limit']}, "
          f"{stats['cpus']} CPUs)")
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
