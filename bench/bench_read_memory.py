"""Peak memory of the read stage on the largest workbook the default limits let in (issue 16.7).

    .venv/bin/python -m bench.bench_read_memory            # both shapes, ~195 MB inflated each
    .venv/bin/python -m bench.bench_read_memory --mb 40    # smaller, quicker

Builds a unit's real template, filled, plus bulk that brings it to about `--mb` MB inflated (default 195, under
`limits.max_uncompressed_mb` = 200) and about 17 MB on disk (under `max_file_mb` = 20), in two shapes a clerk can
produce:

- `extra-sheet`: a pasted data dump on a sheet the reader never parses (what offices keep beside the form);
- `text-sheet`: the bulk in «Khó khăn, kiến nghị», a sheet the reader parses, as 4,000-odd rows of long text
  (refused before parsing: a parsed sheet may hold `extract.sheet_scan.MAX_SHEET` of XML).

Each file goes through the read stage (`extract.reader.read_one`: inspection, checked copy, calamine, cells) in a
fresh child process, which prints its peak RSS and wall time; so does a small filled template, whose peak is the
fixed base (interpreter, libraries). Printed, never asserted:

    ratio (peak − base) / inflated   target ≤ 1.5
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UNIT = "03386"
CHILD = """
import resource, sys, time
from pathlib import Path
from core.config import Limits
from extract.reader import ReadJob, read_one
started = time.perf_counter()
res = read_one(ReadJob("f", Path(sys.argv[1]), "03386", 2025, Limits()))
wall = time.perf_counter() - started
outcome = f"read {len(res.submission.cells)} cells" if res.submission else f"refused ({res.problem.rule})"
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, wall, outcome.replace(" ", "_"))
"""
PHRASE = ("hồ sơ trực tuyến dịch vụ công thủ tục hành chính xã phường người dân cán bộ một cửa tiếp nhận giải quyết "
          "đúng hạn thanh toán định danh điện tử chứng thực bản sao số hóa kết quả")
WORDS = PHRASE.split()


def _workspace(folder: Path) -> Path:
    from core.config import write_config
    from dvctt.demo import demo_config

    write_config(folder, demo_config("12", 2025))
    return folder


def _template(ws: Path) -> bytes:
    """The unit's template, filled as the demo fills it, saved with an extra sheet the bulk can go into."""
    import io

    from core.catalogue import load_catalogue
    from core.config import load_config
    from core.units import load_registry
    from dvctt.demo import _fill

    config = load_config(ws)
    unit = load_registry(config).get(UNIT)
    assert unit is not None
    wb = _fill(unit, config, load_catalogue(), random.Random(UNIT))
    wb.create_sheet("Dữ liệu gốc")["A1"] = "dữ liệu gốc"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _bulk_rows(target: int, text_sheet: bool, rng: random.Random) -> list[bytes]:
    """Sheet rows adding up to about `target` bytes of XML, about as compressible as real sheets (≈ 11×)."""
    numbers = [str(rng.randint(0, 10 ** rng.randint(1, 7))) for _ in range(12)]
    rows: list[bytes] = []
    size = 0
    n = 3  # below the template's header row
    while size < target:
        n += 1
        if text_sheet:  # under 5,000 rows: two long texts each (≤ 32,767 characters, Excel's most per cell)
            sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(150, 250))) + ". "
            text = sentence * (18_000 // len(sentence))
            row = (f'<row r="{n}"><c r="A{n}" t="n"><v>{n - 3}</v></c><c r="B{n}" t="inlineStr"><is><t>Khó khăn, '
                   f'vướng mắc</t></is></c><c r="C{n}" t="inlineStr"><is><t>{text}</t></is></c>'
                   f'<c r="D{n}" t="inlineStr"><is><t>{text[::-1]}</t></is></c></row>')
        else:  # a data dump: numbers and short labels across 12 columns
            cells = "".join(f'<c r="{c}{n}" t="n"><v>{rng.choice(numbers)}</v></c>' for c in "ABCDEFGHIJ")
            label = rng.choice(WORDS[:6])
            row = (f'<row r="{n}">{cells}<c r="K{n}" t="inlineStr"><is><t>{label}</t></is></c>'
                   f'<c r="L{n}" t="inlineStr"><is><t>{label} {rng.choice(WORDS[:6])}</t></is></c></row>')
        data = row.encode()
        rows.append(data)
        size += len(data)
    if text_sheet and n > 5000:
        raise SystemExit(f"{n} rows: more than the 5,000 a sheet may have; lower --mb")
    return rows


def build(kind: str, inflated_mb: float, out: Path) -> tuple[int, int]:
    """Write the workbook of shape `kind`; return (bytes on disk, bytes inflated)."""
    from extract.safety import _sheet_parts

    rng = random.Random(kind)
    base = _template(_workspace(Path(tempfile.mkdtemp(prefix="dvctt-bench-ws-"))))
    with zipfile.ZipFile(__import__("io").BytesIO(base)) as src:
        parts = {i.filename: src.read(i) for i in src.infolist()}
    sheets = dict(_sheet_parts(parts["xl/workbook.xml"], parts["xl/_rels/workbook.xml.rels"]))
    target = sheets["Khó khăn, kiến nghị" if kind == "text-sheet" else "Dữ liệu gốc"]
    head, _, tail = parts[target].partition(b"<sheetData>")
    kept, _, rest = tail.partition(b"</sheetData>")
    rows = _bulk_rows(int(inflated_mb * 1024 * 1024) - sum(map(len, parts.values())), kind == "text-sheet", rng)
    if kind == "text-sheet":
        kept = kept.split(b'<row r="4"', 1)[0]  # keep the title and header rows, replace the table
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            if name != target:
                zf.writestr(name, body)
                continue
            with zf.open(name, "w") as part:
                part.write(head + b"<sheetData>" + kept)
                for row in rows:
                    part.write(row)
                part.write(b"</sheetData>" + rest)
    with zipfile.ZipFile(out) as zf:
        return out.stat().st_size, sum(i.file_size for i in zf.infolist())


def measure(path: Path) -> tuple[float, float, str]:
    """(peak RSS in MiB, wall seconds, outcome) of the read stage on `path`, in a fresh process."""
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, cwd=ROOT,
                          check=True)
    peak, wall, outcome = proc.stdout.split()
    return float(peak), float(wall), outcome.replace("_", " ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=195, help="inflated size of each large workbook (MB)")
    parser.add_argument("--shape", choices=["extra-sheet", "text-sheet"], action="append",
                        help="which shape(s) to measure (default: both)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dvctt-bench-read-"))
    small = folder / "small.xlsx"
    small.write_bytes(_template(_workspace(Path(tempfile.mkdtemp(prefix="dvctt-bench-ws-")))))
    base, small_wall, _ = measure(small)
    print(f"base: a filled template ({small.stat().st_size / 1024:.0f} KB) peaks at {base:.0f} MiB, "
          f"read in {small_wall * 1000:.0f} ms")
    for kind in args.shape or ["extra-sheet", "text-sheet"]:
        path = folder / f"{kind}.xlsx"
        disk, inflated = build(kind, args.mb, path)
        peak, wall, outcome = measure(path)
        mib = inflated / 1048576
        print(f"{kind}: {disk / 1048576:.1f} MB on disk, {mib:.0f} MiB inflated; {outcome} in {wall:.1f} s; "
              f"peak RSS {peak:.0f} MiB")
        print(f"  ratio peak_rss / inflated          {peak / mib:.2f}")
        print(f"  ratio (peak_rss - base) / inflated {(peak - base) / mib:.2f}   (target ≤ 1.5)")


if __name__ == "__main__":
    main()
