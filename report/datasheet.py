"""The "Dữ liệu" sheet's rows: a frame rendered as sheet XML column by column, unstyled (dvctt.xlsx).

A national workbook's long table has ~400,000 rows × 10 columns, millions of cells; rendering them
one Python call per cell took seconds, so each chunk of rows is built with whole-column string
operations instead. The rows are rendered while the workbook is saved, a chunk at a time, so they
are never all in memory as text. Text goes in as inline strings (CellXml's escaping), which no
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

from dvctt.xlsx import CellXml, RowBlock, stream_rows

CHUNK_ROWS = 20000


def _column(values: pd.Series, ref: np.ndarray, render: CellXml) -> np.ndarray:
    """`<c>` elements of one column ("" for a blank); `ref` holds each row's `<c r="A2"` opening."""
    if pd.api.types.is_integer_dtype(values):
        return ref + ("><v>" + values.astype(str).to_numpy(dtype=object) + "</v></c>")
    if pd.api.types.is_float_dtype(values):
        finite = np.isfinite(values.to_numpy())
        return np.where(finite, ref + ("><v>" + values.map(repr).to_numpy(dtype=object) + "</v></c>"), "")
    codes, uniques = pd.factorize(values)  # each distinct value rendered once; a blank is code -1
    bodies = np.array([*(render.body(v) for v in uniques), ""], dtype=object)[codes]
    return np.where(bodies != "", ref + bodies, "")


def _chunks(frame: pd.DataFrame, first_row: int) -> Iterator[bytes]:
    letters = [get_column_letter(c) for c in range(1, frame.shape[1] + 1)]
    render = CellXml()
    for start in range(0, len(frame), CHUNK_ROWS):
        chunk = frame.iloc[start:start + CHUNK_ROWS]
        numbers = np.arange(first_row + start, first_row + start + len(chunk)).astype(str).astype(object)
        rows = '<row r="' + numbers + '">'
        for letter, column in zip(letters, chunk.columns, strict=True):
            rows = rows + _column(chunk[column], f'<c r="{letter}' + numbers + '"', render)
        yield ("</row>".join(rows) + "</row>").encode()


def stream_frame(ws: Worksheet, frame: pd.DataFrame, first_row: int) -> None:
    """`frame`'s rows from sheet row `first_row` down, written when the workbook is saved."""
    stream_rows(ws, RowBlock(first_row, first_row + len(frame) - 1, frame.shape[1], _chunks(frame, first_row)))
