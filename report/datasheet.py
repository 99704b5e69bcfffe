"""The "Dữ liệu" sheet's rows, streamed as sheet XML instead of built as openpyxl cells.

A national workbook's long table has ~400,000 rows × 10 columns: as openpyxl cells it took minutes
and gigabytes. openpyxl still writes the sheet itself (header row, widths, filter, print setup);
`save_workbook(streamed=…)` then puts these rows in after the header. Text goes in as inline
strings, which no spreadsheet evaluates as a formula, so a name starting with "=" stays text; the
output depends only on the frame, so the same figures give the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

CHUNK_ROWS = 5000


def _text(value: str) -> str:
    clean = ILLEGAL_CHARACTERS_RE.sub("", value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = ' xml:space="preserve"' if clean != clean.strip() else ""
    return f' t="inlineStr"><is><t{space}>{clean}</t></is></c>'


class _Escaped(dict[str, str]):
    def __missing__(self, value: str) -> str:
        self[value] = cell = _text(value)
        return cell


def _number(value: float | int) -> str:
    return f"><v>{value!r}</v></c>"


def row_xml(frame: pd.DataFrame, first_row: int) -> Iterator[bytes]:
    """`<row>` elements for `frame`'s rows from sheet row `first_row`, a chunk at a time; blanks are left out."""
    letters = [get_column_letter(c) for c in range(1, frame.shape[1] + 1)]
    texts = _Escaped()  # a national table repeats each name 32 times: escape it once
    for start in range(0, len(frame), CHUNK_ROWS):
        chunk = frame.iloc[start:start + CHUNK_ROWS]
        out = []
        for n, values in enumerate(zip(*(chunk[c].tolist() for c in chunk.columns), strict=True), start=first_row + start):
            cells = []
            for letter, v in zip(letters, values, strict=True):
                if v is None or v != v:  # None or NaN: a blank cell
                    continue
                cells.append(f'<c r="{letter}{n}"{texts[v] if isinstance(v, str) else _number(v)}')
            out.append(f'<row r="{n}">{"".join(cells)}</row>')
        yield "".join(out).encode()


def after_header(frame: pd.DataFrame) -> Callable[[bytes], Iterable[bytes]]:
    """For `save_workbook(streamed=…)`: openpyxl's one-row sheet with `frame`'s rows added below row 1."""
    last = f"{get_column_letter(frame.shape[1])}{len(frame) + 1}"

    def stream(sheet: bytes) -> Iterator[bytes]:
        head, end, tail = sheet.partition(b"</sheetData>")
        if not end:
            raise ValueError("the data sheet has no header row to add rows after")
        yield re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last}"/>'.encode(), head, count=1)
        yield from row_xml(frame, 2)
        yield end + tail

    return stream
