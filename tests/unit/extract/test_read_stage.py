"""The read stage on its own: hostile or odd containers are rejected or read exactly, and never stop the batch."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from core.catalogue import load_catalogue
from core.config import Limits
from extract.numbers import cell_text, parse_number, text_and_number
from extract.reader import ReadJob, ReadResult, read_one
from extract.safety import MAX_PARTS, inspect_file
from extract.workbook import read_submission
from tests.support.factory import set_count, set_ratio, set_yes_no, template_for

COMMUNE = "03386"
TARGETS_PART = "xl/worksheets/sheet3.xml"  # «Chỉ tiêu» in the template


@pytest.fixture
def good(small_ws: Path) -> bytes:
    wb = template_for(small_ws, COMMUNE)
    set_ratio(wb, "CB_TRUYENTHONG", 45, 50)
    set_yes_no(wb, "DV_TUYENTRUYEN_CONG", "Có")
    set_count(wb, "HD_KINHPHI", "15.000.000")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _read(tmp_path: Path, data: bytes, name: str = "bao_cao.xlsx") -> ReadResult:
    path = tmp_path / name
    path.write_bytes(data)
    return read_one(ReadJob("f", path, COMMUNE, 2025, Limits()))


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _zip(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED, comment: bytes = b"") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
        zf.comment = comment
    return out.getvalue()


def _patch(data: bytes, name: str, field: tuple[str, int, int], value: int) -> bytes:
    """Overwrite one field of a part's local and central headers: (format, offset in local, offset in central)."""
    fmt, local, central = field
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        struct.pack_into(fmt, out, zf.getinfo(name).header_offset + local, value)
        pos = zf.start_dir
    while (pos := out.find(b"PK\x01\x02", pos)) >= 0:
        name_len = struct.unpack_from("<H", out, pos + 28)[0]
        if out[pos + 46:pos + 46 + name_len] == name.encode():
            struct.pack_into(fmt, out, pos + central, value)
        pos += 46
    return bytes(out)


FLAGS, METHOD, CRC, SIZE = ("<H", 6, 8), ("<H", 8, 10), ("<I", 14, 16), ("<I", 22, 24)


def _figures(res: ReadResult) -> list[dict]:
    assert res.submission is not None, res.problem
    return res.submission.cells


def test_checked_copy_holds_the_same_parts_and_reads_the_same(good: bytes, tmp_path: Path) -> None:
    path = tmp_path / "bao_cao.xlsx"
    path.write_bytes(good)
    _, package = inspect_file(path, Limits())
    assert package is not None and isinstance(package.source, bytes)
    assert _parts(package.source) == _parts(good)
    with zipfile.ZipFile(io.BytesIO(package.source)) as zf:
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}  # the reader inflates nothing again
    kwargs = dict(unit_code=COMMUNE, year=2025, catalogue=load_catalogue())
    direct = read_submission(path, "f", **kwargs)
    checked = read_submission(path, "f", package=package, **kwargs)
    assert (checked.cells, checked.ratios, checked.texts, checked.meta) == (
        direct.cells, direct.ratios, direct.texts, direct.meta)
    assert any(c["cell"].startswith("D") and c["value"] == 45 for c in checked.cells)


def test_zip_layouts_of_other_writers_read_the_same(good: bytes, tmp_path: Path) -> None:
    """Stored parts, and an archive comment (which the quick directory reader leaves to zipfile)."""
    expected = _figures(_read(tmp_path, good))
    parts = _parts(good)
    assert _figures(_read(tmp_path, _zip(parts, zipfile.ZIP_STORED), "stored.xlsx")) == expected
    assert _figures(_read(tmp_path, _zip(parts, comment=b"written by a tool"), "comment.xlsx")) == expected


def _long_prolog_dtd(parts: dict[str, bytes]) -> bytes:
    """A DTD after 5 KiB of comment: legal XML, and past any fixed-size head a check might read."""
    styles = b'<?xml version="1.0"?><!--' + b" " * 5000 + b'--><!DOCTYPE x [<!ENTITY a "b">]>' + parts["xl/styles.xml"]
    return _zip({**parts, "xl/styles.xml": styles})


def _dtd_in_renamed_sheet(parts: dict[str, bytes]) -> bytes:
    """The workbook map points at a sheet part not named .xml; the reader follows the map."""
    renamed = {("xl/worksheets/sheet3.bin" if n == TARGETS_PART else n): b for n, b in parts.items()}
    renamed["xl/worksheets/sheet3.bin"] = b'<!DOCTYPE x [<!ENTITY a "b">]>' + parts[TARGETS_PART]
    rels = "xl/_rels/workbook.xml.rels"
    renamed[rels] = parts[rels].replace(b"sheet3.xml", b"sheet3.bin")
    return _zip(renamed)


def _lying_size(good: bytes) -> bytes:
    """Declares 200 bytes (with the CRC of those 200) but inflates to the whole sheet: a bomb's trick."""
    head = _parts(good)[TARGETS_PART][:200]
    return _patch(_patch(good, TARGETS_PART, SIZE, 200), TARGETS_PART, CRC, zlib.crc32(head))


@pytest.mark.parametrize(("spoil", "rule"), [
    (lambda good: _long_prolog_dtd(_parts(good)), "xml_dtd"),
    (lambda good: _dtd_in_renamed_sheet(_parts(good)), "xml_dtd"),
    (lambda good: _zip({**_parts(good), "docProps/app.xml": b'!<!DOCTYPE x [<!ENTITY a "b">]><a/>'}), "xml_dtd"),
    (_lying_size, "corrupt"),
    (lambda good: _patch(good, TARGETS_PART, FLAGS, 1), "encrypted"),  # a zip-level password on one part
    (lambda good: _patch(good, TARGETS_PART, METHOD, 9), "corrupt"),  # Deflate64: no reader here has it
    (lambda good: _zip({**_parts(good), **{f"x/{i}": b"" for i in range(MAX_PARTS + 1)}}, zipfile.ZIP_STORED),
     "zip_bomb"),
], ids=["dtd_after_long_prolog", "dtd_in_renamed_sheet", "dtd_after_a_bang", "lying_size", "zip_password", "deflate64",
        "too_many_parts"])
def test_hostile_containers_are_rejected_not_crashing(good: bytes, tmp_path: Path, spoil, rule: str) -> None:
    res = _read(tmp_path, spoil(good))
    assert res.submission is None and res.problem is not None
    assert res.problem.rule == rule


def test_sheet_calamine_cannot_parse_is_a_finding(good: bytes, tmp_path: Path) -> None:
    parts = _parts(good)
    parts[TARGETS_PART] = ('<?xml version="1.0" encoding="UTF-16"?>' + parts[TARGETS_PART].decode()).encode("utf-16")
    res = _read(tmp_path, _zip(parts))
    assert res.problem is not None and res.problem.rule == "layout"
    assert res.problem.sheet == "Chỉ tiêu" and "Trang «Chỉ tiêu» bị hỏng" in res.problem.fix  # the clerk knows where


def test_formula_without_value_is_flagged_at_its_cell(small_ws: Path, tmp_path: Path) -> None:
    """openpyxl lists a relationship's Target before its Id; the workbook map must still be followed."""
    wb = template_for(small_ws, COMMUNE)
    cell = set_ratio(wb, "CB_TRUYENTHONG", "=40+5", 50)
    buf = io.BytesIO()
    wb.save(buf)
    parts = _parts(buf.getvalue())
    assert b"<f>40+5</f><v />" in parts[TARGETS_PART]
    parts[TARGETS_PART] = parts[TARGETS_PART].replace(b"<f>40+5</f><v />", b"<f>40+5</f>")  # as Excel with calc off
    res = _read(tmp_path, _zip(parts))
    assert res.submission is not None
    assert [(f.rule, f.sheet, f.cell, f.found) for f in res.submission.findings] == [
        ("formula_no_value", "Chỉ tiêu", cell, "=40+5")]
    assert not any(c["cell"] == cell for c in _figures(res))  # never read as a blank numerator


@pytest.mark.parametrize("value", [None, "", " \u00a0", " 3 ", "1.234,5", "85,5%", "nhiều", 0.0, 7.0, 2.5,
                                   float("nan"), float("inf"), 3, True])
def test_text_and_number_is_cell_text_and_parse_number(value: object) -> None:
    assert text_and_number(value) == (cell_text(value), parse_number(value))


@pytest.mark.parametrize(("sheet", "label"), [("Chỉ tiêu", "Tử số"), ("Chỉ tiêu", "Mã chỉ tiêu"),
                                              ("Hoạt động", "Số lượng")])
def test_a_retyped_figure_column_header_is_a_layout_error_at_the_header_row(small_ws: Path, tmp_path: Path,
                                                                             sheet: str, label: str) -> None:
    """The header row is still found by its other labels, but no figure is read from a column guessed at."""
    wb = template_for(small_ws, COMMUNE)
    set_ratio(wb, "CB_TRUYENTHONG", 45, 50)
    header = next(c for row in wb[sheet].iter_rows() for c in row if c.value == label)
    header.value = f"{label} (đã sửa)"
    buf = io.BytesIO()
    wb.save(buf)
    result = _read(tmp_path, buf.getvalue())
    assert result.submission is None and result.problem is not None
    assert (result.problem.rule, result.problem.sheet, result.problem.cell) == ("layout", sheet, f"A{header.row}")
    assert label in result.problem.fix
