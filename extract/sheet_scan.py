"""Look inside one sheet's XML for what the spreadsheet reader would show wrongly, or could not afford to read.

calamine shows a formula cell saved without its result, and a cell holding an error value (#DIV/0!,
#REF! …), as blank. Such a cell is not blank: its value cannot be known, so it is listed here with
its formula, for the reader to report where the clerk will look. calamine also allocates the whole
rectangle from A1 to the farthest filled cell, so one value in XFD1048576 of a 5 KB file would take
terabytes: the farthest filled cell is checked here, before calamine parses anything.

Element names may carry a namespace prefix (`<x:c>`), which calamine accepts too, so every pattern
here allows one.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache

from openpyxl.utils.cell import column_index_from_string, get_column_letter

MAX_COLUMN = 256  # column IV: the template uses A–H; 5,000 rows × 256 columns stay a few tens of MB in calamine
# The most XML a sheet the reader parses may hold. calamine keeps its own copy of every cell while Python builds
# its own, so a parsed sheet costs about three times its XML; the template's sheets take tens of KB, 5,000 full rows
# a few MB. This bounds what parsing costs whatever a file holds elsewhere (issue 16.7).
MAX_SHEET = 32 << 20
ARRAY_CELLS = 1 << 16  # an array formula over more cells than this is not expanded cell by cell

_P = rb"(?:[\w.-]+:)?"  # an optional namespace prefix
_ROW = re.compile(rb"<(" + _P + rb")row\b([^>]*?)(?:/>|>(.*?)</\1row>)", re.S)
_CELL = re.compile(rb"<(" + _P + rb")c\b([^>]*?)(?:/>|>(.*?)</\1c>)", re.S)
_FORMULA = re.compile(rb"<(" + _P + rb")f\b([^>]*?)(?:/>|>(.*?)</\1f>)", re.S)
_VALUE = re.compile(rb"<(" + _P + rb")v\b[^>]*?(?:/>|>(.*?)</\1v>)", re.S)
_INLINE = re.compile(rb"<" + _P + rb"is\b")
_FORMULA_START = (re.compile(rb"<f[\s/>]"), re.compile(rb":f[\s/>]"))  # a formula element, unprefixed or prefixed
_ATTR = {name: re.compile(rb"\s" + name.encode() + rb'="([^"]*)"') for name in ("r", "t", "ref", "si")}
_REF = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")
_CLOSE = re.compile(rb"</" + _P + rb"c>")
_FILLED = re.compile(rb"<" + _P + rb"v\b[^>]*>[^<]|<" + _P + rb"is\b")


@dataclass(frozen=True)
class Unknown:
    """A cell whose value cannot be known: the formula as typed ("=…"; "" for none) and its cached error, if any.

    `origin` is the cell holding the formula when this cell only shares it (an array's other cells).
    """

    formula: str
    error: str = ""
    origin: str = ""


@dataclass
class SheetScan:
    unknown: dict[str, Unknown] = field(default_factory=dict)  # A1 reference → why its value is not known
    far: str | None = None  # the first filled cell beyond `max_rows` or column IV, if any
    size: int = 0  # bytes of XML; a sheet over `MAX_SHEET` is not parsed (see there), and not scanned either


def scan_sheet(xml: bytes, max_rows: int) -> SheetScan:
    return SheetScan(unknown_cells(xml), far_cell(xml, max_rows), len(xml))


def far_cell(xml: bytes, max_rows: int) -> str | None:
    """A filled cell past row `max_rows` or column IV, which would make calamine allocate that whole rectangle.

    Only references long enough to be far are looked at (one regex pass), and only filled cells count,
    as calamine leaves styled empty cells out of its rectangle.
    """
    for m in _far_refs(len(str(max_rows))).finditer(xml):
        if not xml[m.start() - 1:m.start()].isspace():
            continue  # another attribute ending in r (sqref=, ref=)
        ref = m.group(1).decode()
        parts = _REF.match(ref)
        if parts is None:
            continue
        if column_index_from_string(parts.group(1)) <= MAX_COLUMN and int(parts.group(2)) <= max_rows:
            continue
        start = xml.rfind(b"<", 0, m.start())
        tag = re.match(rb"<" + _P + rb"c\b", xml[start:m.start()])
        end = xml.find(b">", m.end())
        if tag is None or end < 0 or xml[end - 1:end] == b"/":
            continue
        close = _CLOSE.search(xml, end)
        if _FILLED.search(xml, end, close.start() if close else len(xml)):
            return ref
    return None


@lru_cache(maxsize=4)
def _far_refs(digits: int) -> re.Pattern[bytes]:
    """References with a column past IV or a row of at least `digits` digits; the literal start keeps the search
    quick."""
    return re.compile(rb'r="((?:[A-Z]{3}|I[W-Z]|[J-Z][A-Z])[0-9]+|[A-Z]{1,3}[0-9]{' + str(digits).encode() + rb',})"')


def unknown_cells(xml: bytes) -> dict[str, Unknown]:
    """Formula cells saved without a cached result, cells holding an error value, and the cells of an array formula
    that carry no value. An empty string result (`t="str"` with an empty value) is known: it shows blank."""
    if not _maybe_unknown(xml):
        return {}
    out: dict[str, Unknown] = {}
    shared: dict[str, tuple[str, str]] = {}  # shared formula id → (its text, the cell that holds it)
    children: dict[str, str] = {}  # cell → shared formula id, for cells holding only a reference to it
    arrays: list[tuple[str, str, str]] = []  # (range, text, cell that holds it)
    filled: set[tuple[int, int]] = set()
    row_no = 0
    for row in _ROW.finditer(xml):
        row_no = _int(_attr(row.group(2), "r"), row_no + 1)
        col = 0
        for cell in _CELL.finditer(row.group(3) or b""):
            attrs, body = cell.group(2), cell.group(3) or b""
            ref = _attr(attrs, "r")
            parsed = _REF.match(ref) if ref else None
            col = column_index_from_string(parsed.group(1)) if parsed else col + 1
            ref = f"{get_column_letter(col)}{row_no}" if parsed is None else ref
            value = _VALUE.search(body)
            text = _text(value.group(2)) if value and value.group(2) else ""
            kind = _attr(attrs, "t")
            if text or (kind == "inlineStr" and _INLINE.search(body)):
                filled.add((row_no, col))
            formula = _FORMULA.search(body)
            typed = ""
            if formula is not None:
                f_attrs, typed = formula.group(2), _text(formula.group(3) or b"")
                f_kind, si = _attr(f_attrs, "t"), _attr(f_attrs, "si")
                if f_kind == "shared" and si and typed:
                    shared.setdefault(si, (typed, ref))
                elif f_kind == "shared" and si:
                    children[ref] = si
                if f_kind == "array" and typed:
                    arrays.append((_attr(f_attrs, "ref") or ref, typed, ref))
            shown = f"={typed}" if typed else ""
            if kind == "e":
                out[ref] = Unknown(shown, text or "#N/A")
            elif formula is not None and not text and not (kind == "str" and value is not None):
                out[ref] = Unknown(shown)
    for ref, si in children.items():
        if ref in out and si in shared:
            typed, origin = shared[si]
            out[ref] = Unknown(f"={typed}", out[ref].error, origin)
    for area, typed, origin in arrays:
        for ref in _members(area, origin, filled):
            out.setdefault(ref, Unknown(f"{{={typed}}}", origin=origin))
    return out


def _maybe_unknown(xml: bytes) -> bool:
    """Whether `xml` holds a formula element (with or without a prefix) or an error cell. Most sheets hold neither,
    which patterns starting with a literal tell far quicker than any starting at "<", every other byte of XML."""
    return b't="e"' in xml or any(pattern.search(xml) for pattern in _FORMULA_START)


def _members(area: str, origin: str, filled: set[tuple[int, int]]) -> list[str]:
    """The cells of an array formula's range other than its own that hold no value."""
    first, _, last = area.partition(":")
    corners = [_REF.match(first), _REF.match(last or first)]
    if corners[0] is None or corners[1] is None:
        return []
    (c1, r1), (c2, r2) = ((column_index_from_string(m.group(1)), int(m.group(2))) for m in corners if m)
    if (abs(c2 - c1) + 1) * (abs(r2 - r1) + 1) > ARRAY_CELLS:
        return [origin]  # too large to expand: its value as a whole is not taken as known
    return [f"{get_column_letter(c)}{r}" for r in range(min(r1, r2), max(r1, r2) + 1)
            for c in range(min(c1, c2), max(c1, c2) + 1)
            if (r, c) not in filled and f"{get_column_letter(c)}{r}" != origin]


def _attr(attrs: bytes, name: str) -> str:
    m = _ATTR[name].search(attrs)
    return m.group(1).decode("utf-8", "replace") if m else ""


def _int(text: str, default: int) -> int:
    return int(text) if text.isdigit() else default


def _text(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8", "replace")).strip()
