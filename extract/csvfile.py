"""Read a submission sent as CSV: one flat table, in whatever encoding Windows produced.

Layout (headers matched by folded name): Mã đơn vị, Năm báo cáo, Mã (indicator or activity
code), Tử số, Mẫu số, Có/Không, Số lượng, and optionally Loại + Nội dung for free text. Cells are
reported as column letter + row number, which is what the clerk sees when opening it in Excel.

No field is dropped unseen. A row wider than the header (an unquoted separator inside a text cuts
it in two) is an error naming what was cut, or a warning when the extra fields are empty. A row
shorter than the header has its missing trailing fields blank, as spreadsheet programs write them;
a value in a column its code does not use (a count typed under «Tử số» because the empty fields
before «Số lượng» were left out) is an error, as is a figure on a row with no code.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl.utils import get_column_letter

from core.catalogue import Catalogue, Kind
from core.layout import TEXT_KINDS
from core.records import CellRecord, Finding, Submission
from core.text import fold, nfc
from extract.numbers import cell_text, parse_number
from extract.workbook import NO_WORDS, YES_WORDS, UnreadableWorkbook, text_kind_finding

SHEET = "CSV"
COLUMNS = {"ma don vi": "unit", "nam bao cao": "year", "ma": "code", "ma chi tieu": "code", "ma hoat dong": "code",
           "tu so": "num", "mau so": "den", "co khong": "yn", "so luong": "qty", "loai": "kind", "noi dung": "text"}
FIGURES = {"num": "Tử số", "den": "Mẫu số", "yn": "Có/Không", "qty": "Số lượng"}  # figure columns, as headed
USED = {Kind.RATIO: {"num", "den"}, Kind.YES_NO: {"yn"}, Kind.COUNT: {"qty"}}


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


def _delimiter(text: str) -> str:
    """The separator that splits the header line into the most known column names.

    Decided from the header alone: a sniffer weighing every row is thrown off by the very rows that do not line up
    (a text with an unquoted separator, a row whose trailing empty fields were left out).
    """
    header = text.split("\n", 1)[0]
    scores = {sep: sum(fold(h) in COLUMNS for h in next(csv.reader([header], delimiter=sep), []))
              for sep in (";", ",", "\t")}
    return max(scores, key=lambda sep: scores[sep])  # ties keep the order above: «;» as Vietnamese Excel writes


def read_csv_submission(path: Path, file_id: str, *, unit_code: str, year: int, catalogue: Catalogue,
                        max_rows: int = 5000) -> Submission:
    text = nfc(decode(path.read_bytes()))
    delimiter = _delimiter(text)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
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
    cols = _Columns(header)
    for key, field, meta_key, expected in (("unit", "unit_code", "MA_DON_VI", unit_code),
                                           ("year", "year", "NAM_BAO_CAO", str(year))):
        values = [(r, cols.get(row, key)) for r, row in enumerate(rows[1:], start=1) if cols.get(row, key)]
        first = values[0] if values else (1, None)
        sub.meta[meta_key] = first[1]
        # The first value is the claim; any row claiming something else is reported too.
        for r, raw in [first, *[(r, v) for r, v in values[1:] if v != first[1]]]:
            sub.cells.append(CellRecord(file_id=file_id, sheet=SHEET, cell=cols.ref(r, key), item_code=meta_key,
                                  field=field, raw=raw, value=parse_number(raw) if field == "year" else None,
                                  required=True, expected=expected))
    _read_rows(sub, catalogue, rows, cols, delimiter)
    return sub


class _Columns:
    """The header's columns by role (`COLUMNS` values), and a row's cells by role."""

    def __init__(self, header: dict[str, int]):
        self.header = header

    def __contains__(self, key: str) -> bool:
        return key in self.header

    def ref(self, r: int, key: str) -> str:
        return f"{get_column_letter(self.header[key] + 1)}{r + 1}"

    def get(self, row: list[str], key: str) -> str | None:
        c = self.header.get(key)
        return cell_text(row[c]) if c is not None and c < len(row) else None


def _read_rows(sub: Submission, catalogue: Catalogue, rows: list[list[str]], cols: _Columns, sep: str) -> None:
    """Texts and figures, row by row; a row whose fields do not line up with the header is reported, not read."""
    kinds = {fold(v): k for k, v in TEXT_KINDS.items()}
    width = len(rows[0]) if rows else 0
    padded: list[int] = []
    for r, row in enumerate(rows[1:], start=1):
        if len(row) > width:
            if any(cell_text(v) for v in row[width:]):
                sub.findings.append(_too_wide(sub.file_id, r, row, width, sep))
                continue  # its fields are shifted: nothing on it is read as if it were in place
            padded.append(r)
        text_value = cols.get(row, "text")
        if text_value:
            kind = kinds.get(fold(cols.get(row, "kind")))
            if kind is None:
                at = cols.ref(r, "kind") if "kind" in cols else cols.ref(r, "text")
                sub.findings.append(text_kind_finding(sub.file_id, SHEET, at, cols.get(row, "kind")))
            else:
                sub.texts.append(dict(file_id=sub.file_id, kind=kind, cell=cols.ref(r, "text"), text=text_value))
        code = (cols.get(row, "code") or "").upper()
        item = catalogue.get(code) if code else None
        misplaced = _misplaced(sub.file_id, r, row, cols, width, code, item.kind if item else None)
        if misplaced:
            sub.findings += misplaced
        elif code:
            _figure_row(sub, catalogue, code, r, row, cols)
    if padded:
        sub.findings.append(_extra_empty(sub.file_id, padded, width))


def _too_wide(file_id: str, r: int, row: list[str], width: int, sep: str) -> Finding:
    """A row with more fields than the header: what was cut, and the usual cause."""
    cut = sep.join(row[width:]).strip()
    sep_name = "Tab" if sep == "\t" else sep
    return Finding(file_id, "error", "csv_row_too_wide", SHEET, f"{get_column_letter(width + 1)}{r + 1}", cut,
                   f"Mỗi dòng có {width} cột như dòng tiêu đề",
                   f"Dòng {r + 1} có {len(row)} ô nhưng dòng tiêu đề chỉ có {width} cột: phần «{cut}» thừa ra ngoài "
                   f"bảng, thường do dấu «{sep_name}» nằm trong nội dung mà không được đặt trong ngoặc kép, nên dòng "
                   f"này không được đọc. Hãy đặt nội dung có dấu «{sep_name}» trong ngoặc kép (\"…\") hoặc bỏ dấu đó, "
                   "rồi nộp lại.")


def _extra_empty(file_id: str, rows: list[int], width: int) -> Finding:
    """Rows ending with empty fields past the header's last column: nothing is lost, but the clerk should know."""
    shown = ", ".join(str(r + 1) for r in rows[:10]) + (f" và {len(rows) - 10} dòng khác" if len(rows) > 10 else "")
    return Finding(file_id, "warning", "csv_row_extra_empty", SHEET, f"{get_column_letter(width + 1)}{rows[0] + 1}",
                   f"{len(rows)} dòng", f"Mỗi dòng có {width} cột như dòng tiêu đề",
                   f"Dòng {shown} có thêm ô trống sau cột cuối của dòng tiêu đề; các ô trống này được bỏ qua, số liệu "
                   "vẫn được đọc. Lần sau hãy bỏ dấu phân cách thừa ở cuối dòng.")


def _misplaced(file_id: str, r: int, row: list[str], cols: _Columns, width: int, code: str,
               kind: Kind | None) -> list[Finding]:
    """Values in figure columns the row's code does not use, which would otherwise be ignored unseen."""
    if code and kind is None:
        return []  # an unknown code is an error of its own; which columns it meant is not known
    used = USED[kind] if kind is not None else set()
    short = f" Dòng này chỉ có {len(row)} ô trong khi dòng tiêu đề có {width} cột." if len(row) < width else ""
    out = []
    for key, label in FIGURES.items():
        value = cols.get(row, key)
        if key not in cols or key in used or value is None:
            continue
        if not code:
            fix = (f"Ô {cols.ref(r, key)} có số liệu «{value}» nhưng dòng {r + 1} không có mã chỉ tiêu/hoạt động, nên "
                   "không biết số liệu này của chỉ tiêu nào. Hãy ghi mã vào cột «Mã» hoặc xoá dòng thừa.")
        else:
            wanted = " và ".join(f"«{FIGURES[k]}»" for k in sorted(used, key=list(FIGURES).index))
            fix = (f"Ô {cols.ref(r, key)} (cột «{label}») có giá trị «{value}» nhưng {code} ghi số liệu ở cột {wanted}, "
                   f"nên giá trị này không được đọc.{short} Hãy chuyển giá trị sang đúng cột (giữ đủ dấu phân cách "
                   "cho các ô trống) rồi nộp lại.")
        out.append(Finding(file_id, "error", "csv_misplaced", SHEET, cols.ref(r, key), value,
                           f"Số liệu ghi đúng cột của mã {code}" if code else "Dòng có số liệu phải có mã", fix))
    return out


def _figure_row(sub: Submission, catalogue: Catalogue, code: str, r: int, row: list[str], cols: _Columns) -> None:
    """One figure row: a yes/no answer, a ratio's two cells, or a count, by the code's kind in the catalogue."""
    file_id = sub.file_id
    item = catalogue.get(code)
    kind = item.kind if item else None
    if kind is Kind.YES_NO and "yn" in cols:
        raw = cols.get(row, "yn")
        word = fold(raw)
        value = 1.0 if word in YES_WORDS else 0.0 if word in NO_WORDS else None
        sub.cells.append(CellRecord(file_id=file_id, sheet=SHEET, cell=cols.ref(r, "yn"), item_code=code, field="yes_no",
                              raw=raw, value=value, required=False, expected=None))
    elif kind is Kind.RATIO or (kind is None and "num" in cols and cols.get(row, "num")):
        num_raw, den_raw = cols.get(row, "num"), cols.get(row, "den")
        for field, raw, key in (("numerator", num_raw, "num"), ("denominator", den_raw, "den")):
            sub.cells.append(CellRecord(file_id=file_id, sheet=SHEET, cell=cols.ref(r, key) if key in cols else f"?{r + 1}",
                                  item_code=code, field=field, raw=raw, value=parse_number(raw), required=False,
                                  expected=None))
        if num_raw is not None or den_raw is not None:
            sub.ratios.append(dict(file_id=file_id, sheet=SHEET, item_code=code, numerator=parse_number(num_raw),
                                   denominator=parse_number(den_raw), numerator_cell=cols.ref(r, "num"),
                                   denominator_cell=cols.ref(r, "den")))
    elif "qty" in cols:
        raw = cols.get(row, "qty")
        sub.cells.append(CellRecord(file_id=file_id, sheet=SHEET, cell=cols.ref(r, "qty"), item_code=code, field="count",
                              raw=raw, value=parse_number(raw), required=False, expected=None))
