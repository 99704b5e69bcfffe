"""A small table writer shared by every report sheet: headers, borders, formats, print setup.

Row heights are set explicitly from the text length: neither Excel nor LibreOffice re-fits the
rows of a generated file when it opens it, so wrapped text would otherwise be cut in print.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import numpy as np
import pandas as pd
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from core.clock import vn_wall
from report import styles as S
from report.xlsx import FORMULA_PREFIXES, CellXml, RowBlock, row_xml, stream_rows, write_text

CHUNK_ROWS = 5000  # streamed rows are joined into bytes this many at a time
LINE_PT = 15.0  # one line of 12 pt Times New Roman, with leading
TOP = Alignment(vertical="top")  # a wrapped neighbour makes the row taller; keep the row's values level


@dataclass(frozen=True)
class PageLabels:
    """What every printed page carries: who reports, up to which date, and for what report.

    No wall-clock time: the same warehouse state must give the same bytes.
    """

    unit: str
    cutoff: date
    report: str
    stamp: str = ""  # the report's kind and when it was produced ("DỰ THẢO – lập 08:00 ngày 01/12/2026"), an input
    size: float = 9  # points: a report scaled to 75 % prints its 12 pt header and footer at 9 pt


def _clean(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalar → Python
        return _clean(value.item())
    if isinstance(value, datetime):
        return (vn_wall(value) if value.tzinfo else value).replace(microsecond=0)
    return value


def _hf(text: str) -> str:
    """Header/footer text is a format string where & starts a code; keep a literal & literal."""
    return text.replace("&", "&&")


def text_lines(text: str, width: float) -> int:
    """How many printed lines `text` takes in a wrapped column `width` characters wide."""
    per_line = max(1.0, width * 1.15)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def row_height(lines: int) -> float | None:
    """Points for a row of `lines` wrapped lines; None (the default height) for one line."""
    return LINE_PT * lines + 2 if lines > 1 else None


def fit_row(ws: Worksheet, row: int, lines: int) -> None:
    if lines > 1:
        ws.row_dimensions[row].height = row_height(lines)


def setup_sheet(ws: Worksheet, title: str, subtitle: str, header_row: int, page: PageLabels) -> None:
    """Title rows, A4 landscape fitted to the page width, repeated header row, header and footer."""
    write_text(ws["A1"], title)
    ws["A1"].font = S.TITLE
    write_text(ws["A2"], subtitle)
    ws["A2"].font = S.NOTE
    setup_print(ws, header_row, page)
    ws.freeze_panes = f"A{header_row + 1}"  # a coordinate, not ws.cell(): that would create a cell


def setup_print(ws: Worksheet, header_row: int | None, page: PageLabels,
                orientation: Literal["portrait", "landscape"] = "landscape") -> None:
    """A4 fitted to the page width (as many pages down as needed), the header row repeated on every page."""
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.7, bottom=0.7, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    if header_row is not None:
        ws.print_title_rows = f"{header_row}:{header_row}"
    header, footer = ws.oddHeader, ws.oddFooter
    if header is None or footer is None:  # openpyxl gives every sheet both
        raise ValueError(f"Sheet {ws.title} has no odd-page header or footer")
    header.left.text = _hf(page.unit)
    if page.stamp:
        header.center.text = "&B" + _hf(page.stamp)
    header.right.text = _hf(f"Số liệu đến ngày {page.cutoff:%d/%m/%Y}")
    footer.left.text = _hf(page.report)
    footer.center.text = "&A"
    # Each sheet numbers its pages from 1 (firstPageNumber). No "/&N": LibreOffice's &N counts the pages of every
    # sheet printed, not the sheet's own, so "Trang 3/66" would mislead; the sheet's name stands in the middle.
    footer.right.text = "Trang &P"
    ws.page_setup.firstPageNumber = 1  # every sheet numbers its own pages from 1
    ws.page_setup.useFirstPageNumber = True
    for part in (header.left, header.center, header.right, footer.left, footer.center, footer.right):
        part.font, part.size = f"{S.FONT_NAME},Regular", page.size


# Landscape A4 within the margins, in column-width units at 100 %: the units are characters of the workbook's default
# font (Times New Roman 11 in the report, report.workbook.DEFAULT_FONT), as LibreOffice renders them.
PRINTABLE_CHARS = 140


def keep_legible(ws: Worksheet) -> None:
    """Fit a landscape sheet to as many pages across as keep its text at MIN_PRINTED_PT or more: fitting a wide table
    to one page width would print it in 6 pt. Call after the sheet's columns are sized."""
    area = re.search(r"\$?([A-Z]+)\$?\d+$", str(ws.print_area or ""))
    last = column_index_from_string(area.group(1)) if area else ws.max_column
    dims = [ws.column_dimensions[get_column_letter(c)] for c in range(1, last + 1)]
    width = sum(d.width or 13 for d in dims if not d.hidden)
    scale = S.MIN_PRINTED_PT / S.NORMAL.size
    ws.page_setup.fitToWidth = max(1, math.ceil(width * scale / PRINTABLE_CHARS))


def write_note(ws: Worksheet, row: int, text: str, columns: int, width: float) -> None:
    """A wrapped explanatory paragraph merged across the table's `columns` (total `width`)."""
    cell = ws.cell(row=row, column=1)
    write_text(cell, text)
    cell.font, cell.alignment = S.NOTE, S.WRAP
    if columns > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    fit_row(ws, row, text_lines(text, width) + 1)


class _Styles:
    """The workbook's style id of each combination of font, fill, alignment, number format and quote
    prefix, computed once per table: streamed cells carry the id, so openpyxl never styles a cell."""

    def __init__(self, ws: Worksheet):
        self.ws = ws
        self.ids: dict[tuple, int] = {}

    def id(self, font: Font, fill: PatternFill | None, alignment: Alignment, number_format: str | None,
           quote: bool) -> int:
        key = (id(font), id(fill), id(alignment), number_format, quote)
        if key not in self.ids:
            model = Cell(self.ws, 1, 1)  # never put in the sheet: only its style is used
            model.font, model.border, model.alignment = font, S.BOX, alignment
            if fill is not None:
                model.fill = fill
            if number_format is not None:
                model.number_format = number_format
            model.quotePrefix = quote  # Excel keeps formula-looking text as text even when a user edits it
            self.ids[key] = model.style_id
        return self.ids[key]


FillRule = Callable[[int, int, object], PatternFill | None]


def write_table(ws: Worksheet, header_row: int, headers: Sequence[str], rows: Sequence[Sequence[object]],
                widths: Sequence[float], formats: dict[int, str] | None = None, *, fill: FillRule | None = None,
                bold_rows: Collection[int] = (), wrap_columns: Collection[int] = ()) -> int:
    """Write a bordered table; returns the last row written. `formats` maps 0-based column → number format;
    `fill(i, c, value)` may colour the cell of row `i`, column `c` (both 0-based); `bold_rows` are 0-based;
    `wrap_columns` always wrap. The header is openpyxl cells; the rows are streamed (report.xlsx)."""
    formats = formats or {}
    for col, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row=header_row, column=col)
        write_text(cell, text)
        cell.font, cell.fill, cell.border, cell.alignment = S.BOLD, S.HEADER_FILL, S.BOX, S.CENTER
        ws.column_dimensions[get_column_letter(col)].width = width
    fit_row(ws, header_row, max(text_lines(h, w - 1) for h, w in zip(headers, widths, strict=True)))
    styles, render = _Styles(ws), CellXml()
    letters = [get_column_letter(c) for c in range(1, len(headers) + 1)]
    bold, wrap = set(bold_rows), set(wrap_columns)
    chunks: list[bytes] = []
    out: list[str] = []
    r = header_row
    aligned = [S.WRAP if c in wrap else TOP for c in range(len(headers))]
    numeric = [formats.get(c) for c in range(len(headers))]
    for i, values in enumerate(rows):
        r = header_row + 1 + i
        lines = 1
        font = S.BOLD if i in bold else S.NORMAL
        cells = []
        for c, value in enumerate(values):
            if (type(value) is float and math.isfinite(value)) or type(value) is int:  # most cells: the fast path
                style = styles.id(font, fill(i, c, value) if fill else None, aligned[c], numeric[c], False)
                cells.append(f'<c r="{letters[c]}{r}" s="{style}"><v>{value!r}</v></c>')
                continue
            value = _clean(value)
            if isinstance(value, datetime):
                number_format: str | None = "dd/mm/yyyy hh:mm"
            elif isinstance(value, date):
                number_format = "dd/mm/yyyy"
            else:
                number_format = numeric[c]
            alignment, quote = aligned[c], False
            if isinstance(value, str):
                if len(value) > widths[c] or "\n" in value:
                    alignment = S.WRAP
                    lines = max(lines, text_lines(value, widths[c]))
                quote = value.startswith(FORMULA_PREFIXES)
            style = styles.id(font, fill(i, c, value) if fill else None, alignment, number_format, quote)
            cells.append(render.cell(f"{letters[c]}{r}", value, style))
        out.append(row_xml(r, cells, row_height(lines)))
        if len(out) == CHUNK_ROWS:
            chunks.append("".join(out).encode())
            out = []
    chunks.append("".join(out).encode())
    stream_rows(ws, RowBlock(header_row + 1, r, len(headers), chunks))
    if rows:
        ws.auto_filter.ref = f"A{header_row}:{letters[-1]}{r}"
    return r


def write_frame_table(ws: Worksheet, header_row: int, headers: Sequence[str], frame: pd.DataFrame,
                      widths: Sequence[float], formats: dict[int, str] | None = None, *,
                      bold: np.ndarray | None = None, wrap_columns: Collection[int] = ()) -> int:
    """`write_table` for a long frame (hundreds of thousands of rows), with the same cells, styles and row heights.

    Each column is rendered with whole-column operations, each distinct text once, and the rows are rendered while
    the workbook is saved, a chunk at a time: a national table never exists as Python rows or as one block of XML.
    `bold` marks rows (a boolean array) instead of `bold_rows`; there is no fill rule.
    """
    formats = formats or {}
    last = write_table(ws, header_row, headers, [], widths, formats, wrap_columns=wrap_columns)
    if frame.empty:
        return last
    bold = np.zeros(len(frame), dtype=bool) if bold is None else np.asarray(bold, dtype=bool)
    columns = [_FrameColumn.of(get_column_letter(c + 1), frame.iloc[:, c], widths[c], formats.get(c),
                               S.WRAP if c in wrap_columns else TOP) for c in range(len(headers))]
    # Style ids are numbered as they are first used: register them in the order `write_table` meets them, cell by
    # cell along the rows, so both writers give the same bytes.
    firsts = []
    for c, column in enumerate(columns):
        keys, rows = np.unique(column.codes * 2 + bold, return_index=True)
        firsts += [(int(r), c, int(k)) for k, r in zip(keys, rows, strict=True)]
    styles, render = _Styles(ws), CellXml()
    for _, c, key in sorted(firsts):
        columns[c].render(key // 2, bool(key % 2), styles, render)
    first = header_row + 1
    stream_rows(ws, RowBlock(first, first + len(frame) - 1, len(headers), _frame_chunks(columns, bold, first)))
    r = first + len(frame) - 1
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(headers))}{r}"
    return r


@dataclass(frozen=True)
class _FrameColumn:
    """One column as `write_table` would write its cells: per distinct value (the last one stands for a blank) how it
    is written and the wrapped lines it needs, per row the index of its value, and once rendered, each value's XML
    after `<c r="A5` in a normal (`bodies[0]`) and a bold (`bodies[1]`) font."""

    letter: str
    codes: np.ndarray
    values: list[object]
    looks: list[tuple[Alignment, str | None, bool]]  # alignment, number format, quote prefix
    lines: np.ndarray
    bodies: tuple[np.ndarray, np.ndarray]

    @classmethod
    def of(cls, letter: str, values: pd.Series, width: float, number_format: str | None, aligned: Alignment
           ) -> _FrameColumn:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)  # each distinct value handled once; -1 is blank
        cleaned = [_clean(v) for v in [*uniques, None]]
        looks, lines = [], []
        for value in cleaned:
            alignment, quote, n = aligned, False, 1
            if isinstance(value, str):
                if len(value) > width or "\n" in value:
                    alignment, n = S.WRAP, text_lines(value, width)
                quote = value.startswith(FORMULA_PREFIXES)
            fmt = "dd/mm/yyyy hh:mm" if isinstance(value, datetime) else "dd/mm/yyyy" if isinstance(value, date) \
                else number_format
            looks.append((alignment, fmt, quote))
            lines.append(n)
        blank = np.int64(len(uniques))
        empty = (np.full(len(cleaned), "", dtype=object), np.full(len(cleaned), "", dtype=object))
        return cls(letter, np.where(codes < 0, blank, codes).astype(np.int64), cleaned, looks,
                   np.array(lines, dtype=np.int64), empty)

    def render(self, index: int, bold: bool, styles: _Styles, render: CellXml) -> None:
        alignment, fmt, quote = self.looks[index]
        style = styles.id(S.BOLD if bold else S.NORMAL, None, alignment, fmt, quote)
        self.bodies[bold][index] = '"' + render.body(self.values[index], style)


def _frame_chunks(columns: list[_FrameColumn], bold: np.ndarray, first: int) -> Iterator[bytes]:
    """Rows as one join of pieces per chunk: `<row r="n"[ ht]>`, then per cell `<c r="A`, n, body; `</row>`."""
    width = len(columns)
    for start in range(0, len(bold), CHUNK_ROWS):
        end = min(start + CHUNK_ROWS, len(bold))
        numbers = np.arange(first + start, first + end).astype(str).astype(object)
        lines = np.max([c.lines[c.codes[start:end]] for c in columns], axis=0)
        heights = np.array([f' ht="{row_height(int(n)):g}" customHeight="1"' if n > 1 else "" for n in lines],
                           dtype=object)
        pieces = np.empty((end - start, 3 * width + 4), dtype=object)
        pieces[:, 0], pieces[:, 1], pieces[:, 2], pieces[:, -1] = '<row r="', numbers, '"' + heights + '>', "</row>"
        strong = bold[start:end]
        for c, column in enumerate(columns):
            at = 3 + 3 * c
            codes = column.codes[start:end]
            pieces[:, at], pieces[:, at + 1] = f'<c r="{column.letter}', numbers
            pieces[:, at + 2] = np.where(strong, column.bodies[1][codes], column.bodies[0][codes])
        yield "".join(pieces.ravel().tolist()).encode()
