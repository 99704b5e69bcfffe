"""Read the portal's statistics exports (Form 06a aggregates or one row per dossier).

The provincial one-stop system and the National Public Service Portal export the same facts in
many spellings, so columns are found by folded alias (core/data/portal_columns.yaml), never by
position, and the file's shape is decided by which columns are present:

* **aggregated** (Form 06a style): a unit code plus count columns and a period (Từ ngày/Đến ngày,
  Kỳ, Năm/Tháng, or the "Kỳ báo cáo: từ ngày … đến ngày …" line above the table).
  Small: read whole into a DataFrame of raw cells.
* **dossier**: a unit code plus the reception date, one row per hồ sơ. A province produces
  millions a year, so a CSV is *not* read here: `PortalExport.dossier_relation()` opens it lazily
  as a DuckDB relation of VARCHAR columns that the transform aggregates in SQL, in bounded memory.
  Spreadsheets of dossiers are small enough to go through pandas.

Header rows are located by the unit-code header anywhere in the first 40 rows (title lines above
it are fine), may span up to three rows with merged cells, and an optional row of column numbers
"(1) (2) …" under them is skipped. Row numbers everywhere are the row the clerk sees: the Excel
row, or the physical line of a CSV file (blank lines and quoted values spanning lines included).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import duckdb
import numpy as np
import pandas as pd
import yaml
from python_calamine import CalamineWorkbook

from core.resources import read_text
from core.text import fold

Shape = Literal["aggregated", "dossier"]

COLUMNS_FILE = "portal_columns.yaml"
HEADER_SCAN_ROWS = 40
MAX_HEADER_DEPTH = 3
SNIFF_BYTES = 1 << 20

# Count columns of an aggregated export; any one of them (with a unit code) makes a file "aggregated".
AGGREGATED_COUNTS = (
    "received_total", "received_online", "received_online_full", "received_online_partial", "received_in_person",
    "received_post", "carried_over", "resolved_total", "resolved_early", "resolved_on_time", "resolved_late",
    "pending_within", "pending_overdue",
    "procedures_total", "procedures_full_online", "procedures_partial_online", "procedures_with_dossiers",
    "fee_total", "fee_paid_online", "ratings_total", "ratings_satisfied",
    "ratings_ddxddt_total", "ratings_ddxddt_satisfied", "petitions_total", "petitions_on_time",
)
# Columns that only make sense per dossier; their presence means "dossier" shape.
DOSSIER_COLUMNS = (
    "unit_code", "dossier_code", "field", "procedure_code", "procedure_name", "service_level", "channel", "received_at",
    "due_at", "finished_at", "status", "fee_bearing", "paid_online", "digitised", "online_identified", "rating",
)
AGGREGATED_REQUIRED = ("unit_code", "received_total")
_COUNT_LIKE = frozenset((*AGGREGATED_COUNTS, "digitised", "online_identified"))
_IGNORED_HEADERS = {"stt", "tt", "so tt", "so thu tu", "ghi chu"}
DOSSIER_REQUIRED = ("unit_code", "received_at")

_FILLER = {"trong do", "chia ra", "bao gom", "trong do so", "cu the"}
_COLUMN_NUMBER = re.compile(r"\(\s*[0-9]+(?:\s*[=+\-*/x]\s*\(?\s*[0-9]+\s*\)?)*\s*\)")
_NUMBERING_CELL = re.compile(r"^\(?\s*\d+\s*\)?(\s*[=+\-].*)?$")


class PortalFormatError(ValueError):
    """The file is not a portal export we can read; the message is Vietnamese, for the IT staff."""

    def __init__(self, source: Path, message: str, missing: list[str] | None = None):
        super().__init__(message)
        self.source = source
        self.missing = missing or []


# --------------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column: its display label and folded aliases (plain and "group > column")."""

    name: str
    label: str
    plain: frozenset[str]
    grouped: frozenset[tuple[str, str]]


@dataclass(frozen=True)
class PortalColumns:
    columns: dict[str, ColumnSpec]
    groups: frozenset[str]
    values: dict[str, Any]

    def label(self, name: str) -> str:
        spec = self.columns.get(name)
        return spec.label if spec else name


def header_key(text: object) -> str:
    """Fold a header cell, dropping column numbers like "(3)" or "(2)=(3)+(4)" that forms print."""
    if text is None:
        return ""
    return fold(_COLUMN_NUMBER.sub(" ", str(text)))


@lru_cache(maxsize=4)
def load_portal_columns(name: str = COLUMNS_FILE) -> PortalColumns:
    """Load and expand the alias file; `{group} > Column` expands to every alias of the group."""
    raw = yaml.safe_load(read_text(name))
    groups = {g: [header_key(a) for a in aliases] for g, aliases in raw.get("groups", {}).items()}
    columns: dict[str, ColumnSpec] = {}
    for name, aliases in raw["columns"].items():
        plain: set[str] = set()
        grouped: set[tuple[str, str]] = set()
        for alias in aliases:
            if ">" in alias:
                top, bottom = (part.strip() for part in alias.split(">", 1))
                m = re.fullmatch(r"\{(\w+)\}", top)
                tops = groups[m.group(1)] if m else [header_key(top)]
                grouped.update((t, header_key(bottom)) for t in tops)
            else:
                plain.add(header_key(alias))
        columns[name] = ColumnSpec(name, aliases[0], frozenset(plain), frozenset(grouped))
    all_groups = frozenset(a for aliases in groups.values() for a in aliases)
    return PortalColumns(columns, all_groups, raw.get("values", {}))


def match_header(levels: list[str], config: PortalColumns) -> str | None:
    """The canonical column for a header read top to bottom (folded, filler rows removed)."""
    if not levels:
        return None
    joined = " ".join(levels)
    for spec in config.columns.values():
        if joined in spec.plain:
            return spec.name
        if len(levels) > 1 and any((top, levels[-1]) in spec.grouped for top in levels[:-1]):
            return spec.name
    # A banner over ordinary columns ("THÔNG TIN ĐƠN VỊ" over "Mã đơn vị"): read the bottom cell alone,
    # but never for a count, where an unknown group may change the meaning ("… đất đai …" > "Tổng số").
    if len(levels) > 1 and not any(top in config.groups for top in levels[:-1]):
        return next((s.name for s in config.columns.values()
                     if levels[-1] in s.plain and s.name not in _COUNT_LIKE), None)
    return None


# --------------------------------------------------------------------------------------------------
# The export handle
# --------------------------------------------------------------------------------------------------


@dataclass
class CsvSource:
    """Where and how to stream a dossier CSV: encoding, delimiter, lines before data, column positions."""

    path: Path
    encoding: str
    delimiter: str
    skip: int
    width: int
    positions: dict[str, int]


@dataclass
class PortalExport:
    """One readable export. `rows` holds raw cells (aggregated, or dossiers from a spreadsheet) with a
    `_row` column of the clerk-visible row number; `csv` is set instead for dossier CSVs, read lazily."""

    source: Path
    shape: Shape
    columns: dict[str, str]
    sheet: str | None = None
    rows: pd.DataFrame | None = None
    csv: CsvSource | None = None
    title_period: tuple[date, date] | None = None
    notes: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # header texts of the columns no alias matched
    _utf8: Path | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.source.name

    def has(self, column: str) -> bool:
        return column in self.columns

    @contextmanager
    def streaming(self) -> Iterator[None]:
        """Hold one UTF-8 copy of a non-UTF-8 dossier CSV for several passes (else each transcodes)."""
        if self.csv is None or self._utf8 is not None:
            yield
            return
        with _utf8_copy(self.csv.path, self.csv.encoding) as utf8:
            self._utf8 = utf8
            try:
                yield
            finally:
                self._utf8 = None

    def _utf8_path(self) -> AbstractContextManager[Path]:
        assert self.csv is not None
        return _use(self._utf8) if self._utf8 is not None else _utf8_copy(self.csv.path, self.csv.encoding)

    @contextmanager
    def dossier_relation(self, con: duckdb.DuckDBPyConnection, *, parallel: bool = True, numbered: bool = True
                         ) -> Iterator[duckdb.DuckDBPyRelation]:
        """Yield a relation `_row BIGINT, <canonical> VARCHAR…, _overflow VARCHAR` over the dossiers.

        Every dossier column of the config is present (NULL when the file lacks it) so one SQL text
        serves every file. For CSV the file is streamed by DuckDB; non-UTF-8 files are first
        transcoded to a temporary UTF-8 copy, in chunks. `_row` is the ordinal of the record;
        `data_line()` turns it into the file's line number. Numbering a CSV forces DuckDB to scan it
        on one thread, so passes that need no row numbers ask for `numbered=False` (`_row` NULL).
        """
        if self.shape != "dossier":
            raise ValueError("dossier_relation() needs a dossier-level export")
        if self.csv is None:
            frame = self.rows if self.rows is not None else pd.DataFrame({"_row": []})
            name = f"portal_rows_{id(frame)}"
            con.register(name, frame)
            try:
                select = ", ".join(
                    f'CAST("{c}" AS VARCHAR) AS {c}' if c in frame.columns else f"CAST(NULL AS VARCHAR) AS {c}"
                    for c in DOSSIER_COLUMNS
                )
                yield con.sql(f'SELECT CAST("_row" AS BIGINT) AS _row, {select}, '
                              f"CAST(NULL AS VARCHAR) AS _overflow FROM {name}")
            finally:
                con.unregister(name)
            return
        src = self.csv
        with self._utf8_path() as utf8:
            cols = {f"c{i}": "VARCHAR" for i in range(src.width + 1)}
            spec = "{" + ", ".join(f"'{k}': '{v}'" for k, v in cols.items()) + "}"
            select = ", ".join(
                f"c{src.positions[c]} AS {c}" if c in src.positions else f"CAST(NULL AS VARCHAR) AS {c}"
                for c in DOSSIER_COLUMNS
            )
            path_sql = str(utf8).replace("'", "''")
            delim = src.delimiter.replace("'", "''")
            yield con.sql(
                f"SELECT {'ordinality' if numbered else 'CAST(NULL AS BIGINT)'} AS _row, {select}, "
                f"c{src.width} AS _overflow "
                f"FROM read_csv('{path_sql}', header=false, skip={src.skip}, delim='{delim}', quote='\"', "
                f"escape='\"', columns={spec}, null_padding=true, strict_mode=false, auto_detect=false, "
                f"parallel={'true' if parallel else 'false'}){' WITH ORDINALITY' if numbered else ''}"
            )

    def data_line(self, ordinals: list[int]) -> dict[int, int]:
        """Map record ordinals of a dossier CSV (1-based, after the header) to the line each record starts on.

        DuckDB skips blank lines and a quoted value may span lines, so an ordinal is not a line number;
        `_record_starts` finds them in one binary scan that stops at the last wanted record.
        """
        if self.csv is None:
            return {o: o for o in ordinals}
        with self._utf8_path() as utf8:
            return _record_starts(utf8, self.csv.skip, sorted(set(ordinals)))


@contextmanager
def _use(path: Path) -> Iterator[Path]:
    yield path


def _record_starts(path: Path, skip: int, wanted: list[int], chunk_size: int = 1 << 24) -> dict[int, int]:
    """The first physical line of each wanted record (1-based ordinals after `skip` lines).

    A line break ends a record only outside quotes, that is after an even number of quote characters
    (an escaped quote is two), and an empty line is no record. Read in 16 MiB chunks with numpy, so a
    10-million-line file takes about a second, and only up to the last wanted record.
    """
    out: dict[int, int] = {}
    if not wanted:
        return out
    targets = np.asarray(wanted, dtype=np.int64)
    found = 0  # wanted records mapped so far
    records = 0  # records before the current chunk
    lines = 0  # line breaks before the current chunk (a virtual one opens the file)
    quotes = 0  # parity of the quote characters before the current chunk
    carry = b"\n"  # bytes from the last line break seen, not yet classified
    with open(path, "rb") as fh:
        while found < len(targets):
            chunk = fh.read(chunk_size)
            data = np.frombuffer(carry + chunk, dtype=np.uint8)
            breaks = np.flatnonzero(data == 10)
            if chunk and len(breaks) < 2:
                carry += chunk
                continue
            # Each break but the last is classified here; the last one opens the next chunk (its line may go on).
            ends = breaks[:-1] if chunk else breaks
            quote_at = np.flatnonzero(data == 34)
            outside = (np.searchsorted(quote_at, ends) + quotes) % 2 == 0
            after = ends + 1
            nxt = np.append(breaks[1:], len(data))[: len(ends)]
            empty = (nxt == after) | ((nxt == after + 1) & (data[np.minimum(after, len(data) - 1)] == 13))
            line_no = lines + np.arange(1, len(ends) + 1)  # the line starting after each break
            starts = line_no[outside & ~empty & (line_no > skip)]
            ordinals = records + np.arange(1, len(starts) + 1)
            hit = np.searchsorted(ordinals, targets[found:])
            for target, i in zip(targets[found:], hit, strict=True):
                if i >= len(ordinals) or ordinals[i] != target:
                    break
                out[int(target)] = int(starts[i])
                found += 1
            records += len(starts)
            if not chunk:
                break
            quotes = (quotes + len(np.flatnonzero(quote_at < breaks[-1]))) % 2
            lines += len(ends)
            carry = bytes(data[breaks[-1]:])
    return out


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------


def read_portal_file(path: Path) -> PortalExport:
    """Open one export (.xlsx/.xlsm/.xls/.csv/.txt) and decide its shape.

    Raises PortalFormatError, naming the missing columns in Vietnamese, when the file has neither
    shape's required columns.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}:
        return _read_workbook(path)
    if suffix in {".csv", ".txt", ".tsv"}:
        return _read_csv(path)
    raise PortalFormatError(path, f"Tệp «{path.name}» không phải bảng tính Excel (.xlsx, .xls) hay tệp CSV.")


def read_portal_folder(folder: Path) -> tuple[list[PortalExport], list[PortalFormatError]]:
    """Read every export in a folder; unreadable files are returned, not raised, so one bad file
    does not stop the others (the caller reports them)."""
    exports: list[PortalExport] = []
    errors: list[PortalFormatError] = []
    for path in sorted(Path(folder).iterdir()):
        if path.name.startswith((".", "~$")) or not path.is_file():
            continue
        if path.suffix.lower() not in {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".txt", ".tsv"}:
            continue
        try:
            exports.append(read_portal_file(path))
        except PortalFormatError as exc:
            errors.append(exc)
    return exports, errors


@dataclass
class _Header:
    start: int
    depth: int
    data_start: int
    positions: dict[str, int]
    texts: dict[str, str]
    notes: list[str]
    ignored: list[str]


def _read_workbook(path: Path) -> PortalExport:
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several private error types for corrupt files
        raise PortalFormatError(path, f"Không đọc được tệp «{path.name}» ({type(exc).__name__}). "
                                      "Hãy mở bằng Excel và lưu lại dạng .xlsx.") from exc
    config = load_portal_columns()
    visible = [m.name for m in wb.sheets_metadata if "Visible" in str(m.visible) and "Hidden" not in str(m.visible)]
    skipped = [m.name for m in wb.sheets_metadata if m.name not in visible]
    best_error: PortalFormatError | None = None
    for name in visible:
        sheet = wb.get_sheet_by_name(name)
        grid = sheet.to_python(skip_empty_area=False)
        merged = [((r0, c0), (r1, c1)) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
        try:
            export = _build_export(path, grid, merged, config, sheet=name)
        except PortalFormatError as exc:
            if best_error is None or len(exc.missing) < len(best_error.missing):
                best_error = exc
            continue
        if skipped:
            export.notes.append("Bỏ qua các trang tính ẩn: " + ", ".join(skipped))
        return export
    if best_error is not None:
        raise best_error
    raise PortalFormatError(path, f"Tệp «{path.name}» không có trang tính nào hiển thị.")


def _read_csv(path: Path) -> PortalExport:
    config = load_portal_columns()
    encoding = detect_encoding(path)
    with open(path, "rb") as fh:
        head_bytes = fh.read(SNIFF_BYTES)
    head = head_bytes.decode(_python_codec(encoding), errors="replace")
    if len(head_bytes) == SNIFF_BYTES:  # drop the possibly cut last line
        head = head[: head.rfind("\n") + 1] or head
    best: tuple[int, str, list[list[str]], _Header | None] | None = None
    for delim in (";", ",", "\t", "|"):
        grid = _csv_grid(head, delim, limit=HEADER_SCAN_ROWS + 5)
        header = _find_header(grid, None, config)
        score = len(header.positions) if header else 0
        if best is None or score > best[0]:
            best = (score, delim, grid, header)
    assert best is not None
    _, delim, grid, header = best
    if header is not None and "received_at" in header.positions:
        _check_required(path, header.positions, config)
        width = max(len(r) for r in grid[header.start: header.data_start]) if grid else 0
        width = max([width, *(p + 1 for p in header.positions.values())])
        return PortalExport(
            source=path, shape="dossier", columns=header.texts,
            csv=CsvSource(path, encoding, delim, header.data_start, width, dict(header.positions)),
            notes=header.notes, ignored=header.ignored,
        )
    # Aggregated exports are small: read the whole file.
    with open(path, encoding=_python_codec(encoding), errors="replace", newline="") as fh:
        full = _csv_grid(fh.read(), delim)
    return _build_export(path, full, None, config, sheet=None)


def _csv_grid(text: str, delim: str, limit: int | None = None) -> list[list[str]]:
    """Split CSV text into rows; blank lines stay as [] so an index is the line number minus one
    (exact unless a quoted value spans lines)."""
    rows: list[list[str]] = []
    try:
        for rec in csv.reader(io.StringIO(text), delimiter=delim, quotechar='"'):
            rows.append(rec)
            if limit is not None and len(rows) >= limit:
                break
    except csv.Error:
        pass
    return rows


def _build_export(path: Path, grid: list[list], merged: list | None, config: PortalColumns,
                  sheet: str | None) -> PortalExport:
    header = _find_header(grid, merged, config)
    if header is None:
        found = _best_effort_columns(grid, merged, config)
        _raise_missing(path, found, config, sheet)
    assert header is not None
    shape = _check_required(path, header.positions, config, sheet)
    records = []
    for r in range(header.data_start, len(grid)):
        row = grid[r]
        rec: dict[str, Any] = {c: (row[i] if i < len(row) else None) for c, i in header.positions.items()}
        rec = {c: (None if isinstance(v, str) and not v.strip() else v) for c, v in rec.items()}
        if all(v is None for v in rec.values()):
            continue
        rec["_row"] = r + 1
        records.append(rec)
    frame = pd.DataFrame.from_records(records, columns=[*header.positions, "_row"])
    if shape == "dossier":
        frame = _dossier_cells_to_text(frame)
    title = _title_period(grid[: header.start]) if shape == "aggregated" else None
    if shape == "aggregated" and not _has_period(header.positions) and title is None:
        raise PortalFormatError(
            path, f"Tệp «{path.name}»{_sheet_txt(sheet)} thiếu kỳ báo cáo: cần cột «Từ ngày» và «Đến ngày», "
                  "hoặc «Kỳ báo cáo», hoặc «Năm», hoặc dòng «Kỳ báo cáo: từ ngày … đến ngày …» phía trên bảng.",
            missing=["Kỳ báo cáo"])
    return PortalExport(source=path, shape=shape, columns=header.texts, sheet=sheet, rows=frame,
                        title_period=title, notes=header.notes, ignored=header.ignored)


def _has_period(positions: dict[str, int]) -> bool:
    return ("period_start" in positions and "period_end" in positions) or "period" in positions or "year" in positions


def _sheet_txt(sheet: str | None) -> str:
    return f" (trang «{sheet}»)" if sheet else ""


def _check_required(path: Path, positions: dict[str, int], config: PortalColumns, sheet: str | None = None) -> Shape:
    if "unit_code" in positions and "received_at" in positions:
        return "dossier"
    if "unit_code" in positions and any(c in positions for c in AGGREGATED_COUNTS):
        return "aggregated"
    _raise_missing(path, set(positions), config, sheet)
    raise AssertionError  # unreachable


def _raise_missing(path: Path, found: set[str], config: PortalColumns, sheet: str | None) -> None:
    agg = [config.label(c) for c in AGGREGATED_REQUIRED if c not in found]
    dos = [config.label(c) for c in DOSSIER_REQUIRED if c not in found]
    missing = sorted(set(agg) | set(dos), key=lambda s: (s != config.label("unit_code"), s))
    raise PortalFormatError(
        path,
        f"Tệp «{path.name}»{_sheet_txt(sheet)} không đúng mẫu thống kê của Cổng dịch vụ công. "
        f"Mẫu tổng hợp (06a) thiếu cột: {', '.join('«' + m + '»' for m in agg) or 'không'}; "
        f"mẫu chi tiết hồ sơ thiếu cột: {', '.join('«' + m + '»' for m in dos) or 'không'}. "
        "Kiểm tra dòng tiêu đề hoặc bổ sung tên cột vào core/data/portal_columns.yaml.",
        missing=missing,
    )


def _best_effort_columns(grid: list[list], merged: list | None, config: PortalColumns) -> set[str]:
    best: set[str] = set()
    for h in range(min(len(grid), HEADER_SCAN_ROWS)):
        for depth in range(1, MAX_HEADER_DEPTH + 1):
            pos, _, _, _ = _map_block(grid, merged, h, depth, config)
            if len(pos) > len(best):
                best = set(pos)
    return best


def _find_header(grid: list[list], merged: list | None, config: PortalColumns) -> _Header | None:
    """Locate the header block: the first of the first 40 rows holding a unit-code header, and the
    block around it (up to two rows above, three rows deep) that maps the most columns."""
    code_aliases = config.columns["unit_code"].plain
    for h in range(min(len(grid), HEADER_SCAN_ROWS)):
        if not any(header_key(v) in code_aliases for v in grid[h]):
            continue
        candidates = []
        for start in range(max(0, h - 2), h + 1):
            for depth in range(h - start + 1, MAX_HEADER_DEPTH + 1):
                if start + depth > len(grid):
                    break
                pos, texts, notes, ignored = _map_block(grid, merged, start, depth, config)
                if "unit_code" in pos:
                    candidates.append((-len(pos), start != h, depth, start, pos, texts, notes, ignored))
        if not candidates:
            continue
        _, _, depth, start, pos, texts, notes, ignored = min(candidates, key=lambda c: c[:4])
        data_start = start + depth
        while data_start < len(grid) and _is_numbering_row(grid[data_start]):
            data_start += 1
        return _Header(start, depth, data_start, pos, texts, notes, ignored)
    return None


def _map_block(grid: list[list], merged: list | None, start: int, depth: int, config: PortalColumns
               ) -> tuple[dict[str, int], dict[str, str], list[str], list[str]]:
    block = _header_block(grid, merged, start, depth)
    positions: dict[str, int] = {}
    texts: dict[str, str] = {}
    notes: list[str] = []
    unmatched: list[str] = []
    width = max((len(r) for r in block), default=0)
    for c in range(width):
        raw_levels: list[str] = []
        levels: list[str] = []
        for r in block:
            text = r[c] if c < len(r) else None
            key = header_key(text)
            if not key or key in _FILLER or (levels and levels[-1] == key):
                continue
            levels.append(key)
            raw_levels.append(" ".join(str(text).split()))
        name = match_header(levels, config)
        if name is None:
            if raw_levels and levels[-1] not in _IGNORED_HEADERS:
                unmatched.append(" / ".join(raw_levels))
            continue
        if name in positions:
            notes.append(f"Cột «{' / '.join(raw_levels)}» trùng nghĩa với cột «{texts[name]}»; chỉ dùng cột đầu tiên.")
            continue
        positions[name] = c
        texts[name] = " / ".join(raw_levels)
    if unmatched:
        notes.append("Không nhận dạng được (bỏ qua) các cột: " + "; ".join(f"«{u}»" for u in unmatched))
    return positions, texts, notes, unmatched


def _header_block(grid: list[list], merged: list | None, start: int, depth: int) -> list[list]:
    """The header rows with merged cells filled from their top-left cell.

    Without merge information (CSV), an empty upper cell above a labelled lower cell inherits the
    nearest label to its left, which is how a merged group header looks once flattened.
    """
    block = [list(grid[r]) for r in range(start, min(start + depth, len(grid)))]
    if merged is not None:
        for (r0, c0), (r1, c1) in merged:
            if r1 < start or r0 >= start + depth:
                continue
            value = grid[r0][c0] if r0 < len(grid) and c0 < len(grid[r0]) else None
            for r in range(max(r0, start), min(r1, start + depth - 1) + 1):
                row = block[r - start]
                row.extend([None] * (c1 + 1 - len(row)))
                for c in range(c0, c1 + 1):
                    row[c] = value
        return block
    for i in range(len(block) - 1):
        row, below = block[i], block[i + 1]
        carry: object = None
        for c in range(len(row)):
            if _blank(row[c]):
                under = below[c] if c < len(below) else None
                if carry is not None and not _blank(under):
                    row[c] = carry
            else:
                nxt = below[c] if c < len(below) else None
                carry = row[c] if not _blank(nxt) else None
    return block


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_numbering_row(row: list) -> bool:
    """A row of column numbers under the header: "(1) (2) (3)…" or 1, 2, 3, … in order."""
    cells = [v for v in row if not _blank(v)]
    if len(cells) < 3:
        return False
    texts = [str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip() for v in cells]
    if all(t.startswith("(") and _NUMBERING_CELL.match(t) for t in texts):
        return True
    if all(t.isdigit() for t in texts) and len(texts) >= 4:
        return [int(t) for t in texts] == list(range(int(texts[0]), int(texts[0]) + len(texts))) and int(texts[0]) <= 1
    return False


def _dossier_cells_to_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Spreadsheet cells to the text a CSV would carry, so one SQL parser serves both."""
    def text(v: object) -> str | None:
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return None
        if isinstance(v, datetime):
            return v.strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, bool):
            return "1" if v else "0"
        return str(v)

    out = pd.DataFrame({"_row": frame["_row"].astype("int64")})
    for c in frame.columns:
        if c != "_row":
            out[c] = pd.Series([text(v) for v in frame[c]], dtype=object, index=frame.index)
    return out


# --------------------------------------------------------------------------------------------------
# Periods written above the table
# --------------------------------------------------------------------------------------------------

_DATE_IN_TEXT = re.compile(r"\b(\d{1,2}) (\d{1,2}) (\d{4})\b")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def parse_period_text(text: object) -> tuple[date, date] | None:
    """Read a period as written in Vietnamese: "01/01/2025 - 31/03/2025", "Từ ngày … đến ngày …",
    "Tháng 3/2025", "Quý I/2025", "6 tháng đầu năm 2025", "9 tháng năm 2025", "Năm 2025", "2025"."""
    if isinstance(text, datetime | date):
        return None
    s = fold(text)
    if not s:
        return None
    dates = []
    for d, m, y in _DATE_IN_TEXT.findall(s):
        try:
            dates.append(date(int(y), int(m), int(d)))
        except ValueError:
            return None
    if len(dates) >= 2:
        return dates[0], dates[1]
    if m := re.search(r"\bquy (iv|iii|ii|i|[1-4])\b(?: nam)? (\d{4})\b", s):
        q, y = _ROMAN[m.group(1)], int(m.group(2))
        return date(y, 3 * q - 2, 1), _month_end(y, 3 * q)
    if m := re.search(r"\b6 thang (dau|cuoi) nam (\d{4})\b", s):
        y = int(m.group(2))
        return (date(y, 1, 1), date(y, 6, 30)) if m.group(1) == "dau" else (date(y, 7, 1), date(y, 12, 31))
    if m := re.search(r"\b9 thang(?: dau)? nam (\d{4})\b", s):
        y = int(m.group(1))
        return date(y, 1, 1), date(y, 9, 30)
    if m := re.search(r"\b(?:thang )?(\d{1,2})(?: nam)? (\d{4})\b", s):
        mo, y = int(m.group(1)), int(m.group(2))
        if 1 <= mo <= 12:
            return date(y, mo, 1), _month_end(y, mo)
    if m := re.fullmatch(r"(?:nam )?(\d{4})", s) or re.search(r"\bnam (\d{4})\b", s):
        y = int(m.group(1))
        return date(y, 1, 1), date(y, 12, 31)
    return None


def _month_end(year: int, month: int) -> date:
    return (date(year, month, 1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _title_period(rows: list[list]) -> tuple[date, date] | None:
    """The period line above the table ("Kỳ báo cáo: từ ngày 15/12/2024 đến ngày 14/12/2025")."""
    for row in rows:
        text = " ".join(str(v) for v in row if not _blank(v))
        s = fold(text)
        if "tu ngay" in s or "ky bao cao" in s or "ky thong ke" in s:
            found = parse_period_text(text)
            if found:
                return found
    return None


# --------------------------------------------------------------------------------------------------
# Encodings
# --------------------------------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """utf-8 (with or without BOM), utf-16 (BOM, or NULs in every other byte), else cp1258.

    cp1258 is the Vietnamese Windows code page; for plain Western text it agrees with
    windows-1252, so both arrive correctly. Decided on the first MiB; a file whose later part is
    not UTF-8 is transcoded when DuckDB reports it.
    """
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head:
        sample = head[:4096]
        if sample[1::2].count(0) > len(sample) // 4:
            return "utf-16-le"
        if sample[0::2].count(0) > len(sample) // 4:
            return "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1258"


def _python_codec(encoding: str) -> str:
    return "utf-8-sig" if encoding == "utf-8" else encoding


@contextmanager
def _utf8_copy(path: Path, encoding: str) -> Iterator[Path]:
    """The file itself when it is UTF-8, else a temporary UTF-8 copy written in 4 MiB chunks."""
    if encoding == "utf-8":
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="dvctt-portal-") as tmp:
        out = Path(tmp) / (path.stem + ".utf8.csv")
        transcode_to_utf8(path, encoding, out)
        yield out


def transcode_to_utf8(path: Path, encoding: str, out: Path) -> None:
    with open(path, encoding=encoding, errors="replace", newline="") as src, open(out, "w", encoding="utf-8",
                                                                                   newline="") as dst:
        while chunk := src.read(1 << 22):
            dst.write(chunk)


