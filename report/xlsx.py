"""Writing workbooks safely and fast: byte-reproducible, atomically renamed, free text never a formula.

Large tables do not become openpyxl cells: a national workbook has millions of cells, and building
and serialising them as objects took most of a minute. `stream_rows` renders a block of rows
straight to sheet XML (styles by the workbook's own style ids, text as inline strings, which no
spreadsheet evaluates); `save_workbook` lets openpyxl write everything else, puts each block into
its sheet between the rows around it, and compresses once.
"""

from __future__ import annotations

import io
import math
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import cast
from weakref import WeakKeyDictionary

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from core.files import as_created

FIXED_TIME = datetime(2000, 1, 1)  # noqa: DTZ001 - openpyxl writes document times as naive UTC
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
COMPRESS_LEVEL = 1  # national workbook: level 6 took 8.3 s to save instead of 4.5 s, for a file 16% smaller
_ROW = re.compile(rb'<row r="(\d+)"')
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+\d+(?::([A-Z]+)(\d+))?"\s*/>')


def write_text(cell, value: str | None) -> None:
    """Store `value` as literal text even when it looks like a formula (=, +, -, @)."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True


@dataclass(frozen=True)
class RowBlock:
    """Rows `first`..`last` of a sheet, `columns` wide, as `<row>` XML chunks (consumed once, at save)."""

    first: int
    last: int
    columns: int
    chunks: Iterable[bytes]


_BLOCKS: WeakKeyDictionary[Worksheet, list[RowBlock]] = WeakKeyDictionary()


def stream_rows(ws: Worksheet, block: RowBlock) -> None:
    """Have `save_workbook` put `block` into `ws`; no openpyxl cell may be written inside its rows."""
    if block.last >= block.first:
        _BLOCKS.setdefault(ws, []).append(block)


class CellXml:
    """Renders cells as sheet XML. Escaped text is cached: a national table repeats each name often."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}

    def _text(self, value: str) -> str:
        tail = self._texts.get(value)
        if tail is None:
            clean = ILLEGAL_CHARACTERS_RE.sub("", value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            space = ' xml:space="preserve"' if clean != clean.strip() else ""
            tail = self._texts[value] = f' t="inlineStr"><is><t{space}>{clean}</t></is></c>'
        return tail

    def body(self, value: object, style: int = 0) -> str:
        """A `<c>` after its `r` attribute; "" for a blank, which is left out unless styled (a bordered
        empty cell). "", NaN and ±inf are blank."""
        s = f' s="{style}"' if style else ""
        if isinstance(value, str) and value:
            return s + self._text(value)
        if isinstance(value, bool):
            return f'{s} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, datetime | date):
            value = to_excel(value)
        if value is None or value == "" or not math.isfinite(cast(float, value)):  # anything else is a number
            return f"{s}/>" if style else ""
        return f"{s}><v>{value!r}</v></c>"

    def cell(self, ref: str, value: object, style: int = 0) -> str:
        body = self.body(value, style)
        return f'<c r="{ref}"{body}' if body else ""


def row_xml(row: int, cells: Sequence[str], height: float | None = None) -> str:
    size = f' ht="{height:g}" customHeight="1"' if height else ""
    return f'<row r="{row}"{size}>{"".join(cells)}</row>'


def save_workbook(wb: Workbook, path: Path) -> Path:
    """Save with fixed document times and zip timestamps, then atomically rename into place.

    The same content therefore gives the same bytes, and a full disk never leaves a
    half-written workbook where a reader expects a finished one. openpyxl writes into an
    uncompressed archive; each part is then compressed once, with the streamed rows put in.
    """
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "dvctt"
    wb.properties.lastModifiedBy = "dvctt"
    raw = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED, allowZip64=True)).save()
    blocks = {ws.path.lstrip("/"): sorted(_BLOCKS.get(ws, []), key=lambda b: b.first) for ws in wb.worksheets}
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _pin_core_times(data)
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            # What `writestr(compresslevel=…)` sets; `open` reads only this. Typeshed lists it only from 3.13 on,
            # renamed compress_level.
            fixed._compresslevel = COMPRESS_LEVEL  # type: ignore[attr-defined]
            if blocks.get(info.filename):
                with dst.open(fixed, "w", force_zip64=True) as part:
                    for chunk in _with_blocks(data, blocks[info.filename]):
                        part.write(chunk)
            else:
                dst.writestr(fixed, data)
    return atomic_write_bytes(Path(path), out.getvalue())


def _with_blocks(sheet: bytes, blocks: list[RowBlock]) -> Iterator[bytes]:
    """openpyxl's sheet part with each block's rows put in row order, and its dimension widened."""
    sheet = re.sub(rb"<sheetData\s*/>", b"<sheetData></sheetData>", sheet, count=1)
    head, opened, rest = sheet.partition(b"<sheetData>")
    body, closed, tail = rest.partition(b"</sheetData>")
    if not (opened and closed):
        raise ValueError("sheet part has no sheetData")
    starts = [(int(m.group(1)), m.start()) for m in _ROW.finditer(body)]
    dim = _DIMENSION.search(head)
    end_col, end_row = dim.groups() if dim else (None, None)  # both None for a one-cell ref
    last_row = max([b.last for b in blocks] + [int(end_row) if end_row is not None else 1])
    last_col = max([b.columns for b in blocks] + [column_index_from_string(end_col.decode()) if end_col is not None else 1])
    if dim:
        head = head[:dim.start()] + f'<dimension ref="A1:{get_column_letter(last_col)}{last_row}"/>'.encode() \
            + head[dim.end():]
    yield head + opened
    done = 0
    for block in blocks:
        inside = [r for r, _ in starts if block.first <= r <= block.last]
        if inside:
            raise ValueError(f"row {inside[0]} has openpyxl cells inside streamed rows {block.first}–{block.last}")
        at = next((pos for r, pos in starts if r > block.last), len(body))
        yield body[done:at]
        yield from block.chunks
        done = at
    yield body[done:] + closed + tail



def _pin_core_times(xml: bytes) -> bytes:
    # openpyxl stamps `modified` with the save time whatever we set; pin it.
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>", xml)


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
    try:
        as_created(fd)  # mkstemp's 0600 would leave the workbook readable by the service account alone
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
