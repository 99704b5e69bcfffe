"""Form 06a (aggregated) exports: counts per agency and period, checked row by row, summed per unit.

Rows count when their whole period lies inside the window; a straddling row is left out and
reported. Flows are summed; stocks come from the latest period (or the earliest, for dossiers
carried over). Rules: `expectations.portal.AGGREGATED_RULES`.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from core.clock import parse_day
from core.text import fold
from core.units import era_of_period
from expectations.portal import check_aggregated_row
from extract.numbers import cell_text, parse_number
from extract.portal import PortalColumns, PortalExport, parse_period_text
from transform.portal_measures import MEASURES, Measure, affected_measures, value_label
from transform.portal_results import Collector, PortalProblem, UnitMatcher, normalise_code

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
        if text.endswith("%"):  # 100% is no count of 1
            return None, "là tỷ lệ phần trăm, không phải số đếm"
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
        known = [n for k in keys if (n := v[k]) is not None]
        return sum(known) if len(known) == len(keys) else None

    channels = [k for k in ("received_online", "received_in_person", "received_post") if k in v]
    if "received_total" in v:
        new, carried = v["received_total"], v.get("carried_over")
        if new is not None and carried and len(channels) == 3 and total(*channels, "carried_over") == new:
            new -= carried
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


def uncomputed(columns: Iterable[str]) -> list[Measure]:
    """The measures an aggregated export with these (canonical) columns cannot give."""
    values = derive_aggregated(dict.fromkeys(columns, 0))
    return [m for m in MEASURES if m.numerator not in values or m.denominator not in values]


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
    return parse_day(str(value), ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y %H:%M:%S",
                                   "%Y-%m-%d %H:%M:%S"))


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


def process_aggregated(exports: list[PortalExport], ws: date, we: date, matcher: UnitMatcher,
                       config: PortalColumns, out: Collector) -> None:
    """Every usable row of the Form 06a exports in [ws, we], checked, deduplicated and summed per unit."""
    problems: list[PortalProblem] = []
    rows: list[_AggRow] = []
    for export in exports:
        frame = export.rows if export.rows is not None else pd.DataFrame()
        counts = [c for c in export.columns if c in _COUNT_COLUMNS]
        for rec in frame.to_dict("records"):
            values = {str(k): (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items()}
            row = _parse_row(export, values, counts, ws, we, matcher, config, out, problems)
            if row is not None:
                rows.append(row)
    by_unit = _without_duplicates(rows, problems)
    out.add_problems(problems)
    for unit, all_rows in by_unit.items():
        out.sources[unit].add("aggregated")
        eras: dict[str, list[_AggRow]] = defaultdict(list)
        for x in all_rows:  # a reused code is two units: before 1/7/2025 the old one, from then on the new one
            eras[era_of_period(x.start, x.end)].append(x)
        for era, unit_rows in sorted(eras.items()):
            for m in MEASURES:
                usable = [(x, num, den) for x in unit_rows if (num := x.values.get(m.numerator)) is not None
                          and (den := x.values.get(m.denominator)) is not None]
                if not usable:
                    continue
                if m.kind == "last":
                    usable = [max(usable, key=lambda u: (u[0].end, u[0].start))]
                elif m.kind == "first":
                    usable = [min(usable, key=lambda u: (u[0].start, u[0].end))]
                for x, num, den in usable:
                    out.add_fact(unit, m.code, num, den, x.file, era)


def _parse_row(export: PortalExport, rec: dict[str, Any], counts: list[str], ws: date, we: date,
               matcher: UnitMatcher, config: PortalColumns, out: Collector, problems: list[PortalProblem]
               ) -> _AggRow | None:
    """One row's unit, period and checked values, or None (with a problem when it was not a blank or total line)."""
    file, sheet = export.name, export.sheet

    def problem(row: int | None, column: str | None, value: object, message: str, rule: str, excluded: bool) -> None:
        problems.append(PortalProblem(file, row, column, cell_text(value), message, rule, excluded, sheet))

    r = int(rec["_row"])
    raw_code = rec.get("unit_code")
    code = normalise_code(raw_code)
    if code is not None and re.fullmatch(r"(tong|cong)( .*)?", fold(raw_code)):
        return None  # "Tổng cộng" written across the code column
    if code is None:
        if any(rec.get(c) is not None for c in counts) and not re.search(r"\b(tong|cong)\b", fold(rec.get("unit_name"))):
            problem(r, config.label("unit_code"), None, "Thiếu mã đơn vị; dòng không được tính.", "unit_missing", True)
        return None  # else a blank or note row, or the table's total line: the sum of the rows above
    period = _row_period(export, rec)
    if period is None:
        period = export.title_period or "không có kỳ báo cáo"
    if isinstance(period, str):
        problem(r, "Kỳ báo cáo", None, f"Kỳ báo cáo không xác định ({period}); dòng không được tính.",
                "period_unreadable", True)
        return None
    start, end = period
    if start > end:
        problem(r, "Kỳ báo cáo", f"{_fmt(start)}–{_fmt(end)}", "«Từ ngày» sau «Đến ngày»; dòng không được tính.",
                "period_reversed", True)
        return None
    if end < ws or start > we:
        return None  # outside the window
    if start < ws or end > we:
        problem(r, "Kỳ báo cáo", f"{_fmt(start)}–{_fmt(end)}",
                f"Kỳ {_fmt(start)}–{_fmt(end)} chỉ nằm một phần trong khoảng báo cáo {_fmt(ws)}–{_fmt(we)}, "
                "không tách được; dòng không được tính.", "period_partial", True)
        return None
    unit = matcher.match(code)
    if unit is None:
        out.add_unknown(code, 1, r, file, "aggregated")
        problem(r, config.label("unit_code"), raw_code,
                f"Mã đơn vị «{code}» không có trong danh mục đơn vị; dòng không được tính.", "unit_unknown", True)
        return None
    derived = _checked_values(export, rec, counts, config, lambda *a: problem(r, *a))
    return _AggRow(unit, start, end, derived, file, sheet, r)


def _checked_values(export: PortalExport, rec: dict[str, Any], counts: list[str], config: PortalColumns,
                    problem: Callable[[str | None, object, str, str, bool], None]) -> dict[str, int | None]:
    """The row's counts and derived values; an unreadable count, or a rule it breaks, leaves the values it
    spoils out (None), and says which measures lose the row."""
    values: dict[str, int | None] = {}
    for c in counts:
        value, error = parse_count(rec.get(c))
        values[c] = value
        if error:
            dropped = affected_measures(set(_dependants(c)))
            problem(export.columns[c], rec.get(c),
                    f"Giá trị {error}; dòng không được tính vào: {', '.join(dropped) or 'không chỉ tiêu nào'}.",
                    "count_invalid", bool(dropped))
    derived = derive_aggregated(values)
    for rule, detail in check_aggregated_row(derived):
        labels = " + ".join(value_label(config, k) for k in rule.parts)
        relation = "khác" if rule.equal else "lớn hơn"
        dropped = affected_measures(set(rule.invalidates))
        tail = (f"dòng không được tính vào: {', '.join(dropped)}." if dropped
                else "chỉ cảnh báo, số liệu vẫn được tính.")
        problem(value_label(config, rule.whole), detail,
                f"{labels} {relation} {value_label(config, rule.whole)} ({detail}); {tail}", rule.code, bool(dropped))
        for k in rule.invalidates:
            if k in derived:
                derived[k] = None
    return derived


def _without_duplicates(rows: list[_AggRow], problems: list[PortalProblem]) -> dict[str, list[_AggRow]]:
    """Rows per unit; the same unit and period twice is left out (reported), overlapping periods are reported."""
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
    return by_unit


_COUNT_COLUMNS = frozenset((
    "received_total", "received_online", "received_online_full", "received_online_partial",
    "received_in_person", "received_post", "carried_over", "resolved_total", "resolved_early", "resolved_on_time",
    "resolved_late", "pending_within", "pending_overdue",
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
