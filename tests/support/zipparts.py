"""Take a saved workbook apart and put it back together with one part or one cell changed, as hostile or odd
writers leave them."""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import Workbook


def workbook_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def zip_of(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    return out.getvalue()


def sheet_part(parts: dict[str, bytes], sheet: str) -> str:
    """The part holding `sheet`, found through the workbook map (written independently of extract.safety)."""
    book = parts["xl/workbook.xml"].decode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', book).group(1)
    target = re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels).group(1)
    return target.lstrip("/") if target.lstrip("/").startswith("xl/") else f"xl/{target}"


def replace_cell(xml: bytes, ref: str, new: bytes) -> bytes:
    """`xml` with the element of cell `ref` (which must be there) replaced by `new`."""
    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', re.S)
    assert pattern.search(xml), ref
    return pattern.sub(lambda _: new, xml, count=1)


def with_cells(data: bytes, sheet: str, cells: dict[str, bytes], head: bytes = b"") -> bytes:
    """The workbook `data` with cells of `sheet` replaced by raw XML; `head` is added to the worksheet's start tag."""
    parts = parts_of(data)
    name = sheet_part(parts, sheet)
    xml = parts[name]
    for ref, new in cells.items():
        xml = replace_cell(xml, ref, new)
    if head:
        xml = xml.replace(b"<worksheet ", b"<worksheet " + head + b" ", 1)
    parts[name] = xml
    return zip_of(parts)
