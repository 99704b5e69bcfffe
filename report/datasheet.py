"""The "Dữ liệu" sheet's rows: a frame rendered as sheet XML column by column, unstyled (report.xlsx).

A national workbook's long table has ~400,000 rows × 10 columns, millions of cells; rendering them
one Python call per cell took seconds, so each chunk of rows is built with whole-column string
operations and joined once. A blank is an empty `<c r="E5"/>`, which every reader takes as blank.
The rows are rendered while the workbook is saved, a chunk at a time, so they are never all in
memory as text. Text goes in as inline strings (CellXml's escaping), which no
spreadsheet evaluates as a formula, so a name starting with "=" stays text; numbers are written
as Python's shortest round-trip repr. The output depends only on the frame: the same figures give
the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from report.xlsx import CellXml, RowBlock, stream_rows

CHUNK_ROWS = 20000


def _bodies(values: pd.Series, render: CellXml) -> np.ndarray:
    """Each cell of a column after `<c r="A2`: `"><v>1.5</v></c>`, `" t="inlineStr">…` or `"/>` for a blank."""
    if pd.api.types.is_integer_dtype(values):
        return '"><v>' + values.astype(str).to_numpy(dtype=object) + "</v></c>"
    if pd.api.types.is_float_dtype(values):
        numbers = '"><v>' + values.map(repr).to_numpy(dtype=object) + "</v></c>"
        return np.where(np.isfinite(values.to_numpy()), numbers, '"/>')
    codes, uniques = pd.factorize(values)  # each distinct value rendered once; a blank is code -1
    return np.array([*('"' + (render.body(v) or "/>") for v in uniques), '"/>'], dtype=object)[codes]


def _chunks(frame: pd.DataFrame, first_row: int) -> Iterator[bytes]:
    """Rows as one join of pieces per chunk: `<row r="`, n, `">`, then per cell `<c r="A`, n, body, then `</row>`."""
    width = frame.shape[1]
    render = CellXml()
    for start in range(0, len(frame), CHUNK_ROWS):
        chunk = frame.iloc[start:start + CHUNK_ROWS]
        numbers = np.arange(first_row + start, first_row + start + len(chunk)).astype(str).astype(object)
        pieces = np.empty((len(chunk), 3 * width + 4), dtype=object)
        pieces[:, 0], pieces[:, 1], pieces[:, 2], pieces[:, -1] = '<row r="', numbers, '">', "</row>"
        for c, column in enumerate(chunk.columns):
            at = 3 + 3 * c
            pieces[:, at], pieces[:, at + 1] = f'<c r="{get_column_letter(c + 1)}', numbers
            pieces[:, at + 2] = _bodies(chunk[column], render)
        yield "".join(pieces.ravel().tolist()).encode()


def stream_frame(ws: Worksheet, frame: pd.DataFrame, first_row: int) -> None:
    """`frame`'s rows from sheet row `first_row` down, written when the workbook is saved."""
    stream_rows(ws, RowBlock(first_row, first_row + len(frame) - 1, frame.shape[1], _chunks(frame, first_row)))
