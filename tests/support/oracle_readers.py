"""Independent readers for test oracles: openpyxl, not the pipeline's calamine reader."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import load_workbook


def read_data_sheet(path: Path) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name="Dữ liệu", engine="openpyxl", dtype={"unit_code": str, "parent_code": str})


def unit_file_figures(path: Path) -> dict[str, tuple[float | None, float | None]]:
    """indicator/activity code → (numerator, denominator) as written in a unit's workbook."""
    wb = load_workbook(path, data_only=True)
    out: dict[str, tuple[float | None, float | None]] = {}
    for row in wb["Chỉ tiêu"].iter_rows(min_row=4, values_only=True):
        code, num, den, yn = row[1], row[3], row[4], row[5]
        if not code:
            continue
        if yn is not None:
            out[code] = (1.0 if yn == "Có" else 0.0, 1.0)
        elif num is not None or den is not None:
            out[code] = (num, den)
    for row in wb["Hoạt động"].iter_rows(min_row=4, values_only=True):
        if row[1] and row[4] is not None:
            out[row[1]] = (row[4], None)
    return out


def sheet_table(path: Path, sheet: str, headers: list[str]) -> list[dict[str, object]]:
    """The rows under the first row of `sheet` holding every one of `headers`, as dicts, until the first empty row."""
    rows = list(load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))
    at = next(n for n, row in enumerate(rows) if all(h in row for h in headers))
    names = [str(v) if v is not None else "" for v in rows[at]]
    out = []
    for row in rows[at + 1:]:
        if all(v is None for v in row):
            break
        out.append(dict(zip(names, row, strict=False)))
    return out


def docx_lines(path: Path, part: str = "word/document.xml") -> list[str]:
    """Every paragraph's text of a .docx part, in document order (table cells included), read with the standard
    library's XML parser, not the writer: `part` "word/footer1.xml" gives the footer."""
    import zipfile
    from xml.etree import ElementTree as ET

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(path) as z:
        root = ET.fromstring(z.read(part))
    lines = []
    for p in root.iter(f"{w}p"):
        lines.append("".join("\n" if el.tag == f"{w}br" else el.text or "" for el in p.iter()
                             if el.tag in (f"{w}t", f"{w}br")))
    return lines
