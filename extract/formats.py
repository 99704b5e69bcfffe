"""A number as the clerk's spreadsheet shows it: the cell's number format, read from the workbook's own styles.

The reader sees values as stored: 0.85 for what the clerk typed and sees as 85%, a serial number or an
ISO date for 05/12/2025, 1234 for 1.234. Feedback quotes the value the way the clerk sees it, so they find
it at a glance. Only the cells findings name are looked up, once a file has been read and judged: the
workbook map, styles.xml and the named sheets' XML are read from the archived copy, which the intake has
already checked part by part (`extract.safety`); anything unexpected leaves the findings as they were.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

from core.records import Finding
from extract.numbers import parse_number

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PART_LIMIT = 64 << 20  # bytes inflated per part at most; intake refuses far smaller workbooks already
# Excel's built-in formats (ECMA-376 §18.8.30) that matter for how a number looks; 14 is the locale's short date.
_BUILTIN = {1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%", 14: "dd/mm/yyyy", 15: "d-mmm-yy",
            16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss",
            22: "dd/mm/yyyy h:mm", 37: "#,##0", 38: "#,##0", 39: "#,##0.00", 40: "#,##0.00", 45: "mm:ss",
            46: "[h]:mm:ss", 47: "mm:ss.0", 49: "@"}
_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
_ATTR = re.compile(rb'\b(r|s|t)="([^"]*)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_LITERAL = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')  # quoted text, escaped characters, [colours], padding
_A1 = re.compile(r"^([A-Z]{1,3})([0-9]+)$")


def as_shown(findings: Sequence[Finding], workbook: Path | None) -> list[Finding]:
    """`findings` with each `found` that quotes a number replaced by that number as its cell displays it, in the
    finding's fix as well."""
    refs = {(f.sheet, f.cell) for f in findings if f.sheet and _A1.match(f.cell)}
    if not refs or workbook is None or not zipfile.is_zipfile(workbook):
        return list(findings)
    try:
        cells = _numeric_cells(workbook, refs)
    except (OSError, zipfile.BadZipFile, ET.ParseError, KeyError, ValueError):
        return list(findings)  # what a file looks like is a courtesy; the finding stands as read
    out = []
    for f in findings:
        cell = cells.get((f.sheet, f.cell))
        seen = shown(*cell) if cell is not None else None
        if seen and cell is not None and _quotes(f.found, *cell):  # the fix quotes it too, as «found»
            f = replace(f, found=seen, fix=f.fix.replace(f"«{f.found}»", f"«{seen}»"))
        out.append(f)
    return out


def shown(value: float, code: str, date1904: bool = False) -> str | None:
    """`value` formatted by number format `code` the way a Vietnamese spreadsheet shows it; None for text (@)."""
    section = _LITERAL.sub("", code.split(";")[0]).strip()
    if section == "@":
        return None
    if section.lower() in ("", "general"):
        text = f"{value:.10g}"
        return text.replace(".", ",") if "e" not in text else text.upper().replace(".", ",")
    if "%" in section:
        return _decimal(value * 100, _places(section)) + "%"
    if re.search(r"[dyhs]|m", section, re.I) and not re.search(r"[0#?]", section):
        moment = _moment(value, date1904)
        if moment is None:
            return None
        with_time = re.search(r"[hs]", section, re.I)
        dated = re.search(r"[dy]", section, re.I) or not with_time
        return " ".join(filter(None, [f"{moment:%d/%m/%Y}" if dated else "", f"{moment:%H:%M}" if with_time else ""]))
    number = _decimal(value, _places(section))
    if "," in section:  # thousands grouped with dots, as Vietnamese write them
        whole, _, frac = number.partition(",")
        sign = "-" if whole.startswith("-") else ""
        number = sign + f"{int(whole.lstrip('-')):,}".replace(",", ".") + (f",{frac}" if frac else "")
    return number


def _places(section: str) -> int:
    _, dot, after = section.partition(".")
    return len(re.match(r"[0#?]*", after).group()) if dot else 0  # type: ignore[union-attr]  # always matches


def _decimal(value: float, places: int) -> str:
    return f"{value:.{places}f}".replace(".", ",")


def _moment(serial: float, date1904: bool) -> datetime | None:
    if not math.isfinite(serial) or not 0 <= serial < 2958466:  # Excel's last day is 31/12/9999
        return None
    base = datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 30)  # noqa: DTZ001 - a wall-clock date
    if not date1904 and serial < 61:  # Excel counts a 29/02/1900 that never was
        serial += 1
    return base + timedelta(days=serial)


def _quotes(found: str, value: float, code: str, date1904: bool) -> bool:
    """Whether `found` is this cell's number as the reader wrote it (not, say, a ratio worked out from it)."""
    if not found:
        return False
    try:
        if float(found) == value:
            return True
    except ValueError:
        pass
    if parse_number(found) == value:
        return True
    moment = _moment(value, date1904)
    return moment is not None and found.startswith(moment.date().isoformat())


def _numeric_cells(path: Path, refs: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[float, str, bool]]:
    """(sheet, A1) → (stored number, its number format, whether dates count from 1904) for the numeric `refs`."""
    with zipfile.ZipFile(path) as zf:
        book = ET.fromstring(_part(zf, "xl/workbook.xml"))
        rels = ET.fromstring(_part(zf, "xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels}
        pr = book.find(f"{_MAIN}workbookPr")
        date1904 = pr is not None and pr.get("date1904") in ("1", "true")
        formats = _formats(ET.fromstring(_part(zf, "xl/styles.xml"))) if "xl/styles.xml" in zf.NameToInfo else []
        wanted = {sheet for sheet, _ in refs}
        out: dict[tuple[str, str], tuple[float, str, bool]] = {}
        for sheet in book.iter(f"{_MAIN}sheet"):
            name = sheet.get("name", "")
            if name not in wanted:
                continue
            target = targets.get(sheet.get(_REL_ID), "").lstrip("/")
            part = target if target.startswith("xl/") else f"xl/{target}"
            cells = {cell for s, cell in refs if s == name}
            for ref, value, style in _cells(_part(zf, part), cells):
                code = formats[style] if style < len(formats) else "General"
                out[(name, ref)] = (value, code, date1904)
        return out


def _part(zf: zipfile.ZipFile, name: str) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > _PART_LIMIT:
        raise ValueError(f"{name} is larger than expected")
    return zf.read(info)


def _formats(styles: ET.Element) -> list[str]:
    """The number format code of each cell style (`s` index)."""
    custom = {int(f.get("numFmtId", "0")): f.get("formatCode", "") for f in styles.iter(f"{_MAIN}numFmt")}
    xfs = styles.find(f"{_MAIN}cellXfs")
    ids = [int(xf.get("numFmtId", "0")) for xf in xfs.iter(f"{_MAIN}xf")] if xfs is not None else []
    return [custom.get(i) or _BUILTIN.get(i, "General") for i in ids]


def _cells(sheet: bytes, refs: Iterable[str]) -> Iterable[tuple[str, float, int]]:
    """(A1, number, style index) of the numeric cells among `refs` (text, booleans and errors are skipped)."""
    wanted = set(refs)
    for m in _CELL.finditer(sheet):
        attrs = {k.decode(): v.decode() for k, v in _ATTR.findall(m.group(1))}
        if attrs.get("r") not in wanted or attrs.get("t", "n") != "n":
            continue
        value = _VALUE.search(m.group(2) or b"")
        if value is None:
            continue
        try:
            number = float(value.group(1))
        except ValueError:
            continue
        yield attrs["r"], number, int(attrs.get("s", "0"))
