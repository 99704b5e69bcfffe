"""Files that would make the reader allocate what they do not hold are refused before calamine sees them, and a large
workbook is read from a scratch file with the same result as a small one from memory.

The hostile cases run the read in a child process under a 2 GiB address-space limit: before these checks a 5 KB
file made calamine allocate terabytes and abort the whole process (and with it every other unit's file)."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from core.config import Limits
from extract import safety
from extract.reader import ReadJob, read_one
from tests.support.factory import set_count, set_ratio, template_for
from tests.support.zipparts import parts_of, sheet_part, with_cells, workbook_bytes, zip_of

COMMUNE = "03386"
CHILD = """
import json, sys
from pathlib import Path
from core.config import Limits
from extract.reader import ReadJob, read_one
res = read_one(ReadJob("f", Path(sys.argv[1]), "03386", 2025, Limits()))
print(json.dumps(None if res.problem is None else [res.problem.rule, res.problem.cell, res.problem.fix]))
"""


@pytest.fixture
def good(small_ws: Path) -> bytes:
    wb = template_for(small_ws, COMMUNE)
    set_ratio(wb, "CB_TRUYENTHONG", 45, 50)
    set_count(wb, "HD_TINBAI", 7)
    return workbook_bytes(wb)


def _read_in_child(tmp_path: Path, data: bytes) -> list | None:
    path = tmp_path / "bao_cao.xlsx"
    path.write_bytes(data)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    proc = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, timeout=120,
                          preexec_fn=limit, cwd=Path(__file__).resolve().parents[3])
    assert proc.returncode == 0, proc.stderr[-2000:]  # the reader survives: a bad file never stops the batch
    return json.loads(proc.stdout)


def _shared_strings(parts: dict[str, bytes], declared: int) -> bytes:
    """The workbook with a shared-string table of one entry that declares `declared` of them."""
    parts["xl/sharedStrings.xml"] = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
                                     b'uniqueCount="' + str(declared).encode() + b'"><si><t>x</t></si></sst>')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                     b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                             b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    return zip_of(parts)


def test_shared_string_table_declaring_billions_is_refused(good: bytes, tmp_path: Path) -> None:
    problem = _read_in_child(tmp_path, _shared_strings(parts_of(good), 2_000_000_000))
    assert problem is not None and problem[0] == "xml_count"


def test_honest_shared_string_table_is_read(good: bytes, tmp_path: Path) -> None:
    assert _read_in_child(tmp_path, _shared_strings(parts_of(good), 1)) is None


@pytest.mark.parametrize("far", ["XFD5000", "A1048576", "IW40"])
def test_a_value_far_outside_the_table_is_refused_before_parsing(good: bytes, tmp_path: Path, far: str) -> None:
    parts = parts_of(good)
    name = sheet_part(parts, "Chỉ tiêu")
    row = far.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    parts[name] = parts[name].replace(b"</sheetData>", f'<row r="{row}"><c r="{far}"><v>1</v></c></row></sheetData>'
                                      .encode())
    problem = _read_in_child(tmp_path, zip_of(parts))
    assert problem is not None and problem[:2] == ["layout", far], problem
    assert far in problem[2]


def test_styled_empty_cells_far_away_do_not_count(good: bytes, tmp_path: Path) -> None:
    """calamine leaves cells without a value out of its rectangle, and so does the check."""
    data = with_cells(good, "Chỉ tiêu", {"H4": b'<c r="H4" s="6"/><c r="XFD4" s="6"/>'})
    assert _read_in_child(tmp_path, data) is None


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_two_parts_of_one_name_are_refused(good: bytes, tmp_path: Path) -> None:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, body in parts_of(good).items():
            zf.writestr(name, body)
        zf.writestr("xl/worksheets/sheet3.xml", b"<worksheet/>")  # zipfile warns, and writes it
    path = tmp_path / "hai_ban.xlsx"
    path.write_bytes(out.getvalue())
    res = read_one(ReadJob("f", path, COMMUNE, 2025, Limits()))
    assert res.problem is not None and res.problem.rule == "corrupt"


def test_large_workbook_is_read_from_a_scratch_file_the_same_way(good: bytes, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bao_cao.xlsx"
    path.write_bytes(good)
    in_memory = read_one(ReadJob("f", path, COMMUNE, 2025, Limits()))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(safety, "SMALL_PACKAGE", 0)
    _, package = safety.inspect_file(path, Limits(), scratch)
    assert package is not None and isinstance(package.source, str) and Path(package.source).parent == scratch
    package.close()
    from_disk = read_one(ReadJob("f", path, COMMUNE, 2025, Limits(), scratch))
    assert from_disk.submission is not None and in_memory.submission is not None
    assert from_disk.submission.cells == in_memory.submission.cells
    assert any(c["value"] == 45 for c in from_disk.submission.cells)
    assert list(scratch.iterdir()) == []  # the scratch copy is removed once read
