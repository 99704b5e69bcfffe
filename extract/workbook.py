"""Read a unit's submission workbook into long-format cells, tolerant of how offices edit it.

Sheets and headers are found by folded name (diacritics, case and spacing do not matter), rows
by their code column, so reordered, inserted or blank rows and extra sheets do no harm. Every
value keeps its sheet and A1 cell so a problem can be reported where the clerk will look.

Nothing is guessed: a visible sheet is read before a hidden one of the same folded name, and two
equally visible ones are an error; a cell whose value cannot be known (a formula saved without its
result, an error value such as #DIV/0!) is an error naming its formula, never a blank.
"""

from __future__ import annotations

import io
from contextlib import nullcontext
from pathlib import Path
from typing import cast

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from core import layout as L
from core.catalogue import Catalogue, Kind
from core.config import Limits
from core.records import CellRecord, Finding, Submission
from core.text import fold, nfc
from extract.numbers import cell_text, parse_number, text_and_number
from extract.safety import CFB_MAGIC, Package, inspect_file
from extract.sheet_scan import MAX_COLUMN, MAX_SHEET, Unknown

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


_VISIBLE = "đang hiển thị"
_HIDDEN = "đang ẩn"
_KIND_CHOICES = " hoặc ".join(f"«{label}»" for label in L.TEXT_KINDS.values())


def read_submission(path: Path, file_id: str, *, unit_code: str, year: int, catalogue: Catalogue,
                    max_rows: int = 5000, package: Package | None = None) -> Submission:
    """Read one workbook. Raises UnreadableWorkbook when its structure is not our template.

    `package` is the checked copy of the file's content (see `inspect_file`): it is read instead of
    `path`, and each sheet's XML is looked at (`extract.sheet_scan`) before calamine parses it. Without
    it, an .xlsx is inspected here first (rejections raise `Rejected`): nothing is parsed unchecked.
    Problems that still let the rest of the file be read are in `Submission.findings`.
    """
    if package is None and not _is_ole2(path):
        _, checked = inspect_file(path, Limits(max_rows=max_rows))
        with checked or nullcontext():
            return read_submission(path, file_id, unit_code=unit_code, year=year, catalogue=catalogue,
                                   max_rows=max_rows, package=checked)
    reader = _WorkbookReader(path, file_id, max_rows, package)
    sub = Submission(file_id)
    reader.info(sub, {"MA_DON_VI": unit_code, "NAM_BAO_CAO": str(year)})
    reader.targets(sub, catalogue)
    reader.activities(sub)
    reader.tasks(sub)
    reader.texts(sub)
    sub.findings[:0] = reader.notes
    return sub


def _is_ole2(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(len(CFB_MAGIC)) == CFB_MAGIC


class _WorkbookReader:
    """One workbook's sheets, found by folded name and parsed only when asked for."""

    def __init__(self, path: Path, file_id: str, max_rows: int, package: Package | None):
        self.path, self.file_id, self.max_rows, self.package = path, file_id, max_rows, package
        self.notes: list[Finding] = []  # warnings about the sheets chosen
        try:
            if package is None:
                self.wb = CalamineWorkbook.from_path(str(path))
            elif isinstance(package.source, bytes):
                self.wb = CalamineWorkbook.from_filelike(io.BytesIO(package.source))
            else:
                self.wb = CalamineWorkbook.from_path(package.source)
            sheets = self.wb.sheets_metadata
        except Exception as exc:  # calamine raises several private error types for corrupt files
            raise self._unreadable(exc) from exc
        self.names = [m.name for m in sheets]
        self.by_folded: dict[str, list[tuple[str, bool]]] = {}  # folded name → (name, visible), workbook order
        for m in sheets:
            self.by_folded.setdefault(fold(m.name), []).append((m.name, m.visible == SheetVisibleEnum.Visible))
        self._xls_errors: dict[str, dict[str, Unknown]] | None = None

    def _unreadable(self, exc: Exception, sheet: str = "") -> UnreadableWorkbook:
        where = f"Trang «{sheet}» bị hỏng" if sheet else "Tệp bị hỏng hoặc không phải bảng tính Excel"
        return _fatal(self.file_id, sheet, "", self.path.suffix, "Tệp Excel (.xlsx) đọc được",
                      f"{where} ({type(exc).__name__}). "
                      "Hãy mở lại tệp bằng Excel, lưu dạng .xlsx theo biểu mẫu và nộp lại.")

    def choose(self, title: str) -> str | None:
        """The sheet read for `title`: the one visible sheet of that folded name, else the one hidden sheet.

        Other sheets of the same folded name are named in a warning; two equally visible ones are an error.
        """
        found = self.by_folded.get(fold(title), [])
        if not found:
            return None
        best = [name for name, visible in found if visible] or [name for name, _ in found]
        state = {name: _VISIBLE if visible else _HIDDEN for name, visible in found}
        if len(best) > 1:
            names = " và ".join(f"«{n}» ({state[n]})" for n in best)
            raise _fatal(self.file_id, best[1], "", ", ".join(best), f"Một trang «{title}» duy nhất",
                         f"Tệp có {len(best)} trang cùng là «{title}»: {names}, nên không biết số liệu nằm ở trang "
                         "nào. Hãy xóa (hoặc đổi tên) trang thừa, chỉ giữ một trang đúng tên rồi nộp lại.")
        chosen = best[0]
        others = [n for n, _ in found if n != chosen]
        if others:
            names = ", ".join(f"«{n}» ({state[n]})" for n in others)
            self.notes.append(Finding(self.file_id, "warning", "sheet_choice", chosen, "", names,
                                      f"Chỉ một trang «{title}»",
                                      f"Số liệu được đọc từ trang «{chosen}» ({state[chosen]}); trang {names} trùng "
                                      "tên nên không được đọc. Hãy xóa trang thừa để tránh nhầm lẫn khi nộp lần sau."))
        elif state[chosen] == _HIDDEN:
            self.notes.append(Finding(self.file_id, "warning", "sheet_choice", chosen, "", _HIDDEN,
                                      f"Trang «{title}» đang hiển thị",
                                      f"Trang «{chosen}» đang bị ẩn; số liệu vẫn được đọc từ trang này. Hãy bỏ ẩn "
                                      "trang và kiểm tra lại số liệu trước khi nộp lần sau."))
        return chosen

    def rows(self, title: str, required: bool = True) -> tuple[str, list[list[object]]]:
        """(the sheet's name, its rows as values, A1 at [0][0]); a cell whose value is not known holds an `Unknown`."""
        name = self.choose(title)
        if name is None and not required:
            return title, []
        if name is None:
            raise _fatal(self.file_id, title, "", ", ".join(self.names), f"Có trang tính «{title}»",
                         f"Không tìm thấy trang «{title}». Hãy dùng đúng biểu mẫu, không đổi tên trang tính.")
        unknown = self._before_parsing(name)
        try:  # a sheet is parsed only now, so a broken one (bad XML, unknown encoding) surfaces here
            sheet = self.wb.get_sheet_by_name(name)
        except Exception as exc:
            raise self._unreadable(exc, name) from exc
        if sheet.height > self.max_rows:
            raise _fatal(self.file_id, name, f"A{sheet.height}", f"{sheet.height} dòng", f"Không quá {self.max_rows} dòng",
                         f"Trang «{name}» có quá nhiều dòng. Hãy xóa các dòng thừa và dùng đúng biểu mẫu.")
        rows = cast(list[list[object]], sheet.to_python(skip_empty_area=False))
        if unknown is None:
            unknown = self._xls_unknown(name)
        for ref, why in unknown.items():
            r, c = _rowcol(ref)
            if r < len(rows):
                rows[r].extend([None] * (c + 1 - len(rows[r])))
                rows[r][c] = why
        return name, rows

    def _before_parsing(self, name: str) -> dict[str, Unknown] | None:
        """The cells of `name` whose value is not known (None for .xls); a sheet reaching too far is refused
        before calamine allocates its whole rectangle."""
        if self.package is None:
            return None
        scan = self.package.scan(name, self.max_rows)
        if scan is None:
            raise self._unreadable(KeyError(name), name)
        if scan.size > MAX_SHEET:
            raise _fatal(self.file_id, name, "", f"{scan.size / 1048576:.0f} MB",
                         f"Trang tính không quá {MAX_SHEET >> 20} MB",
                         f"Trang «{name}» quá lớn ({scan.size / 1048576:.0f} MB dữ liệu), gấp nhiều lần một biểu mẫu đã "
                         "điền đầy đủ. Hãy xóa nội dung thừa (dữ liệu dán vào, văn bản quá dài) rồi nộp lại.")
        if scan.far is not None:
            last = get_column_letter(MAX_COLUMN)
            raise _fatal(self.file_id, name, scan.far, f"ô {scan.far}", f"Dữ liệu trong vùng A1:{last}{self.max_rows}",
                         f"Trang «{name}» có dữ liệu ở ô {scan.far}, quá xa bảng của biểu mẫu (tối đa {self.max_rows} "
                         f"dòng, tới cột {last}). Hãy xóa các ô thừa ngoài bảng rồi nộp lại.")
        return scan.unknown

    def _xls_unknown(self, name: str) -> dict[str, Unknown]:
        """Error values in a legacy .xls sheet, which calamine shows blank (its formulas always keep a result)."""
        if self._xls_errors is None:
            import xlrd  # type: ignore[import-untyped]  # only legacy files need it

            try:
                book = xlrd.open_workbook(str(self.path), on_demand=True)
            except Exception as exc:
                raise self._unreadable(exc) from exc
            self._xls_errors = {}
            for sheet_name in book.sheet_names():
                sheet = book.sheet_by_name(sheet_name)
                self._xls_errors[sheet_name] = {
                    _ref(r, c): Unknown("", xlrd.error_text_from_code.get(sheet.cell_value(r, c), "#N/A"))
                    for r in range(sheet.nrows) for c in range(sheet.ncols)
                    if sheet.cell_type(r, c) == xlrd.XL_CELL_ERROR}
        return self._xls_errors.get(name, {})

    def unknown(self, sub: Submission, sheet: str, ref: str, why: Unknown, what: str) -> None:
        """Report a cell whose value cannot be known, naming the formula; it is not read as blank."""
        sub.findings.append(unknown_finding(self.file_id, sheet, ref, why, what))

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
            key = _INFO_KEYS.get(fold(row[0])) if row and not isinstance(row[0], Unknown) else None
            if key is None:
                continue
            value = row[1] if len(row) > 1 else None
            if isinstance(value, Unknown):
                sub.meta[key] = None
                if key in fields:
                    self.unknown(sub, name, _ref(r, 1), value, f"«{row[0]}»")
                continue
            raw = cell_text(value)
            sub.meta[key] = raw
            if key == "KE_HOACH" and raw:  # the unit's plan (number, date): kept with the free texts
                sub.texts.append({"file_id": self.file_id, "kind": L.PLAN_TEXT, "cell": _ref(r, 1), "text": nfc(raw)})
            if key in fields:
                sub.cells.append(CellRecord(file_id=self.file_id, sheet=name, cell=_ref(r, 1), item_code=key,
                                  field=fields[key], raw=raw,
                                  value=parse_number(value) if key == "NAM_BAO_CAO" else None,
                                  required=True, expected=expected[key]))
        for key, fld in fields.items():
            if key not in sub.meta:  # the label row itself was deleted: report it against column B
                sub.cells.append(CellRecord(file_id=self.file_id, sheet=name, cell="B", item_code=key,
                                  field=fld, raw=None, value=None, required=True,
                                  expected=expected[key]))
                sub.meta[key] = None

    def code(self, sub: Submission, sheet: str, row: list, r: int, c: int) -> str | None:
        value = row[c] if c < len(row) else None
        if isinstance(value, Unknown):
            self.unknown(sub, sheet, _ref(r, c), value, "mã")
            return None
        text = cell_text(value)
        return text.upper() if text else None

    def targets(self, sub: Submission, catalogue: Catalogue) -> None:
        """Ratios as numerator and denominator cells; yes/no as 1 or 0 (anything else: unreadable)."""
        name, rows = self.rows(L.SHEET_TARGETS)
        hrow, cols = self.header(name, rows, _TARGET_WANTED, L.TARGET_HEADERS,
                                 [L.TARGET_HEADERS[i] for i in (1, 3, 4, 5)], "chỉ tiêu")
        c_code, c_num, c_den, c_yn = (cols[h] for h in (_T_CODE, _T_NUM, _T_DEN, _T_YN))
        cells, fid = sub.cells, self.file_id
        for r in range(hrow + 1, len(rows)):
            row = rows[r]
            code = self.code(sub, name, row, r, c_code)
            if not code:
                continue
            item = catalogue.get(code)
            if item is not None and item.kind is Kind.YES_NO:
                answer = _at(row, c_yn)
                if isinstance(answer, Unknown):
                    self.unknown(sub, name, _ref(r, c_yn), answer, f"câu trả lời Có/Không của chỉ tiêu {code}")
                    continue
                raw = cell_text(answer)
                word = fold(raw)
                value = 1.0 if word in YES_WORDS else 0.0 if word in NO_WORDS else None
                cells.append(CellRecord(file_id=fid, sheet=name, cell=_ref(r, c_yn), item_code=code,
                              field="yes_no", raw=raw, value=value, required=False, expected=None))
                continue
            known = True
            for field, col in (("numerator", c_num), ("denominator", c_den)):
                cell = _at(row, col)
                if isinstance(cell, Unknown):
                    known = False
                    self.unknown(sub, name, _ref(r, col), cell, f"{_FIELD_WORDS[field]} của chỉ tiêu {code}")
                    continue
                raw, number = text_and_number(cell)
                cells.append(CellRecord(file_id=fid, sheet=name, cell=_ref(r, col), item_code=code, field=field,
                              raw=raw, value=number, required=False, expected=None))
            if not known:
                continue  # the ratio of a half not known is not checked: the cell's own error says it all
            num, den = cells[-2], cells[-1]
            if num["raw"] is not None or den["raw"] is not None:
                sub.ratios.append({"file_id": fid, "sheet": name, "item_code": code, "numerator": num["value"],
                                   "denominator": den["value"], "numerator_cell": num["cell"],
                                   "denominator_cell": den["cell"]})

    def activities(self, sub: Submission) -> None:
        name, rows = self.rows(L.SHEET_ACTIVITIES)
        hrow, cols = self.header(name, rows, _ACTIVITY_WANTED, L.ACTIVITY_HEADERS,
                                 [L.ACTIVITY_HEADERS[1], L.ACTIVITY_HEADERS[4]], "hoạt động")
        c_code, c_qty = cols[_A_CODE], cols[_A_QTY]
        for r in range(hrow + 1, len(rows)):
            row = rows[r]
            code = self.code(sub, name, row, r, c_code)
            if not code:
                continue
            value = _at(row, c_qty)
            if isinstance(value, Unknown):
                self.unknown(sub, name, _ref(r, c_qty), value, f"số lượng của hoạt động {code}")
                continue
            raw, number = text_and_number(value)
            sub.cells.append(CellRecord(file_id=self.file_id, sheet=name, cell=_ref(r, c_qty),
                              item_code=code, field="count", raw=raw, value=number,
                              required=False, expected=None))

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
            sub.cells.append(CellRecord(file_id=self.file_id, sheet=name, cell=cell, item_code=code,
                              field="task_status", raw=raw, value=status, required=False,
                              expected=None))
            if status is not None:
                note = cell_text(_at(row, c_note)) if c_note is not None else None
                sub.tasks.append({"task_code": code, "status": status, "note": nfc(note) if note else None,
                                  "sheet": name, "cell": cell})

    def texts(self, sub: Submission) -> None:
        """Difficulties and proposals, word for word; the sheet is optional. Each text's type is read strictly:
        one of the two types, or an error at its «Loại» cell (never filed as a difficulty by default)."""
        name, rows = self.rows(L.SHEET_TEXT, required=False)
        if not rows:
            return
        hrow, cols = _find_header(rows, _TEXT_WANTED)
        c_kind, c_text = cols.get(_X_KIND, 1), cols.get(_X_TEXT, 2)
        for r in range(max(hrow, 0) + 1, len(rows)):
            row = rows[r]
            text, kind_cell = _at(row, c_text), _at(row, c_kind)
            if isinstance(text, Unknown):
                self.unknown(sub, name, _ref(r, c_text), text, "nội dung")
                continue
            if cell_text(text) is None:
                continue
            if isinstance(kind_cell, Unknown):
                self.unknown(sub, name, _ref(r, c_kind), kind_cell, "loại (khó khăn hay kiến nghị)")
                continue
            kind = _TEXT_KINDS.get(fold(kind_cell))
            if kind is None:
                sub.findings.append(text_kind_finding(self.file_id, name, _ref(r, c_kind), cell_text(kind_cell)))
                continue
            sub.texts.append({"file_id": self.file_id, "kind": kind, "cell": _ref(r, c_text),
                              "text": nfc(str(text).strip())})


_FIELD_WORDS = {"numerator": "tử số", "denominator": "mẫu số"}


def unknown_finding(file_id: str, sheet: str, ref: str, why: Unknown, what: str) -> Finding:
    """The error for a cell whose value cannot be known: where, which formula, and how to get a value into it."""
    shared = f" (dùng chung công thức của ô {why.origin})" if why.origin else ""
    if why.error:
        found = f"{why.formula} → {why.error}" if why.formula else why.error
        cause = (f"Công thức «{why.formula}»{shared} ở ô {ref} cho kết quả lỗi {why.error}" if why.formula
                 else f"Ô {ref} chứa giá trị lỗi {why.error}")
        return Finding(file_id, "error", "cell_error", sheet, ref, found, f"Ô có giá trị đọc được ({what})",
                       f"{cause}, nên không biết được {what}. Hãy sửa công thức hoặc gõ thẳng con số vào ô, lưu lại "
                       "rồi nộp lại tệp.")
    return Finding(file_id, "error", "formula_no_value", sheet, ref, why.formula or "(công thức)",
                   f"Ô có giá trị đã tính ({what})",
                   f"Ô {ref} chứa công thức «{why.formula}»{shared} nhưng tệp không lưu kết quả tính, nên không biết "
                   f"được {what}. Hãy mở tệp bằng Excel hoặc LibreOffice để công thức được tính, lưu lại rồi nộp; "
                   "hoặc gõ thẳng con số vào ô.")


def text_kind_finding(file_id: str, sheet: str, ref: str, found: str | None) -> Finding:
    """The error for a text row whose type is not one of the two."""
    state = f"đang ghi «{found}»" if found else "đang để trống"
    return Finding(file_id, "error", "text_kind", sheet, ref, found or "", _KIND_CHOICES,
                   f"Dòng này có nội dung nhưng ô «Loại» ({ref}) {state}, nên không biết đó là khó khăn hay kiến "
                   f"nghị. Hãy chọn một trong hai loại {_KIND_CHOICES} rồi nộp lại.")


def submission_facts(sub: Submission) -> list[dict]:
    """Numerator/denominator rows for the warehouse: ratio as read, yes/no as 1/1 or 0/1, count as n.

    Blank rows produce nothing (missing is not zero).
    """
    by_item: dict[str, dict] = {}
    for c in sub.cells:  # attributes, not c["…"]: a national intake reads 1.2 million cells here
        field, value = c.field, c.value
        if field in ("unit_code", "year", "task_status") or value is None:  # a task's status is no figure
            continue
        entry = by_item.get(c.item_code)
        if entry is None:
            entry = by_item[c.item_code] = {"indicator_code": c.item_code, "numerator": None, "denominator": None,
                                            "sheet": c.sheet, "cell": c.cell}
        if field == "denominator":
            entry["denominator"] = value
        else:
            entry["numerator"] = value
            entry["cell"] = c.cell
            if field == "yes_no":
                entry["denominator"] = 1.0
    return list(by_item.values())
