"""Read a unit's submission workbook into long-format cells, tolerant of how offices edit it.

Sheets and headers are found by folded name (diacritics, case and spacing do not matter), rows
by their code column, so reordered, inserted or blank rows and extra sheets do no harm. Every
value keeps its sheet and A1 cell so a problem can be reported where the clerk will look.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from python_calamine import CalamineWorkbook

from core import layout as L
from core.catalogue import Catalogue, Kind
from core.records import Finding, Submission
from core.text import fold, nfc
from extract.numbers import cell_text, parse_number, text_and_number

YES_WORDS = {"co", "x", "yes", "dat"}
NO_WORDS = {"khong", "no", "chua"}


class UnreadableWorkbook(Exception):
    """The file cannot be read as a submission at all; carries a Finding for the clerk."""

    def __init__(self, finding: Finding):
        super().__init__(finding.expected)
        self.finding = finding


def _ref(row: int, col: int) -> str:
    return f"{get_column_letter(col + 1)}{row + 1}"


def _rowcol(ref: str) -> tuple[int, int]:
    row, col = coordinate_to_tuple(ref)
    return row - 1, col - 1


def _at(row: list, col: int) -> object:
    return row[col] if 0 <= col < len(row) else None


def _find_header(rows: list[list], wanted: frozenset[str]) -> tuple[int, dict[str, int]]:
    """Locate the header row by its folded labels; return (row index, folded label -> column)."""
    for r, row in enumerate(rows[:30]):
        cols = {f: c for c, v in enumerate(row) if v and (f := fold(v)) in wanted}  # blank, 0, False: no label
        if len(cols) >= len(wanted) - 1:
            return r, cols
    return -1, {}


def _require_columns(file_id: str, sheet: str, hrow: int, cols: dict[str, int], labels: list[str]) -> None:
    """The header row was found by most of its labels; the columns figures are read from must all be there,
    or their values would be read from the wrong column (or none)."""
    missing = [label for label in labels if fold(label) not in cols]
    if missing:
        names = "», «".join(missing)
        raise _fatal(file_id, sheet, f"A{hrow + 1}", "", f"Dòng tiêu đề có cột «{names}»",
                     f"Dòng tiêu đề (dòng {hrow + 1}) không có cột «{names}»: có thể tên cột đã bị sửa. Hãy giữ "
                     "nguyên dòng tiêu đề như biểu mẫu rồi nộp lại.")


# The template's labels, folded once here rather than for every file.
_INFO_KEYS = {fold(label): key for label, key in L.INFO_ROWS if key}
_TARGET_WANTED = frozenset(map(fold, L.TARGET_HEADERS[1:6]))
_T_CODE, _T_NUM, _T_DEN, _T_YN = (fold(L.TARGET_HEADERS[i]) for i in (1, 3, 4, 5))
_A_CODE, _A_QTY = fold(L.ACTIVITY_HEADERS[1]), fold(L.ACTIVITY_HEADERS[4])
_ACTIVITY_WANTED = frozenset((_A_CODE, _A_QTY))
_TEXT_WANTED = frozenset(map(fold, L.TEXT_HEADERS[1:]))
_X_KIND, _X_TEXT = fold("Loại"), fold("Nội dung")
_TEXT_KINDS = {fold(v): k for k, v in L.TEXT_KINDS.items()}
_K_CODE, _K_STATUS, _K_NOTE = (fold(L.TASK_HEADERS[i]) for i in (1, 5, 6))
_TASK_WANTED = frozenset((_K_CODE, _K_STATUS, _K_NOTE))
_TASK_STATUS_WORDS = {fold(v): k for k, v in L.TASK_STATUSES.items()}


def _fatal(file_id: str, sheet: str, cell: str, found: str, expected: str, fix: str) -> UnreadableWorkbook:
    return UnreadableWorkbook(Finding(file_id, "error", "layout", sheet, cell, found, expected, fix))


FORMULA_NO_VALUE = "(công thức chưa có kết quả)"


def read_submission(path: Path, file_id: str, *, unit_code: str, year: int, catalogue: Catalogue,
                    max_rows: int = 5000, hidden_formulas: dict[str, set[str]] | None = None,
                    package: bytes | None = None) -> Submission:
    """Read one workbook. Raises UnreadableWorkbook when its structure is not our template.

    `hidden_formulas` lists formula cells saved without a result: calamine shows them blank,
    but they are not blank, so they are reported as unreadable rather than read as missing.
    `package`, when given, is the checked copy of the file's content (see `inspect_file`) and is
    read instead of `path`.
    """
    reader = _WorkbookReader(path, file_id, max_rows, hidden_formulas or {}, package)
    sub = Submission(file_id)
    reader.info(sub, {"MA_DON_VI": unit_code, "NAM_BAO_CAO": str(year)})
    reader.targets(sub, catalogue)
    reader.activities(sub)
    reader.tasks(sub)
    reader.texts(sub)
    return sub


class _WorkbookReader:
    """One workbook's sheets, found by folded name and parsed only when asked for."""

    def __init__(self, path: Path, file_id: str, max_rows: int, hidden_formulas: dict[str, set[str]],
                 package: bytes | None):
        self.path, self.file_id, self.max_rows, self.hidden_formulas = path, file_id, max_rows, hidden_formulas
        try:
            self.wb = (CalamineWorkbook.from_filelike(io.BytesIO(package)) if package is not None
                       else CalamineWorkbook.from_path(str(path)))
        except Exception as exc:  # calamine raises several private error types for corrupt files
            raise self._unreadable(exc) from exc
        self.names = list(self.wb.sheet_names)
        self.by_folded: dict[str, str] = {}
        for n in self.names:
            self.by_folded.setdefault(fold(n), n)  # the first sheet of a folded name, as the clerk sees them

    def _unreadable(self, exc: Exception, sheet: str = "") -> UnreadableWorkbook:
        where = f"Trang «{sheet}» bị hỏng" if sheet else "Tệp bị hỏng hoặc không phải bảng tính Excel"
        return _fatal(self.file_id, sheet, "", self.path.suffix, "Tệp Excel (.xlsx) đọc được",
                      f"{where} ({type(exc).__name__}). "
                      "Hãy mở lại tệp bằng Excel, lưu dạng .xlsx theo biểu mẫu và nộp lại.")

    def rows(self, title: str, required: bool = True) -> tuple[str, list[list]]:
        """(the sheet's name, its rows as values, A1 at [0][0]); a formula without a result shows as such."""
        name = self.by_folded.get(fold(title))
        if name is None and not required:
            return title, []
        if name is None:
            raise _fatal(self.file_id, title, "", ", ".join(self.names), f"Có trang tính «{title}»",
                         f"Không tìm thấy trang «{title}». Hãy dùng đúng biểu mẫu, không đổi tên trang tính.")
        try:  # a sheet is parsed only now, so a broken one (bad XML, unknown encoding) surfaces here
            sheet = self.wb.get_sheet_by_name(name)
        except Exception as exc:
            raise self._unreadable(exc, name) from exc
        if sheet.height > self.max_rows:
            raise _fatal(self.file_id, name, f"A{sheet.height}", f"{sheet.height} dòng",
                         f"Không quá {self.max_rows} dòng",
                         f"Trang «{name}» có quá nhiều dòng. Hãy xóa các dòng thừa và dùng đúng biểu mẫu.")
        rows = sheet.to_python(skip_empty_area=False)
        for ref in self.hidden_formulas.get(name, ()):
            r, c = _rowcol(ref)
            if r < len(rows) and c < len(rows[r]) and cell_text(rows[r][c]) is None:
                rows[r][c] = FORMULA_NO_VALUE
        return name, rows

    def header(self, title: str, rows: list[list], wanted: frozenset[str], headers: list[str],
               required: list[str], what: str) -> tuple[int, dict[str, int]]:
        hrow, cols = _find_header(rows, wanted)
        if hrow < 0:
            raise _fatal(self.file_id, title, f"A{L.HEADER_ROW}", "", "Dòng tiêu đề: " + ", ".join(headers),
                         f"Không tìm thấy dòng tiêu đề của bảng {what}. Hãy dùng đúng biểu mẫu.")
        _require_columns(self.file_id, title, hrow, cols, required)
        return hrow, cols

    def info(self, sub: Submission, expected: dict[str, str]) -> None:
        """The identity block: the unit code and year the file claims, checked against where it was dropped."""
        name, info = self.rows(L.SHEET_INFO)
        fields = {"MA_DON_VI": "unit_code", "NAM_BAO_CAO": "year"}
        for r, row in enumerate(info):
            key = _INFO_KEYS.get(fold(row[0])) if row else None
            if key is None:
                continue
            raw = cell_text(row[1]) if len(row) > 1 else None
            sub.meta[key] = raw
            if key == "KE_HOACH" and raw:  # the unit's plan (number, date): kept with the free texts
                sub.texts.append({"file_id": self.file_id, "kind": L.PLAN_TEXT, "cell": _ref(r, 1), "text": nfc(raw)})
            if key in fields:
                sub.cells.append({"file_id": self.file_id, "sheet": name, "cell": _ref(r, 1), "item_code": key,
                                  "field": fields[key], "raw": raw,
                                  "value": parse_number(row[1]) if key == "NAM_BAO_CAO" and len(row) > 1 else None,
                                  "required": True, "expected": expected[key]})
        for key, fld in fields.items():
            if key not in sub.meta:  # the label row itself was deleted: report it against column B
                sub.cells.append({"file_id": self.file_id, "sheet": name, "cell": "B", "item_code": key,
                                  "field": fld, "raw": None, "value": None, "required": True,
                                  "expected": expected[key]})
                sub.meta[key] = None

    def targets(self, sub: Submission, catalogue: Catalogue) -> None:
        """Ratios as numerator and denominator cells; yes/no as 1 or 0 (anything else: unreadable)."""
        name, rows = self.rows(L.SHEET_TARGETS)
        hrow, cols = self.header(name, rows, _TARGET_WANTED, L.TARGET_HEADERS,
                                 [L.TARGET_HEADERS[i] for i in (1, 3, 4, 5)], "chỉ tiêu")
        c_code, c_num, c_den, c_yn = (cols[h] for h in (_T_CODE, _T_NUM, _T_DEN, _T_YN))
        cells, fid = sub.cells, self.file_id
        for r in range(hrow + 1, len(rows)):
            row = rows[r]
            code = cell_text(row[c_code]) if c_code < len(row) else None
            if not code:
                continue
            code = code.upper()
            item = catalogue.get(code)
            if item is not None and item.kind is Kind.YES_NO:
                raw = cell_text(_at(row, c_yn))
                word = fold(raw)
                value = 1.0 if word in YES_WORDS else 0.0 if word in NO_WORDS else None
                cells.append({"file_id": fid, "sheet": name, "cell": _ref(r, c_yn), "item_code": code,
                              "field": "yes_no", "raw": raw, "value": value, "required": False, "expected": None})
                continue
            num_raw, num = text_and_number(_at(row, c_num))
            den_raw, den = text_and_number(_at(row, c_den))
            num_cell, den_cell = _ref(r, c_num), _ref(r, c_den)
            cells.append({"file_id": fid, "sheet": name, "cell": num_cell, "item_code": code, "field": "numerator",
                          "raw": num_raw, "value": num, "required": False, "expected": None})
            cells.append({"file_id": fid, "sheet": name, "cell": den_cell, "item_code": code,
                          "field": "denominator", "raw": den_raw, "value": den, "required": False, "expected": None})
            if num_raw is not None or den_raw is not None:
                sub.ratios.append({"file_id": fid, "sheet": name, "item_code": code, "numerator": num,
                                   "denominator": den, "numerator_cell": num_cell, "denominator_cell": den_cell})

    def activities(self, sub: Submission) -> None:
        name, rows = self.rows(L.SHEET_ACTIVITIES)
        hrow, cols = self.header(name, rows, _ACTIVITY_WANTED, L.ACTIVITY_HEADERS,
                                 [L.ACTIVITY_HEADERS[1], L.ACTIVITY_HEADERS[4]], "hoạt động")
        c_code, c_qty = cols[_A_CODE], cols[_A_QTY]
        for r in range(hrow + 1, len(rows)):
            row = rows[r]
            code = cell_text(row[c_code]) if c_code < len(row) else None
            if not code:
                continue
            raw, value = text_and_number(_at(row, c_qty))
            sub.cells.append({"file_id": self.file_id, "sheet": name, "cell": _ref(r, c_qty),
                              "item_code": code.upper(), "field": "count", "raw": raw, "value": value,
                              "required": False, "expected": None})

    def tasks(self, sub: Submission) -> None:
        """The status of each task of the plan the unit leads (the sheet exists only in such a unit's template):
        a cell `task_status` holding the status's number, or nothing readable (an error for a filled cell)."""
        name, rows = self.rows(L.SHEET_TASKS, required=False)
        if not rows:
            return
        hrow, cols = self.header(name, rows, _TASK_WANTED, L.TASK_HEADERS, [L.TASK_HEADERS[1], L.TASK_HEADERS[5]],
                                 "nhiệm vụ")
        c_code, c_status, c_note = cols[_K_CODE], cols[_K_STATUS], cols.get(_K_NOTE)
        for r in range(hrow + 1, len(rows)):
            row = rows[r]
            code = cell_text(_at(row, c_code))
            if not code:
                continue
            raw = cell_text(_at(row, c_status))
            status = _TASK_STATUS_WORDS.get(fold(raw)) if raw is not None else None
            cell = _ref(r, c_status)
            sub.cells.append({"file_id": self.file_id, "sheet": name, "cell": cell, "item_code": code,
                              "field": "task_status", "raw": raw, "value": status, "required": False,
                              "expected": None})
            if status is not None:
                note = cell_text(_at(row, c_note)) if c_note is not None else None
                sub.tasks.append({"task_code": code, "status": status, "note": nfc(note) if note else None,
                                  "sheet": name, "cell": cell})

    def texts(self, sub: Submission) -> None:
        """Difficulties and proposals, word for word; the sheet is optional."""
        _, rows = self.rows(L.SHEET_TEXT, required=False)
        if not rows:
            return
        hrow, cols = _find_header(rows, _TEXT_WANTED)
        c_kind, c_text = cols.get(_X_KIND, 1), cols.get(_X_TEXT, 2)
        for r in range(max(hrow, 0) + 1, len(rows)):
            row = rows[r]
            text = row[c_text] if c_text < len(row) else None
            if cell_text(text) is None:
                continue
            kind_word = fold(row[c_kind]) if c_kind < len(row) else ""
            kind = _TEXT_KINDS.get(kind_word) or ("kien_nghi" if kind_word.startswith("kien nghi") else "kho_khan")
            sub.texts.append({"file_id": self.file_id, "kind": kind, "cell": _ref(r, c_text),
                              "text": nfc(str(text).strip())})


def submission_facts(sub: Submission) -> list[dict]:
    """Numerator/denominator rows for the warehouse: ratio as read, yes/no as 1/1 or 0/1, count as n.

    Blank rows produce nothing (missing is not zero).
    """
    by_item: dict[str, dict] = {}
    for c in sub.cells:
        if c["field"] in ("unit_code", "year", "task_status") or c["value"] is None:  # a task's status is no figure
            continue
        entry = by_item.setdefault(c["item_code"], {"indicator_code": c["item_code"], "numerator": None,
                                                     "denominator": None, "sheet": c["sheet"], "cell": c["cell"]})
        if c["field"] == "denominator":
            entry["denominator"] = c["value"]
        else:
            entry["numerator"] = c["value"]
            entry["cell"] = c["cell"]
            if c["field"] == "yes_no":
                entry["denominator"] = 1.0
    return list(by_item.values())
