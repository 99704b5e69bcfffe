"""Portal-derived indicators per unit for a date window, from the portal's own statistics.

These figures are independent of what units claim, so they are kept as numerator/denominator
facts (`unit_code, indicator_code, numerator, denominator, source_file`) that the report
recomputes ratios from. Indicator codes: the catalogue's HOSO_TRUCTUYEN, TTHC_TOANTRINH, DINHDANH,
HAILONG, HAILONG_DDXDDT, YKIEN_TIEPTHU, plus PORTAL_* measures for the reconciliation sheet
(see MEASURES). A code is produced only when the export carries the columns it needs.

Window semantics (inclusive on both ends):

* Aggregated (Form 06a) rows count when their whole period lies inside [window_start,
  window_end]. Rows entirely outside are ignored; a row straddling an edge cannot be split, so it
  is left out *and reported*. Flows (dossiers received, resolved, ratings, petitions, payments)
  are summed over the periods; stocks are taken from the latest period (procedures offered, and
  dossiers still in progress) or the earliest one (carried over from before the window).
* Dossier rows count when their **reception date** falls in the window. Everything about the
  dossier (channel, rating, payment, result) follows that one date, so every numerator is a
  subset of its denominator and the figures reconcile with "dossiers received" in Form 06a.
  A dossier is *resolved* when finished on or before window_end, *in progress* otherwise; early /
  on time / late compare the finishing date with the due date (same day = on time), and in
  progress is "overdue" when its due date is before window_end. Cancelled or withdrawn
  dossiers (status "hủy", "rút", "từ chối") count as received only.
* Dossier ratings: "Rất hài lòng"/"Hài lòng" or 4–5 stars are satisfied; "Không hài lòng",
  "Chưa hài lòng", "Bình thường" or 1–3 stars are not; blank is "not rated"; anything else is
  reported. HAILONG_DDXDDT uses dossiers whose field (lĩnh vực) names đất đai, xây dựng or đầu tư.
* Yes/no cells (fee-bearing, paid online, digitised, identified): blank means no.
* Dossier files cannot give TTHC_TOANTRINH or YKIEN_TIEPTHU (procedures and petitions are not
  dossiers); those come from aggregated exports only.

Validation never drops data silently: each failing row is reported with its row number and the
indicators it is left out of; a row is dropped whole only when it cannot be used at all (no unit,
unknown unit, no readable period or reception date, or the same unit and period twice). Unknown
agencies are also listed in `unknown_agencies`. At most MAX_PROBLEMS_PER_RULE rows are listed per
file and rule, followed by one line giving the full count. The table's "Tổng cộng" line (no code,
a name saying tổng/cộng) is the sum of the rows above and is skipped. Codes match the registry
exactly, case-insensitively, or with the leading zeros Excel drops ("3386" → "03386"). The rules
are plain data (AGGREGATED_RULES, `check_aggregated_row`) and SQL conditions (DOSSIER_RULES) so a
Great Expectations suite can express them later.

Dossier CSVs are read by DuckDB, never loaded into pandas: the file is parsed once, on all threads,
into a temporary table; one pass over it reads the distinct values of the categorical columns
(classified in Python by `ValueReader`), one aggregates per unit, and only when some rows fail or
an agency is unknown does a numbered (single-threaded) scan of the file fetch line numbers, which
stops early when only the first rows of a few unknown agencies are wanted. Memory stays bounded by
DuckDB's memory_limit (default 1 GB, env DVCTT_PORTAL_MEMORY_LIMIT) with spilling to a temporary
directory. A denominator can be 0 (e.g. a unit with no ratings); ratios must guard for it.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

import duckdb
import pandas as pd

from dvctt.text import fold
from extract.numbers import cell_text, parse_number
from extract.portal import PortalColumns, PortalExport, load_portal_columns, parse_period_text

MAX_PROBLEMS_PER_RULE = 200
FACT_COLUMNS = ["unit_code", "indicator_code", "numerator", "denominator", "source_file"]
UNKNOWN_COLUMNS = ["agency_code", "rows", "first_row", "source_file", "shape"]


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortalProblem:
    """One row-level (or file-level, row=None) finding, phrased for the lead agency's IT staff."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    rule: str
    excluded: bool
    sheet: str | None = None


@dataclass
class PortalResult:
    facts: pd.DataFrame
    unknown_agencies: pd.DataFrame
    problems: list[PortalProblem] = field(default_factory=list)

    def problems_frame(self) -> pd.DataFrame:
        cols = ["file", "sheet", "row", "column", "value", "message", "rule", "excluded"]
        frame = pd.DataFrame([{c: getattr(p, c) for c in cols} for p in self.problems], columns=cols)
        return frame.astype({"row": "Int64", "excluded": "bool"})


# --------------------------------------------------------------------------------------------------
# Measures
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """An indicator as numerator/denominator, from Form 06a columns and/or per-dossier SQL.

    `numerator`/`denominator` name row values of an aggregated export (raw or derived, see
    `derive_aggregated`); `kind` says how periods combine. `sql` gives per-dossier conditions over
    the parsed dossier CTE and `needs` the dossier columns they read.
    """

    code: str
    label: str
    numerator: str
    denominator: str
    kind: Literal["flow", "last", "first"] = "flow"
    sql: tuple[str, str] | None = None
    needs: tuple[str, ...] = ()


_CHANNEL_OK = "ch IN ('online', 'in_person', 'post')"
_RATED = "rt IN ('sat', 'unsat')"
MEASURES: tuple[Measure, ...] = (
    Measure("HOSO_TRUCTUYEN", "Hồ sơ tiếp nhận trực tuyến / tổng hồ sơ tiếp nhận", "received_online", "received_new",
            sql=("ch = 'online'", _CHANNEL_OK), needs=("channel",)),
    Measure("TTHC_TOANTRINH", "TTHC cung cấp DVCTT toàn trình / tổng số TTHC", "procedures_full_online",
            "procedures_total", "last"),
    Measure("DINHDANH", "Hồ sơ trực tuyến có định danh điện tử / hồ sơ trực tuyến", "online_identified",
            "received_online", sql=("ch = 'online' AND ident = 'y'", "ch = 'online' AND ident IN ('y', 'n')"),
            needs=("channel", "online_identified")),
    Measure("HAILONG", "Lượt đánh giá hài lòng / tổng lượt đánh giá", "ratings_satisfied", "ratings_total",
            sql=("rt = 'sat'", _RATED), needs=("rating",)),
    Measure("HAILONG_DDXDDT", "Lượt hài lòng / lượt đánh giá (đất đai, xây dựng, đầu tư)", "ratings_ddxddt_satisfied",
            "ratings_ddxddt_total", sql=("rt = 'sat' AND in_ddx", f"{_RATED} AND in_ddx"), needs=("rating", "field")),
    Measure("YKIEN_TIEPTHU", "Phản ánh, kiến nghị trả lời đúng hạn / tiếp nhận", "petitions_on_time", "petitions_total"),
    Measure("PORTAL_TRUCTIEP", "Hồ sơ tiếp nhận trực tiếp / tổng hồ sơ tiếp nhận", "received_in_person", "received_new",
            sql=("ch = 'in_person'", _CHANNEL_OK), needs=("channel",)),
    Measure("PORTAL_BCCI", "Hồ sơ tiếp nhận qua BCCI / tổng hồ sơ tiếp nhận", "received_post", "received_new",
            sql=("ch = 'post'", _CHANNEL_OK), needs=("channel",)),
    Measure("PORTAL_KYTRUOC", "Hồ sơ kỳ trước chuyển qua / hồ sơ phải giải quyết", "carried_over", "received_in_hand",
            "first"),
    Measure("PORTAL_TRUOCHAN", "Hồ sơ giải quyết trước hạn / đã giải quyết", "resolved_early", "resolved_base",
            sql=("early", "res_t"), needs=("finished_at", "due_at")),
    Measure("PORTAL_DUNGHAN", "Hồ sơ giải quyết đúng hạn / đã giải quyết", "resolved_on_time", "resolved_base",
            sql=("ontime", "res_t"), needs=("finished_at", "due_at")),
    Measure("PORTAL_QUAHAN", "Hồ sơ giải quyết quá hạn / đã giải quyết", "resolved_late", "resolved_base",
            sql=("late", "res_t"), needs=("finished_at", "due_at")),
    Measure("PORTAL_GIAIQUYET_DUNGHAN", "Hồ sơ giải quyết trước và đúng hạn / đã giải quyết", "resolved_good",
            "resolved_base", sql=("early OR ontime", "res_t"), needs=("finished_at", "due_at")),
    Measure("PORTAL_DANGXL_TRONGHAN", "Hồ sơ đang giải quyết trong hạn / đang giải quyết", "pending_within",
            "pending_total", "last", sql=("pend_in", "pend_t"), needs=("finished_at", "due_at")),
    Measure("PORTAL_DANGXL_QUAHAN", "Hồ sơ đang giải quyết quá hạn / đang giải quyết", "pending_overdue",
            "pending_total", "last", sql=("pend_over", "pend_t"), needs=("finished_at", "due_at")),
    Measure("PORTAL_TTHC_MOTPHAN", "TTHC cung cấp DVCTT một phần / tổng số TTHC", "procedures_partial_online",
            "procedures_total", "last"),
    Measure("PORTAL_TTHC_PHATSINH", "TTHC có phát sinh hồ sơ / tổng số TTHC", "procedures_with_dossiers",
            "procedures_total", "last"),
    Measure("PORTAL_THANHTOAN_TT", "Hồ sơ thanh toán trực tuyến / hồ sơ có phí, lệ phí", "fee_paid_online", "fee_total",
            sql=("fee = 'y' AND paid = 'y'", "fee = 'y' AND paid IN ('y', 'n')"), needs=("fee_bearing", "paid_online")),
    Measure("PORTAL_SOHOA", "Hồ sơ được số hóa / tổng hồ sơ tiếp nhận", "digitised", "received_new",
            sql=("digi = 'y'", "digi IN ('y', 'n')"), needs=("digitised",)),
)
MEASURE_BY_CODE = {m.code: m for m in MEASURES}

DERIVED_LABELS = {
    "received_new": "Số hồ sơ mới tiếp nhận trong kỳ",
    "received_in_hand": "Số hồ sơ phải giải quyết (mới tiếp nhận + kỳ trước chuyển qua)",
    "resolved_base": "Số hồ sơ đã giải quyết",
    "resolved_good": "Số hồ sơ giải quyết trước hạn và đúng hạn",
    "pending_total": "Số hồ sơ đang giải quyết",
}


# --------------------------------------------------------------------------------------------------
# Aggregated exports: parsing, derived values, rules
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartRule:
    """`sum(parts) <= whole` (or `==` when `equal`). A failure makes `invalidates` unusable for the
    row (those indicators leave the row out); an empty `invalidates` is a warning only."""

    code: str
    parts: tuple[str, ...]
    whole: str
    equal: bool = False
    invalidates: tuple[str, ...] = ()


_RESOLVED = ("resolved_total", "resolved_early", "resolved_on_time", "resolved_late", "resolved_base", "resolved_good")
_CHANNELS = ("received_online", "received_in_person", "received_post", "received_new", "online_identified",
             "received_in_hand")
AGGREGATED_RULES: tuple[PartRule, ...] = (
    PartRule("resolved_sum", ("resolved_early", "resolved_on_time", "resolved_late"), "resolved_total", True,
             _RESOLVED),
    PartRule("online_le_total", ("received_online",), "received_new", invalidates=_CHANNELS),
    PartRule("channels_le_total", ("received_online", "received_in_person", "received_post"), "received_new",
             invalidates=_CHANNELS),
    PartRule("identified_le_online", ("online_identified",), "received_online", invalidates=("online_identified",)),
    PartRule("satisfied_le_ratings", ("ratings_satisfied",), "ratings_total",
             invalidates=("ratings_satisfied", "ratings_total")),
    PartRule("ddxddt_satisfied_le_ratings", ("ratings_ddxddt_satisfied",), "ratings_ddxddt_total",
             invalidates=("ratings_ddxddt_satisfied", "ratings_ddxddt_total")),
    PartRule("ddxddt_le_ratings", ("ratings_ddxddt_total",), "ratings_total"),
    PartRule("petitions_on_time_le_total", ("petitions_on_time",), "petitions_total",
             invalidates=("petitions_on_time", "petitions_total")),
    PartRule("paid_le_fee", ("fee_paid_online",), "fee_total", invalidates=("fee_paid_online", "fee_total")),
    PartRule("procedures_online_le_total", ("procedures_full_online", "procedures_partial_online"), "procedures_total",
             invalidates=("procedures_full_online", "procedures_partial_online", "procedures_total")),
    PartRule("procedures_with_dossiers_le_total", ("procedures_with_dossiers",), "procedures_total",
             invalidates=("procedures_with_dossiers",)),
    PartRule("digitised_le_received", ("digitised",), "received_in_hand", invalidates=("digitised",)),
)

_COMMA_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+$")


def parse_count(value: object) -> tuple[int | None, str | None]:
    """A count cell: blank or "-" is 0 (Form 06a leaves zeros blank); returns (value, error)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0, None
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", "")
        if text in {"", "-", "–", "—"}:
            return 0, None
        if _COMMA_THOUSANDS.match(text):  # "1,234" from an English-locale export: a count has no decimals
            return int(text.replace(",", "")), None
    if isinstance(value, datetime | date):
        return None, "là ngày tháng, không phải số"
    number = parse_number(value)
    if number is None:
        return None, "không phải là số"
    if number < 0:
        return None, "là số âm"
    if not float(number).is_integer():
        return None, "không phải là số nguyên"
    return int(number), None


def derive_aggregated(values: dict[str, int | None]) -> dict[str, int | None]:
    """Add the derived values measures use. A key is absent when the export lacks the columns and
    None when a cell it depends on is unusable.

    received_new: Form 06a's "Tổng số" sometimes includes dossiers carried over from the previous
    period. When the channels and the carry-over add up exactly to the total, the carry-over is
    taken out, so HOSO_TRUCTUYEN compares dossiers received in the period only.
    """
    v = dict(values)

    def total(*keys: str) -> int | None:
        return None if any(v[k] is None for k in keys) else sum(v[k] for k in keys)  # type: ignore[misc]

    channels = [k for k in ("received_online", "received_in_person", "received_post") if k in v]
    if "received_total" in v:
        new = v["received_total"]
        if (new is not None and "carried_over" in v and v["carried_over"] and len(channels) == 3
                and total(*channels, "carried_over") == new):
            new = new - v["carried_over"]  # type: ignore[operator]
        v["received_new"] = new
    elif "received_online" in v and "received_in_person" in v:
        v["received_new"] = total(*channels)
    if "received_new" in v:
        v["received_in_hand"] = (None if v["received_new"] is None or v.get("carried_over", 0) is None
                                 else v["received_new"] + (v.get("carried_over") or 0))
    parts = ("resolved_early", "resolved_on_time", "resolved_late")
    if "resolved_total" in v:
        v["resolved_base"] = v["resolved_total"]
    elif all(k in v for k in parts):
        v["resolved_base"] = total(*parts)
    if "resolved_early" in v and "resolved_on_time" in v:
        v["resolved_good"] = total("resolved_early", "resolved_on_time")
    if "pending_within" in v and "pending_overdue" in v:
        v["pending_total"] = total("pending_within", "pending_overdue")
    return v


def check_aggregated_row(values: dict[str, int | None]) -> list[tuple[PartRule, str]]:
    """Apply AGGREGATED_RULES in order to one row of derived values; returns the failures with the
    figures compared. A failure's invalidated values are skipped by the rules after it, so one bad
    cell is reported once."""
    v = dict(values)
    failures = []
    for rule in AGGREGATED_RULES:
        keys = (*rule.parts, rule.whole)
        if any(k not in v or v[k] is None for k in keys):
            continue
        s = sum(v[k] for k in rule.parts)  # type: ignore[misc]
        whole = v[rule.whole]
        if (s != whole) if rule.equal else (s > whole):  # type: ignore[operator]
            failures.append((rule, f"{_vn(s)} {'≠' if rule.equal else '>'} {_vn(whole)}"))
            for k in rule.invalidates:
                if k in v:
                    v[k] = None
    return failures


def _vn(n: int | None) -> str:
    """A count as Vietnamese write it: 1.234.567."""
    return f"{n:,}".replace(",", ".")


def _label(config: PortalColumns, key: str) -> str:
    return DERIVED_LABELS.get(key) or config.label(key)


def _affected(keys: tuple[str, ...] | set[str]) -> list[str]:
    return [m.code for m in MEASURES if m.numerator in keys or m.denominator in keys]


# --------------------------------------------------------------------------------------------------
# Unit codes
# --------------------------------------------------------------------------------------------------


def normalise_code(raw: object) -> str | None:
    """Unit code as typed: whitespace removed, Excel's "105.0" → "105", upper case."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = re.sub(r"\s+", "", str(raw))
    text = re.sub(r"\.0+$", "", text).upper()
    return text or None


class UnitMatcher:
    """Match codes to the registry: exact, case-insensitive, or with the leading zeros Excel drops
    from commune codes ("3386" → "03386")."""

    def __init__(self, known: set[str]):
        self._by_upper = {k.upper(): k for k in known}

    def match(self, code: str | None) -> str | None:
        if code is None:
            return None
        hit = self._by_upper.get(code.upper())
        if hit is None and code.isdigit():
            for width in (2, 3, 5):
                if len(code) < width and (hit := self._by_upper.get(code.zfill(width))):
                    break
        return hit


# --------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------


class _Collector:
    """Facts, unknown agencies and problems across exports, with the per-rule cap."""

    def __init__(self) -> None:
        self.facts: dict[tuple[str, str], list[Any]] = {}
        self.unknown: dict[tuple[str, str], list[Any]] = {}
        self.problems: list[PortalProblem] = []
        self.sources: dict[str, set[str]] = defaultdict(set)  # unit -> shapes

    def add_fact(self, unit: str, code: str, num: int, den: int, source: str) -> None:
        entry = self.facts.setdefault((unit, code), [0, 0, set()])
        entry[0] += int(num)
        entry[1] += int(den)
        entry[2].add(source)

    def add_unknown(self, code: str, rows: int, first_row: int | None, source: str, shape: str) -> None:
        entry = self.unknown.setdefault((code, source), [0, first_row, shape])
        entry[0] += rows
        if first_row is not None and (entry[1] is None or first_row < entry[1]):
            entry[1] = first_row

    def add_problems(self, problems: list[PortalProblem], total: dict[tuple[str, str], int] | None = None) -> None:
        """Keep the first MAX_PROBLEMS_PER_RULE per (file, rule), plus one line saying how many more."""
        by_rule: dict[tuple[str, str], list[PortalProblem]] = defaultdict(list)
        for p in problems:
            by_rule[(p.file, p.rule)].append(p)
        for key, items in by_rule.items():
            items.sort(key=lambda p: (p.row is None, p.row or 0))
            self.problems.extend(items[:MAX_PROBLEMS_PER_RULE])
            count = max(len(items), (total or {}).get(key, 0))
            if count > MAX_PROBLEMS_PER_RULE:
                first = items[0]
                self.problems.append(PortalProblem(
                    first.file, None, first.column, None,
                    f"Còn {_vn(count - MAX_PROBLEMS_PER_RULE)} dòng khác cùng lỗi ({_vn(count)} dòng tất cả) — "
                    + first.message, first.rule, first.excluded, first.sheet))

    def result(self) -> PortalResult:
        facts = pd.DataFrame(
            [(u, c, v[0], v[1], "; ".join(sorted(v[2]))) for (u, c), v in sorted(self.facts.items())],
            columns=FACT_COLUMNS,
        ).astype({"numerator": "int64", "denominator": "int64"})
        unknown = pd.DataFrame(
            [(code, v[0], v[1], src, v[2]) for (code, src), v in sorted(self.unknown.items())],
            columns=UNKNOWN_COLUMNS,
        ).astype({"rows": "int64"})
        return PortalResult(facts, unknown, self.problems)


def portal_measures(exports: list[PortalExport], window_start: date, window_end: date,
                    known_units: set[str]) -> PortalResult:
    """Compute the portal indicators per unit over [window_start, window_end] (inclusive)."""
    if window_end < window_start:
        raise ValueError("window_end trước window_start")
    config = load_portal_columns()
    matcher = UnitMatcher(known_units)
    out = _Collector()
    for export in exports:  # header findings (ignored or duplicate columns, hidden sheets)
        out.problems.extend(PortalProblem(export.name, None, None, None, note, "file_note", False, export.sheet)
                            for note in export.notes)
    aggregated = [e for e in exports if e.shape == "aggregated"]
    if aggregated:
        _process_aggregated(aggregated, window_start, window_end, matcher, config, out)
    dossier = [e for e in exports if e.shape == "dossier"]
    if dossier:
        with _Duck() as con:
            for export in dossier:
                _process_dossiers(con, export, window_start, window_end, matcher, config, out)
    for unit, shapes in sorted(out.sources.items()):
        if len(shapes) > 1:
            files = sorted({f for (u, _), v in out.facts.items() if u == unit for f in v[2]})
            out.problems.append(PortalProblem(
                "; ".join(files), None, None, unit,
                f"Đơn vị {unit} có cả số liệu tổng hợp (mẫu 06a) và số liệu chi tiết hồ sơ trong cùng khoảng "
                "báo cáo; hai nguồn đã được cộng dồn — kiểm tra để tránh tính trùng.", "mixed_sources", False))
    return out.result()


# --------------------------------------------------------------------------------------------------
# Aggregated
# --------------------------------------------------------------------------------------------------


@dataclass
class _AggRow:
    unit: str
    start: date
    end: date
    values: dict[str, int | None]
    file: str
    sheet: str | None
    row: int


def _cell_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _row_period(export: PortalExport, rec: dict[str, Any]) -> tuple[date, date] | str | None:
    """The row's period, None when it has no period cells (use the title), or an error text."""
    has = export.columns
    if "period_start" in has and "period_end" in has:
        s, e = _cell_date(rec.get("period_start")), _cell_date(rec.get("period_end"))
        if s and e:
            return s, e
        if rec.get("period_start") is not None or rec.get("period_end") is not None:
            return "«Từ ngày»/«Đến ngày» không đúng định dạng dd/mm/yyyy"
    if "period" in has and rec.get("period") is not None:
        found = parse_period_text(rec["period"])
        return found or "không đọc được «Kỳ báo cáo»"
    if "year" in has and rec.get("year") is not None:
        y, _ = parse_count(rec["year"])
        m, _ = parse_count(rec.get("month")) if "month" in has and rec.get("month") is not None else (None, None)
        if y and 1990 <= y <= 2100:
            if m and 1 <= m <= 12:
                found = parse_period_text(f"{m}/{y}")
                return found or "không đọc được «Năm»/«Tháng»"
            if m:
                return "«Tháng» không hợp lệ"
            return date(y, 1, 1), date(y, 12, 31)
        return "«Năm» không hợp lệ"
    return None


def _fmt(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _process_aggregated(exports: list[PortalExport], ws: date, we: date, matcher: UnitMatcher,
                        config: PortalColumns, out: _Collector) -> None:
    problems: list[PortalProblem] = []
    rows: list[_AggRow] = []
    for export in exports:
        file, sheet = export.name, export.sheet
        frame = export.rows if export.rows is not None else pd.DataFrame()
        counts = [c for c in export.columns if c in _COUNT_COLUMNS]

        def problem(row: int | None, column: str | None, value: object, message: str, rule: str,
                    excluded: bool, _file: str = file, _sheet: str | None = sheet) -> None:
            problems.append(PortalProblem(_file, row, column, cell_text(value), message, rule, excluded, _sheet))

        for rec in frame.to_dict("records"):
            rec = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items()}
            r = int(rec["_row"])
            raw_code = rec.get("unit_code")
            code = normalise_code(raw_code)
            if code is not None and re.fullmatch(r"(tong|cong)( .*)?", fold(raw_code)):
                continue  # "Tổng cộng" written across the code column
            if code is None:
                if not any(rec.get(c) is not None for c in counts):
                    continue  # blank or note row
                if re.search(r"\b(tong|cong)\b", fold(rec.get("unit_name"))):
                    continue  # the table's total line: the sum of the rows above, not a unit
                problem(r, config.label("unit_code"), None, "Thiếu mã đơn vị; dòng không được tính.",
                        "unit_missing", True)
                continue
            period = _row_period(export, rec)
            if period is None:
                period = export.title_period or "không có kỳ báo cáo"
            if isinstance(period, str):
                problem(r, "Kỳ báo cáo", None, f"Kỳ báo cáo không xác định ({period}); dòng không được tính.",
                        "period_unreadable", True)
                continue
            start, end = period
            if start > end:
                problem(r, "Kỳ báo cáo", f"{_fmt(start)}–{_fmt(end)}",
                        "«Từ ngày» sau «Đến ngày»; dòng không được tính.", "period_reversed", True)
                continue
            if end < ws or start > we:
                continue  # outside the window
            if start < ws or end > we:
                problem(r, "Kỳ báo cáo", f"{_fmt(start)}–{_fmt(end)}",
                        f"Kỳ {_fmt(start)}–{_fmt(end)} chỉ nằm một phần trong khoảng báo cáo "
                        f"{_fmt(ws)}–{_fmt(we)}, không tách được; dòng không được tính.", "period_partial", True)
                continue
            unit = matcher.match(code)
            if unit is None:
                out.add_unknown(code, 1, r, file, "aggregated")
                problem(r, config.label("unit_code"), raw_code,
                        f"Mã đơn vị «{code}» không có trong danh mục đơn vị; dòng không được tính.",
                        "unit_unknown", True)
                continue
            values: dict[str, int | None] = {}
            for c in counts:
                value, error = parse_count(rec.get(c))
                values[c] = value
                if error:
                    affected = _affected(set(_dependants(c)))
                    problem(r, export.columns[c], rec.get(c),
                            f"Giá trị {error}; dòng không được tính vào: {', '.join(affected) or 'không chỉ tiêu nào'}.",
                            "count_invalid", bool(affected))
            derived = derive_aggregated(values)
            for rule, detail in check_aggregated_row(derived):
                labels = " + ".join(_label(config, k) for k in rule.parts)
                relation = "khác" if rule.equal else "lớn hơn"
                affected = _affected(set(rule.invalidates))
                tail = (f"dòng không được tính vào: {', '.join(affected)}." if affected
                        else "chỉ cảnh báo, số liệu vẫn được tính.")
                problem(r, _label(config, rule.whole), detail,
                        f"{labels} {relation} {_label(config, rule.whole)} ({detail}); {tail}", rule.code,
                        bool(affected))
                for k in rule.invalidates:
                    if k in derived:
                        derived[k] = None
            rows.append(_AggRow(unit, start, end, derived, file, sheet, r))
    # Duplicate and overlapping periods of one unit.
    kept: list[_AggRow] = []
    by_unit: dict[str, list[_AggRow]] = defaultdict(list)
    for row in rows:
        twin = next((o for o in by_unit[row.unit] if (o.start, o.end) == (row.start, row.end)), None)
        if twin is not None:
            problems.append(PortalProblem(
                row.file, row.row, "Kỳ báo cáo", f"{_fmt(row.start)}–{_fmt(row.end)}",
                f"Trùng đơn vị {row.unit} và kỳ với dòng {twin.row} tệp «{twin.file}»; dòng không được tính "
                "để tránh cộng trùng.", "duplicate_period", True, row.sheet))
            continue
        overlap = next((o for o in by_unit[row.unit] if o.start <= row.end and row.start <= o.end), None)
        if overlap is not None:
            problems.append(PortalProblem(
                row.file, row.row, "Kỳ báo cáo", f"{_fmt(row.start)}–{_fmt(row.end)}",
                f"Kỳ chồng lấn với dòng {overlap.row} tệp «{overlap.file}» của cùng đơn vị {row.unit}; số liệu vẫn "
                "được cộng — kiểm tra để tránh tính trùng.", "overlapping_period", False, row.sheet))
        by_unit[row.unit].append(row)
        kept.append(row)
    out.add_problems(problems)
    for unit, unit_rows in by_unit.items():
        out.sources[unit].add("aggregated")
        for m in MEASURES:
            usable = [x for x in unit_rows if m.numerator in x.values and m.denominator in x.values
                      and x.values[m.numerator] is not None and x.values[m.denominator] is not None]
            if not usable:
                continue
            if m.kind == "last":
                usable = [max(usable, key=lambda x: (x.end, x.start))]
            elif m.kind == "first":
                usable = [min(usable, key=lambda x: (x.start, x.end))]
            for x in usable:
                out.add_fact(unit, m.code, x.values[m.numerator], x.values[m.denominator], x.file)  # type: ignore[arg-type]


_COUNT_COLUMNS = frozenset((
    "received_total", "received_online", "received_in_person", "received_post", "carried_over",
    "resolved_total", "resolved_early", "resolved_on_time", "resolved_late", "pending_within", "pending_overdue",
    "procedures_total", "procedures_full_online", "procedures_partial_online", "procedures_with_dossiers",
    "fee_total", "fee_paid_online", "digitised", "online_identified", "ratings_total", "ratings_satisfied",
    "ratings_ddxddt_total", "ratings_ddxddt_satisfied", "petitions_total", "petitions_on_time",
))


def _dependants(column: str) -> list[str]:
    """The column and the derived values computed from it."""
    deps = {
        "received_total": ["received_new", "received_in_hand"],
        "received_online": ["received_new", "received_in_hand"],
        "received_in_person": ["received_new", "received_in_hand"],
        "received_post": ["received_new", "received_in_hand"],
        "carried_over": ["received_new", "received_in_hand"],
        "resolved_total": ["resolved_base"],
        "resolved_early": ["resolved_base", "resolved_good"],
        "resolved_on_time": ["resolved_base", "resolved_good"],
        "resolved_late": ["resolved_base"],
        "pending_within": ["pending_total"],
        "pending_overdue": ["pending_total"],
    }
    return [column, *deps.get(column, [])]


# --------------------------------------------------------------------------------------------------
# Dossier level (DuckDB)
# --------------------------------------------------------------------------------------------------


class _Duck:
    """A private in-memory DuckDB with a memory cap and spill directory, closed after use."""

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        self._tmp = tempfile.TemporaryDirectory(prefix="dvctt-duckdb-")
        self.con = duckdb.connect(config={
            "memory_limit": os.environ.get("DVCTT_PORTAL_MEMORY_LIMIT", "1GB"),
            "temp_directory": self._tmp.name,
            "preserve_insertion_order": False,
        })
        return self.con

    def __exit__(self, *exc: object) -> None:
        self.con.close()
        self._tmp.cleanup()


def _phrase_re(words: list[str]) -> re.Pattern[str]:
    """Any of the folded phrases as whole words."""
    alts = "|".join(re.escape(w) for w in sorted({fold(w) for w in words}, key=len, reverse=True))
    return re.compile(rf"(^| )({alts})( |$)")


class ValueReader:
    """How dossier cells are read (config/portal_columns.yaml `values`), as plain functions.

    The SQL never folds text per row: the distinct values of each categorical column are read
    once, classified here, and joined back, which keeps a 10-million-row pass fast.
    """

    def __init__(self, config: PortalColumns):
        v = config.values
        self.channel = [(kind, _phrase_re(v["channel"][kind])) for kind in ("post", "in_person", "online")]
        self.unsatisfied = _phrase_re(v["rating"]["unsatisfied"])
        self.satisfied = _phrase_re(v["rating"]["satisfied"])
        self.cancelled = _phrase_re(v["status"]["cancelled"])
        self.done = _phrase_re(v["status"]["done"])
        self.yes = {fold(w) for w in v["boolean"]["yes"]}
        self.no = {fold(w) for w in v["boolean"]["no"]}
        self.ddxddt = _phrase_re(v["ddxddt_fields"])

    def channel_of(self, raw: str | None) -> str:
        """'online' | 'in_person' | 'post' | 'invalid' (blank is invalid: the channel is required)."""
        f = fold(raw)
        return next((kind for kind, rx in self.channel if f and rx.search(f)), "invalid")

    def rating_of(self, raw: str | None) -> str | None:
        """'sat' | 'unsat' | None (not rated) | 'invalid'. Stars: 4–5 satisfied, 1–3 not."""
        f = fold(raw)
        if not f:
            return None
        if m := re.fullmatch(r"([1-5])( 0+)?( sao)?", f):
            return "sat" if int(m.group(1)) >= 4 else "unsat"
        if self.unsatisfied.search(f):
            return "unsat"
        return "sat" if self.satisfied.search(f) else "invalid"

    def status_of(self, raw: str | None) -> str | None:
        f = fold(raw)
        if f and self.cancelled.search(f):
            return "cancelled"
        return "done" if f and self.done.search(f) else None

    def yes_no(self, raw: str | None) -> str:
        """'y' | 'n' | 'invalid'; blank is no, and a number (a fee amount) is yes when above zero."""
        f = fold(raw)
        if not f or f in self.no:
            return "n"
        if re.fullmatch(r"[0-9 ]+", f):
            return "y" if re.search(r"[1-9]", f) else "n"
        return "y" if f in self.yes else "invalid"

    def is_ddxddt(self, raw: str | None) -> str:
        f = fold(raw)
        return "y" if f and self.ddxddt.search(f) else "n"


_CATEGORICAL = {  # dossier column -> ValueReader method
    "channel": "channel_of", "rating": "rating_of", "status": "status_of", "field": "is_ddxddt",
    "fee_bearing": "yes_no", "paid_online": "yes_no", "digitised": "yes_no", "online_identified": "yes_no",
}
_DATE_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
                 "%Y-%m-%d %H:%M", "%Y-%m-%d", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d.%m.%Y",
                 "%H:%M:%S %d/%m/%Y", "%H:%M %d/%m/%Y", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d"]


def _dominant_format(values: list[str | None]) -> str:
    """The format most of the first values use; tried first so most rows parse with one attempt."""
    sample = [v.strip() for v in values if v and v.strip()][:300]
    best, hits = _DATE_FORMATS[0], -1
    for fmt in _DATE_FORMATS:
        n = 0
        for v in sample:
            try:
                datetime.strptime(v, fmt)
                n += 1
            except ValueError:
                pass
        if n > hits:
            best, hits = fmt, n
        if hits >= 0.9 * len(sample):
            break
    return best


def _date_sql(col: str, dominant: str) -> str:
    """Parse a trimmed text column to DATE: the dominant format, then ISO, then every known format,
    then an Excel serial number. COALESCE only evaluates later arguments for rows still NULL."""
    fmts = ", ".join(f"'{f}'" for f in _DATE_FORMATS)
    return (f"CAST(coalesce(try_strptime({col}, '{dominant}'), try_cast({col} AS TIMESTAMP), "
            f"try_strptime({col}, [{fmts}]), "
            rf"try_cast(regexp_replace({col}, '(Z|[+-]\d{{2}}:?\d{{2}})$', '') AS TIMESTAMP), "
            rf"CASE WHEN regexp_full_match({col}, '\d{{5}}(\.\d+)?') "
            f"THEN CAST(DATE '1899-12-30' + CAST(floor(CAST({col} AS DOUBLE)) AS INTEGER) AS TIMESTAMP) END) AS DATE)")


def _sane(col: str) -> str:
    return f"CASE WHEN year({col}) BETWEEN 1990 AND 2100 THEN {col} END"


@dataclass(frozen=True)
class DossierRule:
    """A per-dossier check: SQL `condition` over the parsed rows, the raw `value` to show, the
    dossier columns it `needs`, and the measures a failing row is left out of (`drops`; "*" = all)."""

    code: str
    condition: str
    value: str
    column: str
    message: str
    needs: tuple[str, ...] = ()
    drops: tuple[str, ...] = ()


def _needing(*columns: str) -> tuple[str, ...]:
    return tuple(m.code for m in MEASURES if m.sql and any(c in m.needs for c in columns))


DOSSIER_RULES: tuple[DossierRule, ...] = (
    DossierRule("received_unreadable", "rd IS NULL", "r_raw", "received_at",
                "Ngày tiếp nhận trống hoặc không đọc được (dd/mm/yyyy [HH:MM[:SS]] hoặc yyyy-mm-dd)",
                drops=("*",)),
    DossierRule("finished_unreadable", "ok AND f_raw IS NOT NULL AND fd IS NULL", "f_raw", "finished_at",
                "Ngày hoàn thành không đọc được", ("finished_at",), _needing("finished_at")),
    DossierRule("finished_before_received", "ok AND fd < rd", "f_raw", "finished_at",
                "Ngày hoàn thành trước ngày tiếp nhận", ("finished_at",), _needing("finished_at")),
    DossierRule("done_without_date", "ok AND f_raw IS NULL AND coalesce(st = 'done', false)", "status", "status",
                "Trạng thái đã giải quyết nhưng thiếu ngày hoàn thành", ("finished_at", "status"),
                _needing("finished_at")),
    DossierRule("due_missing", "ok AND (res OR pend) AND NOT due_ok", "d_raw", "due_at",
                "Hạn xử lý trống, không đọc được hoặc trước ngày tiếp nhận", ("finished_at", "due_at"),
                _needing("due_at")),
    DossierRule("channel_invalid", "ok AND ch = 'invalid'", "ch_raw", "channel",
                "Kênh tiếp nhận trống hoặc không nhận dạng được (trực tuyến / trực tiếp / BCCI)", ("channel",),
                _needing("channel")),
    DossierRule("rating_invalid", "ok AND rt = 'invalid'", "rt_raw", "rating",
                "Kết quả đánh giá không nhận dạng được (Rất hài lòng / Hài lòng / Không hài lòng hoặc 1–5)",
                ("rating",), _needing("rating")),
    DossierRule("fee_invalid", "ok AND fee = 'invalid'", "fee_bearing", "fee_bearing",
                "Giá trị có/không về phí, lệ phí không nhận dạng được", ("fee_bearing",), _needing("fee_bearing")),
    DossierRule("paid_invalid", "ok AND paid = 'invalid'", "paid_online", "paid_online",
                "Giá trị có/không về thanh toán trực tuyến không nhận dạng được", ("paid_online",),
                _needing("paid_online")),
    DossierRule("digitised_invalid", "ok AND digi = 'invalid'", "digitised", "digitised",
                "Giá trị có/không về số hóa không nhận dạng được", ("digitised",), _needing("digitised")),
    DossierRule("identified_invalid", "ok AND ident = 'invalid'", "online_identified", "online_identified",
                "Giá trị có/không về định danh điện tử không nhận dạng được", ("online_identified",),
                _needing("online_identified")),
    DossierRule("extra_cells", "ok AND _overflow IS NOT NULL", "_overflow", "",
                "Dòng có nhiều ô hơn dòng tiêu đề (có thể lệch cột do dấu phân cách trong nội dung)"),
)
_RULE_BY_CODE = {r.code: r for r in DOSSIER_RULES}
_ALIAS = {"channel": "ch", "rating": "rt", "status": "st", "field": "ddx", "fee_bearing": "fee", "paid_online": "paid",
          "digitised": "digi", "online_identified": "ident"}
_DEFAULT = {"channel": "'invalid'", "rating": "NULL", "status": "NULL", "field": "'n'", "fee_bearing": "'n'",
            "paid_online": "'n'", "digitised": "'n'", "online_identified": "'n'"}


def _dossier_sql(export: PortalExport, ws: date, we: date, formats: dict[str, str]
                 ) -> tuple[str, str, list[str], list[DossierRule]]:
    """The aggregation pass: classified and parsed rows (CTE `t`), the window filter, and per raw
    unit code the measure counts and each rule's failure count. Codes are normalised and matched
    in Python afterwards (there are few). Also returns the CTE text for the samples pass."""
    has = export.has
    joins, cats = [], []
    for col, alias in _ALIAS.items():
        if has(col):
            joins.append(f"LEFT JOIN (SELECT raw, cls FROM portal_map WHERE col = '{col}') m_{alias} "
                         f"ON s.{col} = m_{alias}.raw")
            cats.append(f"coalesce(m_{alias}.cls, {_DEFAULT[col]}) AS {alias}")
        else:
            cats.append(f"CAST(NULL AS VARCHAR) AS {alias}")
    measures = [m for m in MEASURES if m.sql and all(has(n) for n in m.needs)]
    sel_measures = "".join(
        f",\n  count(*) FILTER (WHERE ok AND ({m.sql[0]})) AS \"{m.code}__num\""  # type: ignore[index]
        f",\n  count(*) FILTER (WHERE ok AND ({m.sql[1]})) AS \"{m.code}__den\"" for m in measures  # type: ignore[index]
    )
    rules = [r for r in DOSSIER_RULES if all(has(n) for n in r.needs)]
    sel_rules = "".join(f",\n  count(*) FILTER (WHERE {r.condition}) AS \"{r.code}__n\"" for r in rules)
    wsd, wed = f"DATE '{ws.isoformat()}'", f"DATE '{we.isoformat()}'"
    base = f"""
WITH p AS (
  SELECT s._row, s.unit_code, s.status, s.fee_bearing, s.paid_online, s.digitised, s.online_identified, s._overflow,
    nullif(trim(s.received_at), '') AS r_raw, nullif(trim(s.finished_at), '') AS f_raw,
    nullif(trim(s.due_at), '') AS d_raw, s.channel AS ch_raw, s.rating AS rt_raw,
    {", ".join(cats)}
  FROM src s {" ".join(joins)}
), d0 AS (
  SELECT *, {_date_sql("r_raw", formats["received_at"])} AS rd0, {_date_sql("f_raw", formats["finished_at"])} AS fd0,
    {_date_sql("d_raw", formats["due_at"])} AS dd0
  FROM p
), d AS (
  SELECT * EXCLUDE (rd0, fd0, dd0), {_sane("rd0")} AS rd, {_sane("fd0")} AS fd, {_sane("dd0")} AS dd FROM d0
), q AS (
  SELECT *,
    rd IS NOT NULL AS ok,
    coalesce(st = 'cancelled', false) AS cancelled,
    (f_raw IS NOT NULL AND fd IS NULL) OR coalesce(fd < rd, false) OR (f_raw IS NULL AND coalesce(st = 'done', false))
      AS fin_bad,
    coalesce(dd >= rd, false) AS due_ok
  FROM d
  WHERE rd IS NULL OR rd BETWEEN {wsd} AND {wed}
), w AS (
  SELECT *,
    NOT cancelled AND NOT fin_bad AND fd IS NOT NULL AND fd <= {wed} AS res,
    NOT cancelled AND NOT fin_bad AND (fd IS NULL OR fd > {wed}) AS pend,
    ddx = 'y' AS in_ddx
  FROM q
), t AS (
  SELECT *,
    res AND due_ok AS res_t,
    res AND due_ok AND fd < dd AS early,
    res AND due_ok AND fd = dd AS ontime,
    res AND due_ok AND fd > dd AS late,
    pend AND due_ok AS pend_t,
    pend AND due_ok AND dd >= {wed} AS pend_in,
    pend AND due_ok AND dd < {wed} AS pend_over
  FROM w
)"""
    sql = base + f"""
SELECT unit_code, count(*) FILTER (WHERE ok) AS n_rows{sel_measures}{sel_rules}
FROM t GROUP BY unit_code
"""
    return sql, base, [m.code for m in measures], rules


def _samples_sql(base: str, rules: list[DossierRule]) -> str:
    """The samples pass, run only when some rule failed: the first MAX_PROBLEMS_PER_RULE failing
    rows of each rule with the raw value. Failing rows are few, so `f` is materialised once.
    Rules other than the reception date only look at units in `portal_known` (an unknown unit's
    rows are left out whole and listed once)."""
    rules = [*rules, _UNIT_MISSING]
    flags = ", ".join(f"({r.condition}) AS b{i}, CAST({r.value} AS VARCHAR) AS v{i}" for i, r in enumerate(rules))
    any_bad = " OR ".join(f"({r.condition})" for r in rules)
    known = "unit_code IN (SELECT raw FROM portal_known)"
    union = "\n  UNION ALL ".join(
        f"SELECT '{r.code}' AS rule, _row, v{i} AS v FROM f WHERE b{i}"
        + ("" if r.code in ("received_unreadable", "unit_missing") else f" AND {known}")
        for i, r in enumerate(rules))
    return base + f""", f AS MATERIALIZED (
  SELECT unit_code, _row, {flags} FROM t WHERE {any_bad}
), u AS (
  {union}
)
SELECT rule, _row, v FROM u QUALIFY row_number() OVER (PARTITION BY rule ORDER BY _row) <= {MAX_PROBLEMS_PER_RULE}
"""


FEW_UNKNOWN = 20  # up to this many unknown codes, one early-stopping scan each beats one full numbered scan


def _unknown_first(rel: duckdb.DuckDBPyRelation, ws: date, we: date, formats: dict[str, str], codes: list[str]
                   ) -> list[tuple[str, int]]:
    """First row, within the window, of each unknown unit code, from the numbered scan (which parses
    only the reception date of the rows it keeps). That scan is single-threaded, so rows arrive in
    file order: for a few codes, `LIMIT 1` per code stops at the first match, near the top of a
    10-million-row file rather than at its end."""
    rd = _sane(_date_sql("trim(received_at)", formats["received_at"]))
    where = f"{rd} BETWEEN DATE '{ws.isoformat()}' AND DATE '{we.isoformat()}'"
    if len(codes) > FEW_UNKNOWN:
        sql = f"SELECT unit_code, min(_row) FROM src WHERE unit_code IN (SELECT raw FROM portal_unknown) AND {where} " \
              "GROUP BY unit_code"
        return [tuple(r) for r in rel.query("src", sql).fetchall()]  # type: ignore[misc]
    out = []
    for code in sorted(codes):
        literal = code.replace("'", "''")
        out += [tuple(r) for r in rel.query("src", f"SELECT unit_code, _row FROM src WHERE unit_code = '{literal}' "
                                                   f"AND {where} LIMIT 1").fetchall()]
    return out  # type: ignore[return-value]


def _classify(rel: duckdb.DuckDBPyRelation, export: PortalExport, reader: ValueReader
              ) -> tuple[pd.DataFrame, dict[str, str], int]:
    """First pass: the distinct values of the categorical columns, classified in Python, the
    number of records, and the dominant date format of each date column (from the first rows)."""
    present = [c for c in _CATEGORICAL if export.has(c)]
    lists = "".join(f", list(DISTINCT {c})" for c in present)
    row = rel.query("src", f"SELECT count(*){lists} FROM src").fetchall()[0]
    mapping: list[tuple[str, str, str]] = []
    for col, values in zip(present, row[1:], strict=True):
        method = getattr(reader, _CATEGORICAL[col])
        for raw in values or []:
            if raw is None:
                continue  # NULL never joins; each column's default covers it
            cls = method(raw)
            if cls is not None:
                mapping.append((col, raw, cls))
    frame = pd.DataFrame(mapping, columns=["col", "raw", "cls"], dtype=object)
    head = rel.query("src", "SELECT received_at, finished_at, due_at FROM src LIMIT 2000").fetchall()
    formats = {c: _dominant_format([r[i] for r in head]) for i, c in enumerate(("received_at", "finished_at", "due_at"))}
    return frame, formats, int(row[0])


def _run(con: duckdb.DuckDBPyConnection, export: PortalExport, ws: date, we: date, reader: ValueReader,
         matcher: UnitMatcher
         ) -> tuple[list[dict], list[str], list[DossierRule], list[tuple[str, int, str | None]], dict[int, int]]:
    """Classify, aggregate, and (only if something failed) fetch sample rows.

    The first two passes run on all threads; only the samples pass numbers the rows, which makes
    DuckDB read the CSV on one thread. Retries the two recoverable DuckDB CSV failures: a file
    that is not UTF-8 after all (transcode from cp1258) and quoted line breaks (single thread)."""
    parallel = True
    for _ in range(3):
        try:
            with export.streaming():
                return _passes(con, export, ws, we, reader, matcher, parallel)
        except duckdb.Error as exc:
            text = str(exc).lower()
            if export.csv is not None and "unicode" in text and export.csv.encoding == "utf-8":
                export.csv.encoding = "cp1258"
                continue
            if "parallel=false" in text and parallel:
                parallel = False
                continue
            raise
    raise RuntimeError("unreachable")


def _passes(con: duckdb.DuckDBPyConnection, export: PortalExport, ws: date, we: date, reader: ValueReader,
            matcher: UnitMatcher, parallel: bool
            ) -> tuple[list[dict], list[str], list[DossierRule], list[tuple[str, int, str | None]], dict[int, int]]:
    """The passes over one file (see `_run`); returns groups, measures, rules, samples, line map."""
    with export.dossier_relation(con, parallel=parallel, numbered=False) as rel:
        try:
            rel = _parsed_once(con, rel) if export.csv is not None else rel
            mapping, formats, records = _classify(rel, export, reader)
            sql, base, measures, rules = _dossier_sql(export, ws, we, formats)
            con.register("portal_map", mapping)
            try:
                result = rel.query("src", sql)
                names = [d[0] for d in result.description]
                groups = [dict(zip(names, row, strict=True)) for row in result.fetchall()]
            finally:
                con.unregister("portal_map")
        finally:
            con.execute(f"DROP TABLE IF EXISTS {_PARSED}")
    codes = {g["unit_code"]: normalise_code(g["unit_code"]) for g in groups}
    known_raw = [raw for raw, code in codes.items() if matcher.match(code)]
    unknown_raw = [raw for raw, code in codes.items() if code is not None and not matcher.match(code)]
    failing = any(
        (codes[g["unit_code"]] is None and g["n_rows"])
        or any(g[f"{r.code}__n"] and (r.code == "received_unreadable" or g["unit_code"] in known_raw)
               for r in rules)
        for g in groups)
    samples: list[tuple[str, int, str | None]] = []
    if failing or unknown_raw:
        with export.dossier_relation(con, parallel=parallel, numbered=True) as rel:
            con.register("portal_map", mapping)
            con.register("portal_known", pd.DataFrame({"raw": pd.Series(known_raw, dtype=object)}))
            con.register("portal_unknown", pd.DataFrame({"raw": pd.Series(unknown_raw, dtype=object)}))
            try:
                if failing:
                    samples = [tuple(r) for r in rel.query("src", _samples_sql(base, rules)).fetchall()]
                if unknown_raw:
                    samples += [("unit_unknown", row, raw)
                                for raw, row in _unknown_first(rel, ws, we, formats, unknown_raw)]
            finally:
                for name in ("portal_map", "portal_known", "portal_unknown"):
                    con.unregister(name)
    # Ordinals of a CSV become line numbers, only for the rows we show.
    shown = sorted({row for _, row, _ in samples})
    lines = export.data_line(shown, records) if export.csv is not None and shown else {}
    return groups, measures, rules, samples, lines  # type: ignore[return-value]


_PARSED = "portal_parsed"


def _parsed_once(con: duckdb.DuckDBPyConnection, rel: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """The CSV parsed once, on all threads, into a temporary table (spilled to the temp directory
    past the memory limit): the classifying and aggregating passes then scan columns instead of
    re-parsing text. Unordered, so it has no record ordinals; the numbered pass reads the file."""
    rel.create(_PARSED)
    return con.table(_PARSED)


_UNIT_MISSING = DossierRule("unit_missing", "ok AND coalesce(trim(unit_code), '') = ''", "NULL", "unit_code",
                            "Thiếu mã đơn vị", drops=("*",))



def _process_dossiers(con: duckdb.DuckDBPyConnection, export: PortalExport, ws: date, we: date,
                      matcher: UnitMatcher, config: PortalColumns, out: _Collector) -> None:
    groups, measure_codes, rules, samples, lines = _run(con, export, ws, we, ValueReader(config), matcher)
    file = export.name
    unknown: dict[str, int] = defaultdict(int)
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for g in groups:
        code = normalise_code(g["unit_code"])
        unit = matcher.match(code)
        n = g["n_rows"]
        if code is None and n:
            totals[(file, "unit_missing")] += n
        elif unit is None and n:
            unknown[code] += n  # type: ignore[index]
        elif unit is not None and n:
            out.sources[unit].add("dossier")
            for m in measure_codes:
                out.add_fact(unit, m, g[f"{m}__num"], g[f"{m}__den"], file)
        for r in rules:
            if g[f"{r.code}__n"] and (unit is not None or r.code == "received_unreadable"):
                totals[(file, r.code)] += g[f"{r.code}__n"]
    problems: list[PortalProblem] = []
    by_code = {r.code: r for r in [*rules, _UNIT_MISSING]}
    code_label = export.columns.get("unit_code", config.label("unit_code"))
    first_row: dict[str, int] = {}
    for code, row, value in samples:
        if code == "unit_unknown":
            key = normalise_code(value)
            line = lines.get(row, row)
            first_row[key] = min(first_row.get(key, line), line)  # type: ignore[index]
            continue
        rule = by_code[code]
        if rule.drops == ("*",):
            tail = "hồ sơ không được tính."
        elif rule.drops:
            tail = "hồ sơ không được tính vào: " + ", ".join(rule.drops) + "."
        else:
            tail = "chỉ cảnh báo, hồ sơ vẫn được tính."
        column = export.columns.get(rule.column, config.label(rule.column)) if rule.column else None
        problems.append(PortalProblem(file, lines.get(row, row), column, value, f"{rule.message}; {tail}", code,
                                      bool(rule.drops), export.sheet))
    for code, n in sorted(unknown.items()):
        line = first_row.get(code)
        out.add_unknown(code, n, line, file, "dossier")
        problems.append(PortalProblem(
            file, line, code_label, code,
            f"Mã đơn vị «{code}» không có trong danh mục đơn vị ({_vn(n)} hồ sơ, dòng đầu tiên {line}); "
            "các hồ sơ này không được tính.", "unit_unknown", True, export.sheet))
    out.add_problems(problems, totals)
