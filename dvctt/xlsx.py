"""Writing workbooks safely: byte-reproducible, atomically renamed, free text never a formula."""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

FIXED_TIME = datetime(2000, 1, 1)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def write_text(cell, value: str | None) -> None:
    """Store `value` as literal text even when it looks like a formula (=, +, -, @)."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True


def save_workbook(wb: Workbook, path: Path, *,
                  streamed: Mapping[str, Callable[[bytes], Iterable[bytes]]] | None = None) -> Path:
    """Save with fixed document times and zip timestamps, then atomically rename into place.

    The same content therefore gives the same bytes, and a full disk never leaves a
    half-written workbook where a reader expects a finished one. `streamed` maps a part's name
    (`xl/worksheets/sheet3.xml`) to a function of openpyxl's bytes for it that yields the part
    to write instead, chunk by chunk: a sheet of a million cells is written without a million
    openpyxl cells in memory.
    """
    streamed = streamed or {}
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "dvctt"
    wb.properties.lastModifiedBy = "dvctt"
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _pin_core_times(data)
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            if info.filename in streamed:
                with dst.open(fixed, "w") as part:
                    for chunk in streamed[info.filename](data):
                        part.write(chunk)
            else:
                dst.writestr(fixed, data)
    return atomic_write_bytes(Path(path), out.getvalue())


def _pin_core_times(xml: bytes) -> bytes:
    # openpyxl stamps `modified` with the save time whatever we set; pin it.
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>", xml)


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
