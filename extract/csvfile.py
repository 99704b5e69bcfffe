"""Read a submission sent as CSV: one flat table, in whatever encoding Windows produced.

Layout (headers matched by folded name): Mã đơn vị, Năm báo cáo, Mã (indicator or activity
code), Tử số, Mẫu số, Có/Không, Số lượng, and optionally Loại + Nội dung for free text. Cells are
reported as column letter + row number, which is what the clerk sees when opening it in Excel.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from openpyxl.utils import get_column_letter

from core.catalogue import Catalogue, Kind
from core.layout import TEXT_KINDS
from core.records import Finding, Submission
from core.text import fold, nfc
from extract.numbers import cell_text, parse_number
from extract.workbook import NO_WORDS, YES_WORDS, UnreadableWorkbook

SHEET = "CSV"
COLUMNS = {"ma don vi": "unit", "nam bao cao": "year", "ma": "code", "ma chi tieu": "code", "ma hoat dong": "code",
           "tu so": "num", "mau so": "den", "co khong": "yn", "so luong": "qty", "loai": "kind", "noi dung": "text"}


def decode(data: bytes) -> str:
    """UTF-8 with or without BOM, UTF-16 (BOM), else the Vietnamese Windows code page."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1258")


def read_csv_submission(path: Path, file_id: str, *, unit_code: str, year: int, catalogue: Catalogue,
                        max_rows: int = 5000) -> Submission:
    text = nfc(decode(path.read_bytes()))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    if len(rows) > max_rows:
        raise UnreadableWorkbook(Finding(file_id, "error", "too_many_rows", SHEET, f"A{len(rows)}", f"{len(rows)} dòng",
                                         f"Không quá {max_rows} dòng", "Tệp có quá nhiều dòng; hãy xóa dòng thừa."))
    header = {COLUMNS[fold(h)]: c for c, h in enumerate(rows[0] if rows else []) if fold(h) in COLUMNS}
    missing = [h for h, key in (("Mã đơn vị", "unit"), ("Năm báo cáo", "year"), ("Mã", "code")) if key not in header]
    if missing:
        raise UnreadableWorkbook(Finding(file_id, "error", "layout", SHEET, "A1", ", ".join(rows[0] if rows else []),
                                         "Dòng tiêu đề có các cột: Mã đơn vị, Năm báo cáo, Mã, Tử số, Mẫu số, "
                                         "Có/Không, Số lượng",
                                         f"Thiếu cột {', '.join(missing)}. Hãy dùng biểu mẫu Excel hoặc đúng mẫu CSV."))
    sub = Submission(file_id)

    def ref(r: int, key: str) -> str:
        return f"{get_column_letter(header[key] + 1)}{r + 1}"

    def get(row: list[str], key: str) -> str | None:
        c = header.get(key)
        return cell_text(row[c]) if c is not None and c < len(row) else None

    for key, field, meta_key, expected in (("unit", "unit_code", "MA_DON_VI", unit_code),
                                           ("year", "year", "NAM_BAO_CAO", str(year))):
        values = [(r, get(row, key)) for r, row in enumerate(rows[1:], start=1) if get(row, key)]
        first = values[0] if values else (1, None)
        sub.meta[meta_key] = first[1]
        # The first value is the claim; any row claiming something else is reported too.
        for r, raw in [first, *[(r, v) for r, v in values[1:] if v != first[1]]]:
            sub.cells.append(dict(file_id=file_id, sheet=SHEET, cell=ref(r, key), item_code=meta_key, field=field,
                                  raw=raw, value=parse_number(raw) if field == "year" else None, required=True,
                                  expected=expected))
    kinds = {fold(v): k for k, v in TEXT_KINDS.items()}
    for r, row in enumerate(rows[1:], start=1):
        text_value = get(row, "text")
        if text_value:
            kind = kinds.get(fold(get(row, "kind")), "kho_khan")
            sub.texts.append(dict(file_id=file_id, kind=kind, cell=ref(r, "text"), text=text_value))
        code = (get(row, "code") or "").upper()
        if code:
            _figure_row(sub, catalogue, code, r, row, header, get, ref)
    return sub


def _figure_row(sub: Submission, catalogue: Catalogue, code: str, r: int, row: list[str], header: dict[str, int],
                get: Callable[[list[str], str], str | None], ref: Callable[[int, str], str]) -> None:
    """One figure row: a yes/no answer, a ratio's two cells, or a count, by the code's kind in the catalogue."""
    file_id = sub.file_id
    item = catalogue.get(code)
    kind = item.kind if item else None
    if kind is Kind.YES_NO and "yn" in header:
        raw = get(row, "yn")
        word = fold(raw)
        value = 1.0 if word in YES_WORDS else 0.0 if word in NO_WORDS else None
        sub.cells.append(dict(file_id=file_id, sheet=SHEET, cell=ref(r, "yn"), item_code=code, field="yes_no",
                              raw=raw, value=value, required=False, expected=None))
    elif kind is Kind.RATIO or (kind is None and "num" in header and get(row, "num")):
        num_raw, den_raw = get(row, "num"), get(row, "den")
        for field, raw, key in (("numerator", num_raw, "num"), ("denominator", den_raw, "den")):
            sub.cells.append(dict(file_id=file_id, sheet=SHEET, cell=ref(r, key) if key in header else f"?{r + 1}",
                                  item_code=code, field=field, raw=raw, value=parse_number(raw), required=False,
                                  expected=None))
        if num_raw is not None or den_raw is not None:
            sub.ratios.append(dict(file_id=file_id, sheet=SHEET, item_code=code, numerator=parse_number(num_raw),
                                   denominator=parse_number(den_raw), numerator_cell=ref(r, "num"),
                                   denominator_cell=ref(r, "den")))
    elif "qty" in header:
        raw = get(row, "qty")
        sub.cells.append(dict(file_id=file_id, sheet=SHEET, cell=ref(r, "qty"), item_code=code, field="count",
                              raw=raw, value=parse_number(raw), required=False, expected=None))
